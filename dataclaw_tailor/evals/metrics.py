"""DataClaw-val metrics as plain functions: validity, Field, Semantic, Sequence (each 0-100).

They take plain JSON values (and the task's JSON Schema where types matter), so the graph's
validation, GRPO rewards and `claw eval` all score with the same code. Formulas and worked examples
are in `evals/README.md`.

Each metric owns one kind of error, so a defect is charged once:
- Field: a declared field missing or of the wrong type.
- Semantic: what the text says. Items of lists are paired by content (best one-to-one match of their
  text), never by position or time, so reordering or retiming items does not change it; fields
  missing from the prediction are skipped (Field charges them).
- Sequence: order, timing and placement. Timed items are paired by temporal IoU, GUI steps by
  position; text is never read.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from ..core import Anchor, Source, fields
from ..core.fields import span_of
from ..core.grounding import grounding_score
from ..core.validate import check_record
from .embed import TextSimilarity, default_similarity
from .matching import assign, box_iou, edit_similarity, order_agreement, temporal_iou

HIT_RADIUS = 0.05
"""A predicted point hits when within this fraction of the screen diagonal of the reference point."""
FALLBACK_SCREEN = (1920, 1080)
"""Screen assumed for the hit radius when neither the caller nor the reference states one."""
NON_TEXT_KEYS = fields.REFERENCE_FIELDS
"""String fields that are references (files, ids), not language: Semantic ignores them."""
TIE_BREAK = 1e-6
"""Among equally similar pairings (duplicate texts), prefer items at the same position."""
_REFERENCE_LIKE = re.compile(r"^[a-z_]+:\d+$|\.(jpe?g|png|webp|gif|bmp|mp4|mkv|webm|json)$", re.IGNORECASE)


# ---------------------------------------------------------------- validity


class Validity(BaseModel):
    """JSON validity of one raw model output, before and after the shared deterministic repair."""

    strict_parse: bool = Field(description="json.loads accepted the raw text.")
    strict_valid: bool = Field(description="Strictly parsed and schema-valid with no repair at all.")
    repaired_parse: bool = Field(description="Parsed once json-repair was allowed.")
    repaired_valid: bool = Field(description="Schema-valid after check_record's repairs (json-repair, coercion, clamping).")
    grounding: float | None = Field(
        default=None,
        description="Fraction of grounding claims that hold, when anchors were given: in the record as written when it parsed strictly, else in the repaired record.",
    )
    record: Any = Field(default=None, description="The record after repair (None when nothing parsed).")


def check_validity(text: str | Any, schema: dict, anchors: Iterable[Anchor] | None = None, source: Source | None = None) -> Validity:
    """Run `core.validate.check_record` without and with repair and summarise both."""
    raw = text if isinstance(text, str) else copy.deepcopy(text)
    anchor_list = list(anchors or [])
    strict_checked = check_record(raw, schema, anchor_list, source, repair=False)
    strict = strict_checked.report
    repaired = check_record(raw, schema, anchor_list, source, repair=True)
    as_written = strict_checked.record if strict_checked.record is not None else repaired.record
    grounding = None
    if anchors is not None and as_written is not None:
        grounding = grounding_score(as_written, anchor_list, source)
    return Validity(
        strict_parse=strict.parsed,
        strict_valid=strict.parsed and strict.schema_valid,
        repaired_parse=repaired.report.parsed_after_repair,
        repaired_valid=repaired.report.parsed_after_repair and repaired.report.schema_valid,
        grounding=grounding,
        record=repaired.record,
    )


def validity(text: str | Any, schema: dict, anchors: Iterable[Anchor] | None = None, source: Source | None = None, *, repair: bool = False) -> float:
    """100 when the output parses and satisfies the schema (strictly, or after repair with `repair=True`), else 0."""
    checked = check_record(text if isinstance(text, str) else copy.deepcopy(text), schema, list(anchors or []), source, repair=repair)
    return 100.0 if checked.report.parsed_after_repair and checked.report.schema_valid else 0.0


# ---------------------------------------------------------------- Field

_JSON_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _resolve(schema: Any, root: dict) -> dict:
    """Follow local `$ref`s and unwrap `anyOf: [X, null]` (pydantic's Optional) to X."""
    if not isinstance(schema, dict):
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return _resolve(target, root)
    branches = [s for s in schema.get("anyOf", []) if not (isinstance(s, dict) and s.get("type") == "null")]
    if len(branches) == 1 and "anyOf" in schema:
        return _resolve(branches[0], root)
    return schema


def _type_ok(value: Any, schema: Any, root: dict) -> bool:
    """Does `value` have the type (and enum/const value) the schema declares at this field? Nested fields are not inspected."""
    if not isinstance(schema, dict):
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _type_ok(value, _resolve(schema, root), root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return any(_type_ok(value, s, root) for s in schema[key])
    if "allOf" in schema and not all(_type_ok(value, s, root) for s in schema["allOf"]):
        return False
    if "const" in schema and value != schema["const"]:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    declared = schema.get("type")
    if declared is None:
        return True
    kinds = declared if isinstance(declared, list) else [declared]
    return any(_JSON_TYPES.get(k, lambda v: True)(value) for k in kinds)


FieldPath = tuple[str | None, ...]
"""A generalised JSON path: keys, with None standing for "every item of this list"."""


def field_paths(ref: Any, schema: dict) -> dict[FieldPath, dict]:
    """The task's fields the reference fills, at every depth, with list indices generalised.

    Maps each path to its sub-schema (empty when the schema does not declare the key)."""
    paths: dict[FieldPath, dict] = {}

    def walk(node: Any, sub: Any, path: FieldPath) -> None:
        sub = _resolve(sub, schema)
        if isinstance(node, dict):
            props = sub.get("properties", {})
            for key, value in node.items():
                child = props.get(key, {})
                paths.setdefault((*path, key), child)
                walk(value, child, (*path, key))
        elif isinstance(node, list):
            items = sub.get("items", {})
            for item in node:
                walk(item, items, (*path, None))

    walk(ref, schema, ())
    return paths


def _values(node: Any, path: FieldPath) -> list[Any]:
    """Every value at `path` (None expands list items); objects without the key contribute nothing."""
    found = [node]
    for part in path:
        nxt: list[Any] = []
        for value in found:
            if part is None:
                nxt.extend(value if isinstance(value, list) else [])
            elif isinstance(value, dict) and part in value:
                nxt.append(value[part])
        found = nxt
    return found


def field_score(pred: Any, ref: Any, schema: dict) -> float:
    """Field: schema completeness and type correctness, 0-100.

    For every field path P the reference fills (list indices generalised, e.g. `steps[].action.x`),
    coverage(P) = min(1, n_pred(P) / n_ref(P)), where n_ref counts the values at P in the reference
    and n_pred the values at P in the prediction whose type (and enum) matches the schema there.
    Field = 100 * mean coverage. Counting, not pairing, keeps it blind to order and timing.
    """
    paths = field_paths(ref, schema)
    if not paths:
        return 100.0
    if pred is None:
        return 0.0
    total = 0.0
    for path, sub in paths.items():
        expected = len(_values(ref, path))
        good = sum(_type_ok(v, sub, schema) for v in _values(pred, path))
        total += min(1.0, good / expected)
    return 100.0 * total / len(paths)


# ---------------------------------------------------------------- Semantic


def _is_text(value: Any, key: str | None) -> bool:
    return isinstance(value, str) and key not in NON_TEXT_KEYS and bool(value.strip()) and not _REFERENCE_LIKE.search(value.strip())


def text_leaves(node: Any, key: str | None = None) -> list[str]:
    """The language a value carries: string leaves outside reference-like fields (files, anchor ids)."""
    if key in NON_TEXT_KEYS:
        return []
    if isinstance(node, str):
        return [node] if _is_text(node, key) else []
    if isinstance(node, dict):
        return [t for k, v in node.items() for t in text_leaves(v, k)]
    if isinstance(node, list):
        return [t for v in node for t in text_leaves(v, key)]
    return []


class _Semantic:
    def __init__(self, similarity: TextSimilarity):
        self.sim = similarity

    def compare(self, pred: Any, ref: Any, key: str | None = None) -> tuple[float, int]:
        """(sum of similarities, number of reference text leaves compared) for ref against pred."""
        if key in NON_TEXT_KEYS:
            return 0.0, 0
        if pred == ref:
            n = len(text_leaves(ref, key))
            return float(n), n
        if isinstance(ref, str):
            if _is_text(ref, key) and isinstance(pred, str):
                return self.sim(pred, ref), 1
            return 0.0, 0
        if isinstance(ref, dict):
            if not isinstance(pred, dict):
                return 0.0, 0
            total, count = 0.0, 0
            for k, v in ref.items():
                if k in pred:
                    s, n = self.compare(pred[k], v, k)
                    total, count = total + s, count + n
            return total, count
        if isinstance(ref, list) and isinstance(pred, list):
            return self._compare_items(pred, ref, key)
        return 0.0, 0

    def pair_items(self, preds: list, refs: list, key: str | None = None) -> tuple[list[tuple[int, int, float]], dict]:
        """Items with text paired one-to-one by content: (pred index, ref index, score) and each pair's (sum, count)."""
        pair = {(i, j): self.compare(p, r, key) for i, p in enumerate(preds) for j, r in enumerate(refs)}
        sizes = [len(text_leaves(r, key)) for r in refs]
        span = max(len(preds), len(refs))
        matrix = [
            [pair[i, j][0] / max(pair[i, j][1], sizes[j]) + TIE_BREAK * (1 - abs(i - j) / span) for j in range(len(refs))]
            for i in range(len(preds))
        ]
        return assign(matrix), pair

    def _compare_items(self, pred: list, ref: list, key: str | None) -> tuple[float, int]:
        """Pair items one-to-one by content; unpaired items on either side count as 0 similarity."""
        refs = [r for r in ref if text_leaves(r, key)]
        preds = [p for p in pred if text_leaves(p, key)]
        if not refs:
            return 0.0, sum(len(text_leaves(p, key)) for p in preds)
        matched, pair = self.pair_items(preds, refs, key)
        total = sum(pair[i, j][0] for i, j, _ in matched)
        count = sum(pair[i, j][1] for i, j, _ in matched)
        used_p, used_r = {i for i, _, _ in matched}, {j for _, j, _ in matched}
        count += sum(len(text_leaves(r, key)) for j, r in enumerate(refs) if j not in used_r)
        count += sum(len(text_leaves(p, key)) for i, p in enumerate(preds) if i not in used_p)
        return total, count


def text_pairs(preds: list, refs: list, *, similarity: TextSimilarity | None = None) -> list[tuple[int, int, float]]:
    """(pred index, ref index, mean text similarity): how Semantic pairs the items of two lists that carry text."""
    sim = similarity or default_similarity()
    keep_p = [i for i, p in enumerate(preds) if text_leaves(p)]
    keep_r = [j for j, r in enumerate(refs) if text_leaves(r)]
    if not keep_p or not keep_r:
        return []
    sim.prime([t for i in keep_p for t in text_leaves(preds[i])] + [t for j in keep_r for t in text_leaves(refs[j])])
    matched, pair = _Semantic(sim).pair_items([preds[i] for i in keep_p], [refs[j] for j in keep_r])
    return [(keep_p[i], keep_r[j], pair[i, j][0] / max(pair[i, j][1], 1)) for i, j, _ in matched]


def semantic_score(pred: Any, ref: Any, *, similarity: TextSimilarity | None = None) -> float:
    """Semantic: embedding similarity of text fields matched by JSON path, 0-100.

    Dict fields are matched by key; list items are paired one-to-one by content (maximum total
    similarity), so order and timing do not matter here. Semantic = 100 * sum(similarity of paired
    texts) / (texts compared + texts in unpaired items on either side). 100 when the reference has no text.
    """
    if not text_leaves(ref):
        return 100.0
    if pred is None:
        return 0.0
    sim = similarity or default_similarity()
    if pred != ref:
        sim.prime(text_leaves(pred) + text_leaves(ref))
    total, count = _Semantic(sim).compare(pred, ref)
    return 100.0 * total / count if count else 0.0


# ---------------------------------------------------------------- Sequence


def action_type(item: Any) -> str | None:
    """The action kind of a GUI step: `action.type`, a plain `action` string, or `action_type`."""
    if not isinstance(item, dict):
        return None
    action = item.get("action")
    if isinstance(action, dict):
        kind = action.get("type", action.get("action_type"))
        return kind if isinstance(kind, str) else None
    if isinstance(action, str):
        return action
    kind = item.get("action_type")
    return kind if isinstance(kind, str) else None


def point_of(item: Any) -> tuple[float, float] | None:
    """`x`/`y`, `point: [x, y]`, at the item or inside its `action`."""
    if not isinstance(item, dict):
        return None
    for holder in (item, item.get("action")):
        found = fields.point_in(holder)
        if found is not None:
            return found
    return None


def box_of(item: Any) -> list[float] | None:
    """`bbox`/`region` of the item, or of one of its object-valued fields (e.g. a target element)."""
    if not isinstance(item, dict):
        return None
    holders = [item] + [v for k, v in item.items() if isinstance(v, dict) and k != "action"]
    for holder in holders:
        found = fields.box_in(holder)
        if found is not None:
            return found
    return None


def point_hit(pred_item: Any, ref_item: Any, radius: float) -> float:
    """1 when the predicted point lies inside the reference target box or within `radius` px of the reference point."""
    p = point_of(pred_item)
    if p is None:
        return 0.0
    box = box_of(ref_item)
    if box is not None and box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]:
        return 1.0
    r = point_of(ref_item)
    return float(r is not None and math.hypot(p[0] - r[0], p[1] - r[1]) <= radius)


def is_timed(refs: Sequence[dict]) -> bool:
    """Sequence pairs a list by time when every reference item states a time."""
    return all(span_of(r) is not None for r in refs)


def is_steps(refs: Sequence[dict]) -> bool:
    """A list is GUI steps (paired by index, scored by action type and point hit) when most items have an action."""
    return 2 * sum(action_type(r) is not None for r in refs) > len(refs)


def time_pairs(preds: Sequence[dict], refs: Sequence[dict]) -> list[tuple[int, int, float]]:
    """(pred index, ref index, temporal IoU): the one-to-one pairing Sequence scores a timed list by."""
    matrix = [[temporal_iou(span_of(p), span_of(r)) if span_of(p) else 0.0 for r in refs] for p in preds]
    return assign(matrix)


class _Sequence:
    def __init__(self, radius: float):
        self.radius = radius
        self.parts: list[float] = []

    def visit(self, pred: Any, ref: Any, *, time_done: bool = False) -> None:
        if isinstance(ref, dict):
            self._object(pred if isinstance(pred, dict) else {}, ref, time_done)
        elif isinstance(ref, list) and any(isinstance(r, dict) for r in ref):
            self._items([p for p in pred if isinstance(p, dict)] if isinstance(pred, list) else [], [r for r in ref if isinstance(r, dict)])
        elif ref == [] and isinstance(pred, list) and any(isinstance(p, dict) for p in pred):
            self.parts.append(0.0)

    def _object(self, pred: dict, ref: dict, time_done: bool) -> None:
        span = span_of(ref)
        if span is not None and not time_done:
            other = span_of(pred)
            self.parts.append(temporal_iou(other, span) if other else 0.0)
        if point_of(ref) is not None:
            self.parts.append(point_hit(pred, ref, self.radius))
        elif isinstance(ref.get(fields.BOXES[0], ref.get(fields.BOXES[1])), list) and box_of(ref) is not None:
            other = box_of(pred)
            self.parts.append(box_iou(other, box_of(ref)) if other else 0.0)
        for key, value in ref.items():
            if key in pred and key != "action" and isinstance(value, dict | list):
                self.visit(pred[key], value)

    def _items(self, preds: list[dict], refs: list[dict]) -> None:
        timed = is_timed(refs)
        steps = is_steps(refs)
        if timed:
            matched = time_pairs(preds, refs)
            self.parts.append(sum(s for _, _, s in matched) / max(len(preds), len(refs)))
            self.parts.append(order_agreement([(i, j) for i, j, _ in matched]))
            if not steps:
                for i, j, _ in matched:
                    self.visit(preds[i], refs[j], time_done=True)
        if steps:
            self.parts.append(edit_similarity([action_type(p) for p in preds], [action_type(r) for r in refs]))
            targets = [j for j, r in enumerate(refs) if point_of(r) is not None or box_of(r) is not None]
            if targets:
                self.parts.append(sum(point_hit(preds[j], refs[j], self.radius) if j < len(preds) else 0.0 for j in targets) / len(targets))
        if not timed and not steps:
            self.parts.append(min(len(preds), len(refs)) / max(len(preds), len(refs)))
            for p, r in zip(preds, refs):
                self.visit(p, r)


def sequence_score(pred: Any, ref: Any, *, screen: Sequence[float] | None = None) -> float:
    """Sequence: ordering and temporal/spatial structure, 0-100 (the mean of the parts below).

    - timed lists (items with start_s/end_s, clip/span, or a time point): items paired by temporal IoU;
      part 1 = sum of paired IoU / max(#pred, #ref); part 2 = order agreement of the pairs.
    - GUI step lists (items with an action type): part 1 = 1 - normalised edit distance of the action-type
      sequences; part 2 = fraction of reference steps whose same-index predicted point lies inside the
      target element box or within 5% of the screen diagonal of the reference point.
    - a single object with a point (hit as above), a box (IoU) or a span (IoU); other lists of objects:
      count agreement min/max, then items compared by position.
    100 when the reference states nothing sequential or spatial.
    """
    w, h = screen or fields.screen_of(ref) or FALLBACK_SCREEN
    walker = _Sequence(HIT_RADIUS * math.hypot(w, h))
    walker.visit(pred, ref)
    if not walker.parts:
        return 100.0
    return 100.0 * sum(walker.parts) / len(walker.parts)


# ---------------------------------------------------------------- all together


class Scores(BaseModel):
    """One prediction scored against its reference."""

    field: float = Field(description="Schema completeness and type correctness, 0-100.")
    semantic: float = Field(description="Embedding similarity of text fields, 0-100.")
    sequence: float = Field(description="Ordering and temporal/spatial structure, 0-100.")

    @property
    def overall(self) -> float:
        return (self.field + self.semantic + self.sequence) / 3


def score_record(pred: Any, ref: Any, schema: dict, *, screen: Sequence[float] | None = None, similarity: TextSimilarity | None = None) -> Scores:
    """Field, Semantic and Sequence for one prediction (None for an output that never parsed: all zero)."""
    if pred is None:
        return Scores(field=0.0, semantic=0.0, sequence=0.0)
    return Scores(
        field=field_score(pred, ref, schema),
        semantic=semantic_score(pred, ref, similarity=similarity),
        sequence=sequence_score(pred, ref, screen=screen),
    )


def score_records(
    preds: Sequence[Any],
    refs: Sequence[Any],
    schemas: Sequence[dict],
    *,
    screens: Sequence[Sequence[float] | None] | None = None,
    similarity: TextSimilarity | None = None,
) -> list[Scores]:
    """`score_record` over many pairs, encoding every distinct text of all of them in one batch first
    (what GRPO groups and checkpoint evaluations want: one encode call instead of one per record)."""
    sim = similarity or default_similarity()
    sim.prime([t for p, r in zip(preds, refs) if p is not None and p != r for t in text_leaves(p) + text_leaves(r)])
    screens = screens if screens is not None else [None] * len(preds)
    return [score_record(p, r, s, screen=sc, similarity=sim) for p, r, s, sc in zip(preds, refs, schemas, screens, strict=True)]
