"""The `hybrid` backend: the rules synthesiser places the facts, a language model writes the prose.

Items, spans, actions, coordinates and anchor ids come from the task's deterministic synthesiser
(exactly what the `rules` backend returns), so Field and Sequence are those of `rules` by
construction. Then every object of that record that holds prose (captions, thoughts, observations,
descriptions ...) becomes one small request to the writer model: what the record is about (its task or
topic), the item's facts without times or ids and what its cited anchors observed, after a worked example
of the same fields as an earlier turn, constrained to a JSON object holding just those prose fields. The rules' own wording
is not shown: the nano model, given it as a draft, copied it verbatim. All items go to the writer in
one batch. A writer answer that does not parse, or leaves a field empty, keeps the rules wording, so
the record is never worse-formed than the rules record.

The writer is the `local` backend (the packaged nano model unless `model` names a checkpoint).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

from ..core import Anchor, BackendError, GenerationRequest, Message, TailorContext

logger = logging.getLogger(__name__)

PROSE_KEYS = ("summary", "caption", "description", "observation", "thought", "reasoning", "instruction", "title")
"""Record fields that are free language about the source: the writer may reword them. Every other
field (times, actions, coordinates, ids, answers, element and on-screen text) is a fact the rules placed."""
FACT_SKIP = frozenset({"anchor_ids", "screenshot", "image", "images", "path", "index", "start_s", "end_s", "clip", "t"})
"""Item fields not shown to the writer: references, and times (a 135M model copies numbers into prose
instead of describing; the rules record keeps them in their own fields)."""
GOAL_KEYS = ("task", "topic")
"""Top-level record fields that say what the whole source is about: every item's request starts with it."""
WORKED_EXAMPLES: dict[tuple[str, ...], tuple[str, dict[str, str]]] = {
    ("description",): ("Goal: pick up the red cup\nItem: skill: grasp; gripper: closing\nEvidence:\ngripper: state=close",
                       {"description": "The gripper closes around the red cup."}),
    ("caption",): ("Item: objects: [\"dog\"]\nEvidence:\nocr: 'Happy birthday'",
                   {"caption": "A dog sits under a banner that reads 'Happy birthday'."}),
    ("summary",): ("Item: events: 3 items\nEvidence:\nocr: 'City marathon 2019'\nsubtitle: 'The runners are off.'",
                   {"summary": "A city marathon: the start, runners in the streets and the finish line."}),
    ("observation", "thought"): ("Goal: send an email to Ann\nItem: action: {\"type\":\"click\",\"x\":40,\"y\":300}; target_element: Compose",
                                 {"observation": "The mail app is open with the inbox listed and a Compose button.",
                                  "thought": "To write to Ann I need a new message, so I click Compose."}),
    ("instruction",): ("Item: x: 40; y: 300; element_text: Compose", {"instruction": "Click the Compose button"}),
    ("instruction", "title"): ("Goal: Making tea\nItem: on_screen_text: [\"Boil the water\"]",
                               {"instruction": "Boil the water in a kettle.", "title": "Boil the water"}),
    ("reasoning",): ("Goal: pick up the red cup\nItem: question: When does the gripper close?; answer: At 2.5 s.\nEvidence:\ngripper: state=close",
                     {"reasoning": "The gripper closing event shows when the hand grasps the cup."}),
}
"""One worked example per set of prose fields, shown as an earlier user/assistant turn: the register wanted
(a plain sentence about what is seen or done, naming the objects of its own facts). The nano model given no
example wrote about "the training data"; given the rules' own wording, or an example inside the request,
it copied it verbatim. An answer that still repeats its example is refused (the rules wording stays)."""
MAX_EVIDENCE = 6
MAX_FACT_CHARS = 300
BATCH = 8
"""Slots generated per padded batch: larger batches waste compute on padding when prompts differ."""

SYSTEM_PROMPT = (
    "You write the text fields of one item of a dataset record. In plain English, say what is seen or done, "
    "restating the facts and evidence given; never mention ids, anchors or numbers of seconds, never invent "
    "objects. Answer with JSON only."
)


def prose_slots(record: Any) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """(object, its non-empty prose keys) for the record and every object nested in it, parents first."""
    if isinstance(record, dict):
        keys = [k for k in PROSE_KEYS if isinstance(record.get(k), str) and record[k].strip()]
        if keys:
            yield record, keys
        for value in record.values():
            if isinstance(value, dict | list):
                yield from prose_slots(value)
    elif isinstance(record, list):
        for value in record:
            yield from prose_slots(value)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _facts(obj: dict[str, Any], keys: list[str]) -> str:
    """The object's other fields as `key: value` pairs: values, small objects (an action), lists of values;
    nested items (lists of objects) are counted, not shown: they are slots of their own."""

    def shown(key: str, value: Any) -> bool:
        if key in keys or key in FACT_SKIP or value in (None, "", [], {}):
            return False
        return not (isinstance(value, list) and any(isinstance(v, dict) for v in value))

    facts: dict[str, Any] = {k: v for k, v in obj.items() if shown(k, v)}
    facts |= {k: f"{len(v)} items" for k, v in obj.items() if isinstance(v, list) and any(isinstance(i, dict) for i in v)}
    if isinstance(facts.get("action"), dict):
        facts["action"] = {k: v for k, v in facts["action"].items() if v is not None}
    parts = [f"{k}: {v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(',', ':'))}" for k, v in facts.items()]
    return _clip("; ".join(parts), MAX_FACT_CHARS)


