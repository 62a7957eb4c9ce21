"""Pairing and comparison primitives the metrics share: one-to-one assignment, temporal IoU, order
agreement and edit similarity. (An item's time extent is `core.fields.span_of`.)

Kept apart from `metrics` so each formula in `evals/README.md` maps to one small function here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any



def temporal_iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Intersection over union of two spans; two identical zero-length spans count as a full match."""
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    if union <= 0:
        return 1.0 if a == b else 0.0
    return inter / union


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    if union <= 0:
        return 1.0 if list(a) == list(b) else 0.0
    return inter / union


def assign(scores: list[list[float]]) -> list[tuple[int, int, float]]:
    """Maximum-weight one-to-one pairing of rows (predicted items) and columns (reference items).

    Returns `(row, col, score)` for pairs with a positive score; zero-score pairs are not matches.
    """
    if not scores or not scores[0]:
        return []
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(scores, maximize=True)
    return [(int(r), int(c), scores[r][c]) for r, c in zip(rows, cols) if scores[r][c] > 0]


def order_agreement(pairs: Sequence[tuple[int, int]]) -> float:
    """Fraction of matched pairs whose relative order is the same in prediction and reference (Kendall-style).

    One matched pair agrees with itself (1.0); no matched pair means no agreement (0.0).
    """
    if not pairs:
        return 0.0
    if len(pairs) == 1:
        return 1.0
    agree = total = 0
    for i in range(len(pairs)):
        for j in range(i + 1, len(pairs)):
            (p1, r1), (p2, r2) = pairs[i], pairs[j]
            total += 1
            agree += (p1 - p2) * (r1 - r2) > 0
    return agree / total


def edit_similarity(pred: Sequence[Any], ref: Sequence[Any]) -> float:
    """1 - Levenshtein distance / length of the longer sequence (1.0 for two empty sequences)."""
    n, m = len(pred), len(ref)
    if max(n, m) == 0:
        return 1.0
    row = list(range(m + 1))
    for i in range(1, n + 1):
        prev, row[0] = row[0], i
        for j in range(1, m + 1):
            cur = min(row[j] + 1, row[j - 1] + 1, prev + (pred[i - 1] != ref[j - 1]))
            prev, row[j] = row[j], cur
    return 1.0 - row[m] / max(n, m)
