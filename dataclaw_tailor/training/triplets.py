"""Training triplets (source ref, intent, record, anchors) and the rows SFT and GRPO read from them.

One `Triplet` is what stage-2 construction writes per (source, intent) pair. Training never re-reads the
raw stream: the prompt is rebuilt from the stored anchors and source facts, and the reward columns
(`schema`, `anchors`, `source`, `record`) are stored as JSON strings so an Arrow table holds rows of any
task side by side.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..core import Anchor, InputError, Intent, Source

TRIPLETS_FILE = "triplets.jsonl"
DATASET_DIR = "dataset"
MAX_PROMPT_ANCHORS = 48

COMPACT_SYSTEM_PROMPT = "Answer with one JSON record for the task, grounded in the anchors: cite their ids, copy their times."
CLARIFY_SYSTEM_PROMPT = "The intent is too vague to tailor: answer with JSON {\"questions\": [...]} with concrete options."


class Triplet(BaseModel):
    """One training example: a source reference, an intent, the tailored record and its anchors.

    `kind="clarify"` rows teach the model to ask instead of guessing: their intent is a fuzzy variant
    and their target is the clarification questions the graph asked for it.
    """

    key: str = Field(description="Stable id of (source content, intent, teacher); construction skips keys it has.")
    kind: Literal["tailor", "clarify"] = Field(default="tailor", description="Tailoring target or clarification target.")
    source: Source = Field(description="The raw stream by reference (path, kind, content hash, physical facts).")
    intent: Intent = Field(description="The user's request this record answers.")
    domain: str = Field(description="Expert domain, e.g. 'gui'.")
    task: str = Field(description="Task name, e.g. 'gui.trajectory'.")
    json_schema: dict[str, Any] = Field(default_factory=dict, description="The task's JSON Schema the record obeys.")
    anchors: list[Anchor] = Field(default_factory=list, description="Stage-1 anchors the record is grounded in.")
    record: dict[str, Any] | None = Field(default=None, description="The tailored record (tailor rows).")
    questions: list[dict[str, Any]] = Field(default_factory=list, description="Clarification questions (clarify rows).")
    valid: bool = Field(default=False, description="The record passed validation (after repairs).")
    validation: dict[str, Any] = Field(default_factory=dict, description="The validation report summary.")
    teacher: str = Field(default="", description="'<backend>:<model id>' that wrote the record.")


def triplet_key(source: Source, intent: Intent, teacher: str, kind: str = "tailor") -> str:
    payload = json.dumps([source.content_hash, intent.model_dump(mode="json", by_alias=True), teacher, kind], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _compact_value(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def anchor_lines(anchors: list[Anchor], limit: int = MAX_PROMPT_ANCHORS) -> list[str]:
    """One `Anchor.line()` per anchor, at most `limit`, then how many were left out."""
    lines = [a.line() for a in anchors[:limit]]
    if len(anchors) > limit:
        lines.append(f"... {len(anchors) - limit} more anchors")
    return lines


def source_facts(source: Source) -> str:
    return f"{source.kind.value} {_compact_value(source.meta.physical())}"


PromptStyle = Literal["serving", "compact"]


def prompt_messages(t: Triplet, style: PromptStyle = "serving") -> list[dict[str, str]]:
    """The chat prompt a model sees for a triplet.

    `serving` is exactly the prompt the tailoring graph sends a backend (`model.prompt.serving_request`:
    intent, task, anchors, the schema specialised to the source, example), so a model trained on it is
    served without a prompt shift.
    `compact` keeps task, intent, source facts and one line per anchor and leaves the schema out: the
    model learns each task's shape in SFT, which keeps prompts short enough for small models (the CPU
    demo); serve such a model with constrained decoding, which supplies the schema.
    """
    if style == "serving" and t.kind == "tailor":
        return [{"role": m.role, "content": m.plain_text()} for m in _serving_request(t).messages]
    if t.kind == "clarify":
        user = f"Intent: {t.intent.text}\nSource: {source_facts(t.source)}"
        return [{"role": "system", "content": CLARIFY_SYSTEM_PROMPT}, {"role": "user", "content": user}]
    lines = [f"Task: {t.task}", f"Intent: {t.intent.text}", f"Source: {source_facts(t.source)}", "Anchors:"]
    lines += anchor_lines(t.anchors)
    return [{"role": "system", "content": COMPACT_SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


def _serving_request(t: Triplet) -> Any:
    from ..core import TailorContext
    from ..experts.registry import get_task
    from ..model.prompt import serving_request

    return serving_request(TailorContext(t.source, t.intent, t.anchors, t.task), get_task(t.task), t.json_schema)


def prompt_images(t: Triplet, style: PromptStyle = "serving") -> list[Any]:
    """The images the serving prompt attaches (keyframes, screenshots, robot frames), as RGB PIL images.

    Vision-language rows carry them in an `images` column, which TRL places before the first user turn.
    The compact prompt and clarification rows have none.
    """
    if style != "serving" or t.kind != "tailor":
        return []
    from PIL import Image

    from ..core import ImagePart

    paths = [p.path for m in _serving_request(t).messages for p in m.content if isinstance(p, ImagePart)]
    return [Image.open(path).convert("RGB") for path in paths]


def target_text(t: Triplet) -> str:
    """The assistant turn to learn: compact JSON (fewer tokens than indented JSON, same content)."""
    if t.kind == "clarify":
        return _compact_value({"questions": t.questions})
    return _compact_value(t.record)


def reward_columns(t: Triplet) -> dict[str, str]:
    """The JSON-string columns the reward functions in `training.rewards` read."""
    source = t.source.model_dump(mode="json")
    return {
        "schema": _compact_value(t.json_schema),
        "anchors": _compact_value([a.compact() for a in t.anchors]),
        "source": _compact_value({"kind": source["kind"], "meta": source["meta"]}),
        "record": target_text(t),
        "domain": t.domain,
        "task": t.task,
    }


def sft_row(t: Triplet, style: PromptStyle = "serving", vision: bool = False) -> dict[str, Any]:
    """A TRL prompt-completion row (loss on the completion only); `vision` adds the prompt's images."""
    row = {"prompt": prompt_messages(t, style), "completion": [{"role": "assistant", "content": target_text(t)}], **reward_columns(t)}
    return row | {"images": prompt_images(t, style)} if vision else row


