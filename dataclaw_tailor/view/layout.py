"""Timeline layout shared by the HTML page and the PNG chart: lanes per anchor kind, rows, positions, ticks.

Positions are fractions of the timeline (0-1), so the page scales with the window and zoom, and the
chart with its pixel width. Marks that overlap in a lane go to further rows (up to MAX_ROWS; past that
they share the last row), so no anchor hides another at the same time.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from .model import Page

LANE_ORDER = (
    "shot", "cut", "keyframe", "frame", "motion", "subtitle", "audio", "ocr",
    "gui_event", "gui_element", "screen_change",
    "gripper", "phase", "pause", "hesitation", "regrasp",
    "edit_pair", "edit_region",
)
"""Kinds in reading order: the picture's structure, what is said and written, what the user or robot does."""
MAX_ROWS = 6
MIN_WIDTH = 0.004
"""A point or a very short span still takes this fraction of the timeline, so it can be seen and clicked."""
RECORD_LANE = "record"


class Mark(BaseModel):
    id: str
    left: float = Field(description="Start as a fraction of the timeline.")
    width: float = Field(description="Length as a fraction of the timeline (0 for a point).")
    row: int


class Lane(BaseModel):
    name: str = Field(description="Anchor kind, or 'record' for the record's items.")
    rows: int
    marks: list[Mark]


class Timeline(BaseModel):
    duration: float
    lanes: list[Lane]
    ticks: list[tuple[float, str]] = Field(description="(fraction, label) along the time axis.")
    untimed: list[str] = Field(description="Ids of anchors that carry no time (the task, the robot).")


def lay_out(page: Page) -> Timeline:
    duration = page.duration
    kinds = sorted({a.kind for a in page.anchors if a.start is not None},
                   key=lambda k: (LANE_ORDER.index(k) if k in LANE_ORDER else len(LANE_ORDER), k))
    lanes = [_lane(kind, [(a.id, a.start, a.end) for a in page.anchors if a.kind == kind and a.start is not None], duration)
             for kind in kinds]
    timed_items = [(i.id, i.start, i.end) for i in page.items if i.start is not None]
    if timed_items:
        lanes.append(_lane(RECORD_LANE, timed_items, duration))
    return Timeline(
        duration=duration,
        lanes=lanes,
        ticks=ticks(duration),
        untimed=[a.id for a in page.anchors if a.start is None],
    )


def _lane(name: str, spans: list[tuple[str, float, float]], duration: float) -> Lane:
    row_ends: list[float] = []
    marks = []
    for ident, start, end in sorted(spans, key=lambda s: (s[1], s[2])):
        left = min(1.0, max(0.0, start / duration))
        width = min(1.0 - left, max(0.0, (end - start) / duration))
        reach = left + max(width, MIN_WIDTH)
        row = next((r for r, last in enumerate(row_ends) if last <= left + 1e-9), None)
        if row is None:
            row = len(row_ends) if len(row_ends) < MAX_ROWS else MAX_ROWS - 1
            if row == len(row_ends):
                row_ends.append(reach)
        row_ends[row] = max(row_ends[row], reach)
        marks.append(Mark(id=ident, left=left, width=width, row=row))
    return Lane(name=name, rows=max(1, len(row_ends)), marks=marks)


CLOCK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
"""Tick steps in seconds from one second up: what a clock divides into (a minute, not 100 s)."""


def ticks(duration: float, target: int = 10) -> list[tuple[float, str]]:
    """Round time steps giving at most about `target` ticks: 1/2/5 x 10^k below a second, clock steps above."""
    raw = duration / target
    if raw < 1:
        power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    else:
        step = next((s for s in CLOCK_STEPS if s >= raw), 3600 * math.ceil(raw / 3600))
    count = int(duration / step + 1e-9)
    return [(i * step / duration, clock(i * step, minutes=duration >= 60)) for i in range(count + 1)]


def clock(seconds: float, *, minutes: bool = False) -> str:
    """'7.5 s' under a minute, 'm:ss' above or when `minutes` (what a video player shows)."""
    if seconds < 60 and not minutes:
        return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}" if rest % 1 else f"{int(minutes)}:{int(rest):02d}"
