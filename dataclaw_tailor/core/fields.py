"""The record-field conventions: the field names that state evidence, time, place and files in a record.

Tasks shape their records freely, custom ones too, but a field named by one of these conventions means
the same everywhere: grounding checks it (`core.grounding`), repair fixes it (`core.validate`), schema
specialisation bounds it (`model.schema`), metrics pair items by it (`evals.metrics`, `evals.matching`),
the custom task fills it from anchors (`experts.custom`) and export finds images and clips through it.
A new convention is added here once, and every one of them follows.

Values are JSON values: numbers are finite ints or floats (never booleans), spans and points are
two-number lists, boxes four-number lists `[x1, y1, x2, y2]` in pixels of the source frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

ANCHOR_IDS = "anchor_ids"
"""The ids of the extracted anchors an object is grounded in; objects without it inherit their parent's."""

START = "start_s"
END = "end_s"
"""A span stated as two fields, seconds from the start of the source."""
INSTANTS = ("t", "time_s", "timestamp_s")
"""A single moment, seconds from the start of the source."""
TIME_POINTS = (START, END, *INSTANTS)
"""Every field that holds one time in seconds."""
CLIP = "clip"
SPAN = "span"
TIME_SPANS = (CLIP, SPAN)
"""A span stated as one `[start, end]` field, in seconds."""

X = "x"
Y = "y"
"""A pixel point stated as two fields."""
X_FIELDS = (X, "to_x")
Y_FIELDS = (Y, "to_y")
"""Pixel coordinates on the source's screen, a drag's end point included."""
POINT = "point"
"""A pixel point stated as one `[x, y]` field."""
BOXES = ("bbox", "region")
"""A pixel box `[x1, y1, x2, y2]`."""

STEP_LISTS = ("steps",)
"""Lists with one item per recorded event of the source, so events seen cap their size. (Grounding `pairs`
also come from labelled elements, so they are not capped.)"""

IMAGE_FIELDS = ("screenshot", "image", "first_frame", "before", "after")
"""Fields naming one image file (relative to the source or absolute)."""
REFERENCE_FIELDS = frozenset({ANCHOR_IDS, *IMAGE_FIELDS, "images", "path", "id"})
"""String fields that refer to files or ids rather than say something in language."""

SCREEN_SIZE_FIELDS = (("screen_width", "screen_height"), ("width", "height"))
"""Pairs of fields a record states its screen size in, checked in this order."""
SCREEN_FIELDS = ("screen", "screen_size")
"""A screen size as one field: `{width, height}` or `[width, height]`."""

POINT_HALF_WIDTH_S = 0.5
"""A time point `t` spans the 1-second window [t - 0.5, t + 0.5] where an item's extent is needed."""


def number(value: Any) -> float | None:
    """`value` as a float when it is a finite JSON number (booleans are not numbers), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def pair(value: Any) -> tuple[float, float] | None:
    """A two-number list (a span or a point) as a tuple, as written (not reordered), else None."""
    if isinstance(value, list | tuple) and len(value) == 2:
        a, b = number(value[0]), number(value[1])
        if a is not None and b is not None:
            return a, b
    return None


def box(value: Any) -> list[float] | None:
    """A four-number list `[x1, y1, x2, y2]` as floats, as written (not reordered), else None."""
    if isinstance(value, list) and len(value) == 4 and all(number(v) is not None for v in value):
        return [float(v) for v in value]
    return None


def is_time_field(name: str) -> bool:
    """Does a field of this name hold seconds (a time point or a `[start, end]` span)?

    >>> is_time_field("start_s"), is_time_field("clip"), is_time_field("x")
    (True, True, False)
    """
    return name in TIME_POINTS or name in TIME_SPANS


def point_in(obj: Any) -> tuple[float, float] | None:
    """The point an object states: `x`/`y`, else `point: [x, y]`."""
    if not isinstance(obj, dict):
        return None
    x, y = number(obj.get(X)), number(obj.get(Y))
    if x is not None and y is not None:
        return x, y
    if isinstance(obj.get(POINT), list):
        return pair(obj[POINT])
    return None


def box_in(obj: Any) -> list[float] | None:
    """The box an object states in its first box field (`bbox`, else `region`)."""
    if not isinstance(obj, dict):
        return None
    for key in BOXES:
        found = box(obj.get(key))
        if found is not None:
            return found
    return None


def span_of(item: Any) -> tuple[float, float] | None:
    """The time extent an item states, ordered: `start_s`/`end_s`, a `clip`/`span` pair, or a point widened to 1 s.

    >>> span_of({"start_s": 3, "end_s": 1}), span_of({"clip": [0, 2]}), span_of({"t": 4.0})
    ((1.0, 3.0), (0.0, 2.0), (3.5, 4.5))
    """
    if not isinstance(item, dict):
        return None
    s, e = number(item.get(START)), number(item.get(END))
    if s is not None and e is not None:
        return (min(s, e), max(s, e))
    for key in TIME_SPANS:
        found = pair(item.get(key))
        if found is not None:
            return (min(found), max(found))
    for key in INSTANTS:
        t = number(item.get(key))
        if t is not None:
            return (t - POINT_HALF_WIDTH_S, t + POINT_HALF_WIDTH_S)
    return None


def screen_of(record: Any) -> tuple[float, float] | None:
    """The screen size a record states: `screen_width`/`screen_height`, `width`/`height`, or `screen`/`screen_size`."""
    if not isinstance(record, dict):
        return None
    for wk, hk in SCREEN_SIZE_FIELDS:
        w, h = number(record.get(wk)), number(record.get(hk))
        if w and h:
            return w, h
    for key in SCREEN_FIELDS:
        value = record.get(key)
        if isinstance(value, dict):
            w, h = number(value.get("width")), number(value.get("height"))
            if w and h:
                return w, h
        if isinstance(value, list) and len(value) == 2 and all(number(v) for v in value):
            return float(value[0]), float(value[1])
    return None


def objects_in(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in `node` (a record or a JSON Schema), parents before their children.

    A caller may edit the object it was just given: its values are read only when the walk resumes,
    so a deleted key's subtree is skipped and added scalars are harmless.
    """
    if isinstance(node, dict):
        yield node
        for value in list(node.values()):
            yield from objects_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects_in(value)
