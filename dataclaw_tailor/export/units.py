"""Records -> samples: how one valid envelope unrolls into supervised conversations.

Each task declares its `export_unit` (see `ExportUnit`): GUI trajectories unroll into one next-action
sample per step (its screenshot as the image), grounding records into one sample per pair, QA records
into one sample per question (the keyframes inside its clip as images, else the one nearest it);
other tasks give one sample whose answer is the whole record (images: the keyframes or frames among
its anchors). A record without the list its unit splits, and every record under `unit="record"`,
takes that last form. Records of a task this install does not know are exported like `custom` ones.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from ..core import Anchor, AnchorContent, ExportUnit, fields
from ..experts.registry import TASKS, get_task
from .envelopes import ImageRefs, intent_text

FRAME_ANCHORS = ("keyframe", "frame")

log = logging.getLogger(__name__)


@dataclass
class Sample:
    """One supervised example: images shown with the user's text, and the answer to learn."""

    id: str
    task: str
    user: str
    answer: str
    images: list[Path] = field(default_factory=list)


def _frame_anchors(entry: dict[str, Any]) -> list[tuple[Anchor, str]]:
    """The keyframe and frame anchors of an envelope with their image files; anchors that do not validate are left out."""
    frames = []
    for a in entry.get("anchors") or []:
        if not isinstance(a, dict) or a.get("kind") not in FRAME_ANCHORS:
            continue
        try:
            anchor = Anchor.model_validate(a)
        except ValidationError as exc:
            log.warning("anchor %s left out of the export's frames: %s", a.get("id"), exc.errors()[0]["msg"])
            continue
        if isinstance(anchor.c, AnchorContent) and anchor.c.image:
            frames.append((anchor, anchor.c.image))
    return frames


def _anchor_frames(entry: dict[str, Any], span: tuple[float, float] | None = None) -> list[Any]:
    """Frame files among the anchors: those inside `span`, else the one nearest its middle (all without a span)."""
    frames = _frame_anchors(entry)
    if span is None:
        return [path for _, path in frames]
    timed = [(a.t, path) for a, path in frames if isinstance(a.t, float)]
    inside = [path for t, path in timed if span[0] <= t <= span[1]]
    if inside or not timed:
        return inside
    middle = (span[0] + span[1]) / 2
    return [min(timed, key=lambda tp: abs(tp[0] - middle))[1]]


def _record_images(record: Any) -> list[Any]:
    if isinstance(record, dict):
        own = [record[k] for k in fields.IMAGE_FIELDS if isinstance(record.get(k), str)]
        return own + [ref for v in record.values() for ref in _record_images(v)]
    if isinstance(record, list):
        return [ref for v in record for ref in _record_images(v)]
    return []


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _describe_action(action: Any) -> str:
    if not isinstance(action, dict):
        return str(action)
    parts = [str(action.get("type", "action"))]
    if action.get("x") is not None and action.get("y") is not None:
        parts.append(f"({action['x']}, {action['y']})")
    if action.get("text"):
        parts.append(repr(action["text"]))
    if action.get("keys"):
        parts.append("+".join(map(str, action["keys"])))
    if action.get("direction"):
        parts.append(str(action["direction"]))
    return " ".join(parts)


def _objects(record: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    """The objects of the record's list `name` with their indexes (what is not an object is skipped)."""
    items = record.get(name)
    return [(i, item) for i, item in enumerate(items if isinstance(items, list) else []) if isinstance(item, dict)]


def _gui_steps(key: str, entry: dict[str, Any], images: ImageRefs) -> list[Sample]:
    record = entry["record"]
    screen = record.get("screen") or {}
    size = f" The screen is {screen.get('width')}x{screen.get('height')} pixels." if isinstance(screen, dict) and screen.get("width") else ""
    samples, history = [], []
    for i, step in _objects(record, "steps"):
        done = "\n".join(f"{n}. {h}" for n, h in enumerate(history, 1)) or "none"
        user = f"Task: {str(record.get('task', '')).rstrip('.')}.{size}\nPrevious actions:\n{done}\nWhat is the next action? Answer with JSON {{thought, action}}."
        answer = _dump({"thought": step.get("thought"), "action": step.get("action")})
        samples.append(Sample(f"{key}/step{i}", entry["task"], user, answer, images.resolve_all([step.get("screenshot")])))
        history.append(_describe_action(step.get("action")))
    return samples


def _grounding_pairs(key: str, entry: dict[str, Any], images: ImageRefs) -> list[Sample]:
    samples = []
    for i, pair in _objects(entry["record"], "pairs"):
        user = f"{pair.get('instruction', '')}\nAnswer with the target point as JSON {{x, y}}."
        answer = _dump({"x": pair.get("x"), "y": pair.get("y")})
        samples.append(Sample(f"{key}/pair{i}", entry["task"], user, answer, images.resolve_all([pair.get("screenshot")])))
    return samples


def _qa_items(key: str, entry: dict[str, Any], images: ImageRefs) -> list[Sample]:
    samples = []
    for i, qa in _objects(entry["record"], "qa"):
        span = fields.pair(qa.get(fields.CLIP))
        frames = images.resolve_all(_anchor_frames(entry, span))
        samples.append(Sample(f"{key}/qa{i}", entry["task"], str(qa.get("question", "")), str(qa.get("answer", "")), frames))
    return samples


def _whole_record(key: str, entry: dict[str, Any], images: ImageRefs) -> list[Sample]:
    intent = intent_text(entry) or f"Tailor this {entry.get('domain') or 'stream'} data into a {entry['task']} record."
    user = f"{intent}\nReply with one JSON object for the task {entry['task']}."
    refs = _record_images(entry["record"]) or _anchor_frames(entry)
    return [Sample(key, entry["task"], user, _dump(entry["record"]), images.resolve_all(refs))]


Split = Callable[[str, dict[str, Any], ImageRefs], list[Sample]]

SPLITS: dict[ExportUnit, tuple[str, Split]] = {
    ExportUnit.step: ("steps", _gui_steps),
    ExportUnit.pair: ("pairs", _grounding_pairs),
    ExportUnit.question: ("qa", _qa_items),
}
"""Each unit other than `record`: the record's list it splits, and how one item becomes a sample."""


def declared_unit(task: str) -> ExportUnit:
    """The export unit `task` declares (a task unknown here: `custom`'s)."""
    return (TASKS.get(task) if task in TASKS else get_task("custom")).export_unit


def samples_for(key: str, entry: dict[str, Any], images: ImageRefs, unit: Literal["auto", "record"] = "auto") -> list[Sample]:
    """The conversations one valid envelope yields (see the module docstring)."""
    split = SPLITS.get(declared_unit(entry["task"])) if unit == "auto" else None
    if split is not None and isinstance(entry["record"].get(split[0]), list):
        return split[1](key, entry, images)
    return _whole_record(key, entry, images)
