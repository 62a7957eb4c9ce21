"""The one grounding checker: shared by graph validation, GRPO's anchor reward and eval metrics.

A record is grounded when what it states about time, place and evidence agrees with the source and
its anchors. The checks read the field-name conventions of `core.fields`, so they apply to every task,
custom ones too:

- `anchor_ids`: every id must exist among the extracted anchors.
- time points `start_s`, `end_s`, `t`, `time_s`, `timestamp_s` and spans `clip`, `span` ([s, e]):
  inside [0, duration], start <= end; a span whose item cites timed anchors must lie near them
  (edges within `time_tolerance` of the cited anchors' extent).
- positions `x`/`y`, `point` ([x, y]) and `bbox`/`region` ([x1, y1, x2, y2]): on screen; a point in an
  item that cites positioned anchors must lie within `radius` (a fraction of the screen diagonal)
  of one of them or inside one of their boxes.
- an object without its own `anchor_ids` is judged against the anchors its nearest enclosing object
  cites (a GUI step cites its event; the step's `action` carries the x/y).
- lists whose items carry `start_s` must be in temporal order.

Each check is a `Claim`; a record's grounding score is the fraction of claims that hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import fields
from .anchor import Anchor, by_id
from .report import Problem
from .source import Source


@dataclass(frozen=True)
class Tolerance:
    time_s: float = 1.0
    """Seconds a clip edge may sit outside the cited anchors' extent (also added to the duration)."""
    radius: float = 0.05
    """Fraction of the screen diagonal a point may sit from a cited anchor position."""


@dataclass(frozen=True)
class Claim:
    path: str
    code: str
    ok: bool
    message: str = ""


