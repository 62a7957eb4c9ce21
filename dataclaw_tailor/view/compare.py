"""The record against a reference record, as `claw eval` scores it: each metric and the item pairings behind it.

Scores come from `evals.metrics.score_record`; the pairings from the same functions the metrics pair
with (`time_pairs` for timed lists, the step index for GUI steps, `text_pairs` for Semantic), so what
the page shows is what was scored. Needs the `eval` extra (scipy for pairing, MiniLM for Semantic).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..core import InputError
from ..core.fields import screen_of
from ..core.validate import json_path
from ..tools.files import read_json
from .build import item_label
from .model import Comparison, MetricRow, Page, PairNote


def load_reference(path: str | Path) -> Any:
    """A reference record: a bare record, an envelope (its `record`) or a benchmark case (its `reference`)."""
    doc = read_json(path, "reference")
    if isinstance(doc, dict) and isinstance(doc.get("reference"), dict):
        return doc["reference"]
    if isinstance(doc, dict) and "record" in doc and "anchors" in doc:
        return doc["record"]
    if not isinstance(doc, dict):
        raise InputError(path, f"a reference record is a JSON object, not {type(doc).__name__}")
    return doc


def _schema(page: Page, envelope: dict[str, Any]) -> dict[str, Any]:
    from ..experts.registry import get_task

    intent = envelope.get("intent") if isinstance(envelope.get("intent"), dict) else {}
    custom = intent.get("schema") if isinstance(intent.get("schema"), dict) else None
    return get_task(page.task or "custom").json_schema(custom)


def _item_lists(pred: Any, ref: Any, parts: tuple = ()) -> list[tuple[tuple, list, list]]:
    """(path, predicted list, reference list) for each list of objects the reference has (objects followed by key)."""
    found = []
    if isinstance(ref, dict) and isinstance(pred, dict):
        for key, value in ref.items():
            found += _item_lists(pred.get(key), value, (*parts, key))
    elif isinstance(ref, list) and any(isinstance(r, dict) for r in ref):
        found.append((parts, pred if isinstance(pred, list) else [], ref))
    return found


def compare(page: Page, envelope: dict[str, Any], reference: Any, *, name: str) -> Comparison:
    """Score the page's record against `reference` and note on each item whom it was paired with."""
    from ..evals.embed import require_eval_extra
    from ..evals.metrics import (
        FALLBACK_SCREEN, HIT_RADIUS, is_steps, is_timed, point_hit, score_record, text_pairs, time_pairs,
    )

    require_eval_extra()
    record = envelope.get("record")
    pred = record if isinstance(record, dict) else None
    scores = score_record(pred, reference, _schema(page, envelope), screen=_screen(page))
    metrics = [
        MetricRow(name="Field", score=scores.field, detail="declared fields present with the schema's type (counted, not paired)"),
        MetricRow(name="Semantic", score=scores.semantic, detail="text similarity (MiniLM) of items paired by content"),
        MetricRow(name="Sequence", score=scores.sequence, detail="items paired by time IoU (timed lists) or by step index (GUI steps)"),
        MetricRow(name="Overall", score=scores.overall, detail="mean of the three"),
    ]
    by_path = {item.path: item for item in page.items}
    w, h = _screen(page) or screen_of(reference) or FALLBACK_SCREEN
    radius = HIT_RADIUS * math.hypot(w, h)
    unpaired: list[PairNote] = []
    for parts, preds, refs in _item_lists(pred, reference):
        pred_idx = [i for i, p in enumerate(preds) if isinstance(p, dict)]
        ref_idx = [j for j, r in enumerate(refs) if isinstance(r, dict)]
        p_items, r_items = [preds[i] for i in pred_idx], [refs[j] for j in ref_idx]
        if is_timed(r_items):
            pairings = [("sequence (time IoU)", time_pairs(p_items, r_items))]
        elif is_steps(r_items):
            pairings = [("sequence (step index, point hit)",
                         [(j, j, point_hit(p_items[j], r_items[j], radius)) for j in range(min(len(p_items), len(r_items)))])]
        else:
            pairings = []
        pairings.append(("semantic (text)", text_pairs(p_items, r_items)))
        for metric, pairs in pairings:
            paired_refs = set()
            for i, j, score in pairs:
                paired_refs.add(j)
                item = by_path.get(json_path([*parts, pred_idx[i]]))
                if item is not None:
                    item.pairs.append(PairNote(metric=metric, ref_path=json_path([*parts, ref_idx[j]]), score=score,
                                               ref_label=_ref_label(r_items[j])))
            for i in set(range(len(p_items))) - {i for i, _, _ in pairs}:
                item = by_path.get(json_path([*parts, pred_idx[i]]))
                if item is not None:
                    item.pairs.append(PairNote(metric=metric, ref_path=None))
            unpaired += [PairNote(metric=metric, ref_path=json_path([*parts, ref_idx[j]]), ref_label=_ref_label(r_items[j]))
                         for j in range(len(r_items)) if j not in paired_refs]
    return Comparison(reference=name, metrics=metrics, unpaired_reference=unpaired)


def _screen(page: Page) -> tuple[float, float] | None:
    meta = page.source.get("meta") or {}
    w, h = meta.get("width"), meta.get("height")
    return (float(w), float(h)) if isinstance(w, int | float) and isinstance(h, int | float) and w > 0 and h > 0 else None


def _ref_label(item: dict[str, Any]) -> str:
    return item_label(item) or ""