def grpo_row(t: Triplet, style: PromptStyle = "serving", vision: bool = False) -> dict[str, Any]:
    """A TRL GRPO row: a conversational prompt plus the reward columns (and images for `vision`)."""
    row = {"prompt": prompt_messages(t, style), **reward_columns(t)}
    return row | {"images": prompt_images(t, style)} if vision else row


def write_triplet(path: Path, t: Triplet) -> None:
    """Append one triplet as a JSON line, flushed and fsynced so an interrupted run loses nothing written."""
    import os

    with path.open("a", encoding="utf-8") as fh:
        fh.write(t.model_dump_json() + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_triplets(path: str | Path) -> Iterator[Triplet]:
    """Triplets from a construction folder (its `triplets.jsonl`) or a JSONL file; a torn last line is skipped."""
    path = Path(path)
    file = path / TRIPLETS_FILE if path.is_dir() else path
    if not file.exists():
        raise InputError(file, "no triplets here; run `claw train construct` first")
    lines = file.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield Triplet.model_validate_json(line)
        except ValueError as exc:
            if n == len(lines):
                return
            raise InputError(file, f"line {n} is not a triplet: {str(exc).splitlines()[0]}") from exc


def select(
    triplets: Iterable[Triplet], *, domains: list[str] | None = None, kinds: tuple[str, ...] = ("tailor", "clarify"),
    only_valid: bool = True,
) -> list[Triplet]:
    """Filter triplets for a recipe: Omni takes every domain, an Expert one domain."""
    out = []
    for t in triplets:
        if t.kind not in kinds or (domains and t.domain not in domains):
            continue
        if only_valid and t.kind == "tailor" and not t.valid:
            continue
        out.append(t)
    return out


def to_hf_dataset(triplets: list[Triplet]):
    """The triplets as a Hugging Face `Dataset`: one row per triplet, nested parts as JSON strings."""
    from datasets import Dataset

    rows = []
    for t in triplets:
        rows.append({
            "key": t.key, "kind": t.kind, "source_path": t.source.path, "source_kind": t.source.kind.value,
            "source_hash": t.source.content_hash, "intent": t.intent.model_dump_json(by_alias=True),
            "valid": t.valid, "teacher": t.teacher, "validation": _compact_value(t.validation),
            "questions": _compact_value(t.questions), **reward_columns(t),
            "prompt": _compact_value(prompt_messages(t, "compact")),
        })
    return Dataset.from_list(rows)