class _Walker:
    def __init__(self, anchors: list[Anchor], source: Source | None, tol: Tolerance):
        self.anchors = by_id(anchors)
        self.duration = source.duration_s if source else None
        self.screen = source.screen if source else None
        self.tol = tol
        self.claims: list[Claim] = []

    def add(self, path: str, code: str, ok: bool, message: str = "") -> None:
        self.claims.append(Claim(path, code, ok, message))

    def walk(self, node: Any, path: str, inherited: list[Anchor] | None = None) -> None:
        if isinstance(node, dict):
            cited = self._cited(node, inherited or [])
            self._check_object(node, path, cited)
            for key, value in node.items():
                self.walk(value, f"{path}.{key}", cited)
        elif isinstance(node, list):
            self._check_order(node, path)
            for i, value in enumerate(node):
                self.walk(value, f"{path}[{i}]", inherited)

    def _cited(self, obj: dict, inherited: list[Anchor]) -> list[Anchor]:
        ids = obj.get(fields.ANCHOR_IDS)
        if not isinstance(ids, list):
            return inherited
        return [self.anchors[i] for i in ids if isinstance(i, str) and i in self.anchors]

    def _check_object(self, obj: dict, path: str, cited: list[Anchor]) -> None:
        ids = obj.get(fields.ANCHOR_IDS)
        if isinstance(ids, list):
            for i, aid in enumerate(ids):
                ok = isinstance(aid, str) and aid in self.anchors
                self.add(f"{path}.{fields.ANCHOR_IDS}[{i}]", "unknown_anchor", ok, "" if ok else f"anchor id {aid!r} was not extracted from the source")
        for key in fields.TIME_POINTS:
            t = fields.number(obj.get(key))
            if t is not None:
                self._check_time(t, f"{path}.{key}")
        start, end = fields.number(obj.get(fields.START)), fields.number(obj.get(fields.END))
        if start is not None and end is not None:
            self.add(f"{path}.{fields.END}", "time_order", start <= end, "" if start <= end else f"{fields.END} {end} is before {fields.START} {start}")
            self._check_near_anchors((start, end), cited, path)
        for key in fields.TIME_SPANS:
            span = fields.pair(obj.get(key))
            if span is not None:
                self._check_time(span[0], f"{path}.{key}[0]")
                self._check_time(span[1], f"{path}.{key}[1]")
                self.add(f"{path}.{key}", "time_order", span[0] <= span[1], "" if span[0] <= span[1] else f"span {list(span)} ends before it starts")
                self._check_near_anchors(span, cited, f"{path}.{key}")
        x, y = fields.number(obj.get(fields.X)), fields.number(obj.get(fields.Y))
        if x is not None and y is not None:
            self._check_point((x, y), f"{path}", cited)
        point = obj.get(fields.POINT)
        if isinstance(point, list) and (xy := fields.pair(point)) is not None:
            self._check_point(xy, f"{path}.{fields.POINT}", cited)
        for key in fields.BOXES:
            box = fields.box(obj.get(key))
            if box is not None:
                self._check_box(box, f"{path}.{key}")

    def _check_time(self, t: float, path: str) -> None:
        limit = None if self.duration is None else self.duration + self.tol.time_s * 0.1
        ok = t >= 0 and (limit is None or t <= limit)
        where = f"[0, {self.duration:.3f}]" if self.duration is not None else "[0, inf)"
        self.add(path, "time_range", ok, "" if ok else f"time {t} is outside the source {where} s")

    def _check_near_anchors(self, span: tuple[float, float], cited: list[Anchor], path: str) -> None:
        timed = [a for a in cited if a.t is not None]
        if not timed:
            return
        lo = min(a.start for a in timed) - self.tol.time_s
        hi = max(a.end for a in timed) + self.tol.time_s
        ok = span[0] >= lo and span[1] <= hi
        self.add(path, "far_from_anchor", ok, "" if ok else f"span {list(span)} is not near its cited anchors' extent [{lo + self.tol.time_s:.2f}, {hi - self.tol.time_s:.2f}] s")

    def _check_point(self, pt: tuple[float, float], path: str, cited: list[Anchor]) -> None:
        if self.screen is not None:
            w, h = self.screen
            ok = 0 <= pt[0] <= w and 0 <= pt[1] <= h
            self.add(path, "off_screen", ok, "" if ok else f"point {list(pt)} is outside the {w}x{h} screen")
        placed = [a for a in cited if a.p is not None and len(a.p) in (2, 4)]
        if not placed or self.screen is None:
            return
        radius = self.tol.radius * math.hypot(*self.screen)
        ok = any(_near(pt, a.p, radius) for a in placed)
        self.add(path, "far_from_anchor", ok, "" if ok else f"point {list(pt)} is not within {radius:.0f} px of its cited anchors")

    def _check_box(self, box: list[float], path: str) -> None:
        ok_order = box[0] <= box[2] and box[1] <= box[3]
        self.add(path, "box_order", ok_order, "" if ok_order else f"box {box} has x2 < x1 or y2 < y1")
        if self.screen is not None:
            w, h = self.screen
            ok = min(box) >= 0 and box[2] <= w and box[3] <= h
            self.add(path, "off_screen", ok, "" if ok else f"box {box} is outside the {w}x{h} frame")

    def _check_order(self, items: list, path: str) -> None:
        starts = [fields.number(i.get(fields.START)) for i in items if isinstance(i, dict)]
        starts = [s for s in starts if s is not None]
        if len(starts) >= 2:
            ok = all(a <= b for a, b in zip(starts, starts[1:]))
            self.add(path, "order", ok, "" if ok else f"items are not in temporal order of {fields.START}")


def _near(pt: tuple[float, float], p: list[float], radius: float) -> bool:
    if len(p) == 4:
        x1, y1, x2, y2 = p
        dx = max(x1 - pt[0], 0, pt[0] - x2)
        dy = max(y1 - pt[1], 0, pt[1] - y2)
        return math.hypot(dx, dy) <= radius
    return math.hypot(pt[0] - p[0], pt[1] - p[1]) <= radius


def grounding_claims(record: Any, anchors: list[Anchor], source: Source | None, tol: Tolerance = Tolerance()) -> list[Claim]:
    walker = _Walker(anchors, source, tol)
    walker.walk(record, "$")
    return walker.claims


def grounding_problems(record: Any, anchors: list[Anchor], source: Source | None, tol: Tolerance = Tolerance()) -> list[Problem]:
    return [Problem(path=c.path, code=c.code, message=c.message) for c in grounding_claims(record, anchors, source, tol) if not c.ok]


def grounding_score(record: Any, anchors: list[Anchor], source: Source | None, tol: Tolerance = Tolerance()) -> float:
    """Fraction of grounding claims that hold, in [0, 1]; 1.0 for a record that claims nothing checkable.

    >>> grounding_score({"start_s": 1.0, "end_s": 2.0}, [], None)
    1.0
    """
    claims = grounding_claims(record, anchors, source, tol)
    return 1.0 if not claims else sum(c.ok for c in claims) / len(claims)
