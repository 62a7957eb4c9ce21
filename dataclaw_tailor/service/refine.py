"""Refining a finished record by a follow-up request, for the backend that writes no free text.

The rules backend cannot understand a request, but some requests are edits of the record it can make
exactly: an item limit ("at most 2 events"), a filter by time span ("only 2-5 s") or by kind ("only
the click steps", "only the grasp phase"), dropping an optional field ("drop the summary"), shorter
texts ("shorter captions": each text cut to its first clause). What it cannot do is said plainly,
so the user knows to ask a model backend (or the assistant, through `brief`/`submit_record`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel, Field

from ..core import Envelope, TailorContext, fields

TEXT_FIELDS = ("caption", "description", "text", "summary", "answer", "instruction", "thought", "narration")
LANGUAGES = ("chinese", "english", "french", "german", "spanish", "japanese", "korean", "italian", "portuguese", "russian")


class Refinement(BaseModel):
    """The thread's newest version after a follow-up, and what of the request was carried out."""

    envelope: Envelope
    version: int = Field(description="1-based number of the version the envelope holds.")
    applied: list[str] = Field(default_factory=list, description="The parts of the request carried out.")
    not_applied: list[str] = Field(default_factory=list, description="The parts the backend could not carry out, and why.")


def refine_by_rules(record: Any, request: str, ctx: TailorContext, schema: dict[str, Any]) -> tuple[Any, list[str], list[str]]:
    """Apply the edits `request` asks for that need no language model: (new record, applied, not applied).

    >>> from dataclaw_tailor.core import Intent, Source
    >>> ctx = TailorContext(source=Source(path="v.mp4", kind="video", content_hash="h"), intent=Intent(text="x"), anchors=[], task="t")
    >>> refine_by_rules({"events": [{"start_s": 0}, {"start_s": 1}, {"start_s": 2}]}, "at most 2 events", ctx, {})[0]
    {'events': [{'start_s': 0}, {'start_s': 1}]}
    """
    out = copy.deepcopy(record)
    text = request.lower()
    applied: list[str] = []
    unapplied: list[str] = []
    lists = _object_lists(out)
    language = next((lang for lang in LANGUAGES if lang in text), None)
    if language and language != "english":
        unapplied.append(f"answer in {language.title()}: the rules backend writes English only; use a model backend or the assistant")
    if (m := re.search(r"\b(?:at most|only|first|keep|max(?:imum)?|top|no more than)\s+(\d+)(?![\d.]|\s*(?:-|to\b|and\b|s\b|sec))", text)) and lists:
        n = int(m.group(1))
        for key, items in lists:
            del items[n:]
        applied.append(f"kept at most {n} items in {', '.join(sorted({k for k, _ in lists}))}")
    if m := re.search(r"(\d+(?:\.\d+)?)\s*(?:s|sec|seconds)?\s*(?:-|to|and)\s*(\d+(?:\.\d+)?)\s*(?:s|sec|seconds)\b", text):
        lo, hi = sorted((float(m.group(1)), float(m.group(2))))
        for key, items in lists:
            items[:] = [i for i in items if _overlaps(i, lo, hi)]
        applied.append(f"kept the items overlapping {lo}-{hi} s")
    elif (m := re.search(r"\bonly (?:the )?([a-z_]+)(?: (?:phase|steps?|events?|items?|kind|actions?))?\b", text)) and not m.group(1).isdigit():
        word = m.group(1)
        hits = [(items, [i for i in items if _mentions(i, word)]) for _, items in lists]
        if any(kept and len(kept) < len(items) for items, kept in hits):
            for items, kept in hits:
                items[:] = kept or items
            applied.append(f"kept the items about {word!r}")
        else:
            unapplied.append(f"only {word!r}: no list item names it in a kind, type, phase or label, and the rules backend cannot judge meaning")
    for m in re.finditer(r"\b(?:drop|remove|without|omit)\s+(?:the\s+)?(?:field\s+)?`?([a-z_]+)`?", text):
        name = m.group(1)
        if name in _required(schema):
            unapplied.append(f"drop {name!r}: the task's schema requires it")
        elif _drop(out, name):
            applied.append(f"dropped field {name!r}")
        else:
            unapplied.append(f"drop {name!r}: the record has no such field")
    if re.search(r"\b(shorter|briefer|more concise|concise)\b", text) and _shorten(out):
        applied.append("cut each caption and description to its first clause")
    if not applied and not unapplied:
        unapplied.append(f"{request!r}: the rules backend only limits items, filters by time span or kind, drops fields and "
                         "shortens texts; use a model backend or the assistant for anything else")
    return out, applied, unapplied


def _object_lists(record: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    if not isinstance(record, dict):
        return []
    return [(k, v) for k, v in record.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]


def _overlaps(item: dict[str, Any], lo: float, hi: float) -> bool:
    s, e = item.get(fields.START), item.get(fields.END)
    if isinstance(s, int | float):
        return s <= hi and (e if isinstance(e, int | float) else s) >= lo
    t = item.get("t")
    return not isinstance(t, int | float) or lo <= t <= hi


def _mentions(item: Any, word: str) -> bool:
    """Whether a short label of the item (kind, type, phase, action, label; nested too) is `word`."""
    if not isinstance(item, dict):
        return False
    for key, value in item.items():
        labelled = key in ("kind", "type", "phase", "action", "label", "name", "event") and isinstance(value, str)
        if labelled and word in value.lower().replace("-", "_").split("_"):
            return True
        if isinstance(value, dict) and _mentions(value, word):
            return True
    return False


def _required(schema: dict[str, Any]) -> set[str]:
    return {name for node in fields.objects_in(schema) for name in node.get("required", [])}


def _drop(node: Any, name: str) -> bool:
    found = False
    for obj in fields.objects_in(node):
        if name in obj:
            del obj[name]
            found = True
    return found


def _shorten(node: Any) -> bool:
    changed = False
    for obj in fields.objects_in(node):
        for key, value in obj.items():
            if key in TEXT_FIELDS and isinstance(value, str):
                short = re.split(r"(?<=[.;!?])\s", value, maxsplit=1)[0].rstrip(" .;,") + "."
                if len(short) < len(value):
                    obj[key] = short
                    changed = True
    return changed