def _evidence(anchor: Anchor) -> str | None:
    """What an anchor observed, without its id and time (`ocr: 'Copyright 2013'`, `gripper: state=close`);
    None for anchors that observed no content (a shot, a keyframe)."""
    content = anchor.content_json
    if content is None:
        return None
    if isinstance(content, str):
        return f"{anchor.kind}: {_clip(content, 120)!r}"
    shown = {k: v for k, v in content.items() if v not in (None, "", [], {}) and not isinstance(v, dict | list)}
    return f"{anchor.kind}: " + _clip(", ".join(f"{k}={v}" for k, v in shown.items()), 160) if shown else None


def _cited(obj: dict[str, Any], anchors: dict[str, Anchor]) -> list[str]:
    """Evidence lines of the anchors the item cites (a top-level summary: the source's first anchors)."""
    ids = obj.get("anchor_ids")
    chosen = [anchors[i] for i in ids if isinstance(i, str) and i in anchors] if isinstance(ids, list) and ids else list(anchors.values())
    lines = []
    for anchor in chosen:
        line = _evidence(anchor)
        if line and line not in lines:
            lines.append(line)
    return lines[:MAX_EVIDENCE]


def record_goal(record: Any) -> str | None:
    """What the whole source is about: the record's task or topic (None when it has neither; the user's
    intent is not shown: given "make training data", the nano model wrote about the training data)."""
    if isinstance(record, dict):
        for key in GOAL_KEYS:
            if isinstance(record.get(key), str) and record[key].strip():
                return _clip(record[key].strip(), 160)
    return None


def slot_request(ctx: TailorContext, task: str, goal: str | None, obj: dict[str, Any], keys: list[str], *,
                 max_tokens: int = 160) -> GenerationRequest:
    """The writer's request for one object: goal, facts and cited evidence in, `{key: text}` out, after a
    worked example of the same fields (when there is one) as an earlier turn."""
    by_id = {a.id: a for a in ctx.anchors}
    facts, evidence = _facts(obj, keys), _cited(obj, by_id)
    lines = [f"Goal: {goal}"] if goal else []
    lines += [f"Item: {facts}"] if facts else []
    lines += ["Evidence:", *evidence] if evidence else []
    ask = f"Write the item's {', '.join(keys)}: {'one plain sentence each' if len(keys) > 1 else 'one plain sentence'}."
    messages = [Message.text("system", SYSTEM_PROMPT)]
    example = WORKED_EXAMPLES.get(tuple(sorted(keys)))
    if example:
        messages += [Message.text("user", f"{example[0]}\n{ask}"), Message.text("assistant", json.dumps(example[1]))]
    messages.append(Message.text("user", "\n".join([*lines, ask])))
    schema = {
        "type": "object",
        "properties": {k: {"type": "string", "minLength": 8} for k in keys},
        "required": keys,
        "additionalProperties": False,
    }
    return GenerationRequest(messages=messages, json_schema=schema, task=task, max_tokens=max_tokens, temperature=0.0)


def merge(obj: dict[str, Any], keys: list[str], text: str) -> int:
    """Write the writer's fields into `obj`; returns how many were taken (0 when the answer is unusable).
    A field that repeats its worked example word for word is not taken."""
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        return 0
    copied = {v for _, example in WORKED_EXAMPLES.values() for v in example.values()}
    taken = 0
    if isinstance(answer, dict):
        for k in keys:
            value = answer.get(k)
            if isinstance(value, str) and value.strip() and value.strip() not in copied:
                obj[k] = value.strip()
                taken += 1
    return taken


class HybridBackend:
    """Rules for the facts, a writer model for the prose (see the module docstring)."""

    name = "hybrid"
    reads_prompt = False
    """Like `rules` it reads the context and the task's synthesiser the caller hands down, not the served prompt."""

    def __init__(self, writer: Any, *, max_tokens: int = 160):
        """`writer`: a backend (`generate`, and `generate_batch` when it batches), usually `local`."""
        self.writer = writer
        self.max_tokens = max_tokens
        self.model_id = f"rules-v1+{writer.model_id}"

    async def generate(self, request: GenerationRequest) -> str:
        ctx = request.context
        if ctx is None or request.synthesize is None:
            raise BackendError("the hybrid backend needs request.context (source, intent, anchors) and request.synthesize")
        record = request.synthesize(ctx)
        slots = list(prose_slots(record))
        goal = record_goal(record)
        requests = [slot_request(ctx, request.task, goal, obj, keys, max_tokens=self.max_tokens) for obj, keys in slots]
        texts: list[str] = []
        for start in range(0, len(requests), BATCH):
            texts += await self._batch(requests[start : start + BATCH])
        taken = sum(merge(obj, keys, text) for (obj, keys), text in zip(slots, texts))
        logger.info("hybrid: %d prose fields in %d items rewritten by %s", taken, len(slots), self.writer.model_id)
        return json.dumps(record, ensure_ascii=False)

    async def _batch(self, requests: list[GenerationRequest]) -> list[str]:
        batch = getattr(self.writer, "generate_batch", None)
        if batch is not None:
            return await batch(requests)
        return list(await asyncio.gather(*(self.writer.generate(r) for r in requests)))


def create_hybrid(model: str | None = None, max_tokens: int = 160, **writer_options: Any) -> HybridBackend:
    """Rules place the facts, a local model (default: the packaged nano model) rewrites the prose fields.

    `model`: the writer's checkpoint folder; other options go to the `local` backend.
    """
    from .local import create_local

    writer_options.setdefault("max_chars", 160)
    return HybridBackend(create_local(model, **writer_options), max_tokens=int(max_tokens))
