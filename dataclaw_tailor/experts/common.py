"""Field types, prompt rules and anchor helpers shared by every expert.

Schemas stay inside the JSON Schema subset that xgrammar and OpenAI structured outputs both compile:
objects with `additionalProperties: false`, enums for closed vocabularies, `anyOf` with null for
optional values, `minItems`/`maxItems` for fixed-length pairs. Free text carries a pattern that
forbids raw control characters, which weak constrained decoders otherwise emit inside strings.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ..core import Anchor, AnchorContent, SourceKind, TailorContext, TaskSpec

NO_CONTROL = r"^[^\x00-\x1f]*$"

Text = Annotated[str, Field(pattern=NO_CONTROL)]
AnchorIds = Annotated[
    list[str], Field(description="Ids of the extracted anchors this item is grounded in, e.g. ['shot:3', 'ocr:12'].")
]
Seconds = Annotated[float, Field(ge=0, description="Seconds from the start of the source.")]
Span = Annotated[list[float], Field(min_length=2, max_length=2, description="[start, end] in seconds from the start of the source.")]
Box = Annotated[list[float], Field(min_length=4, max_length=4, description="[x1, y1, x2, y2] in pixels of the source frame.")]


class Strict(BaseModel):
    """Base for every record part: unknown keys are schema errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid")


COMMON_RULES = """\
Rules:
- Reply with one JSON object that matches the JSON Schema exactly; no prose, no code fences.
- Use only facts present in the anchors or the attached images; never invent objects, text or actions you cannot see.
- Every item that states a time, a place or an observed fact lists the ids of its supporting anchors in `anchor_ids`.
- Times are seconds from the start of the source and stay inside [0, duration]; spans start before they end and
  lie close to the anchors they cite. Coordinates are pixels of the source frame and stay on screen.
- Keep lists in temporal order and within the requested number of items."""


def prompt(task: str, body: str) -> str:
    """A task prompt: what to produce for this task, followed by the rules every task shares."""
    return f"Task `{task}`.\n{body.strip()}\n\n{COMMON_RULES}"


QA_DEFAULT_ITEMS = 40
"""QA pairs a rules record holds when the intent sets no budget: one per OCR line of a long video is too many."""

QA_KEYWORDS = ("qa", "vqa", "question", "questions and answers", "answer", "spatio temporal", "reasoning")
"""Routing phrases shared by every question-answering task; the domain keywords tell them apart."""

T = TypeVar("T")


def limit(items: Sequence[T], ctx: TailorContext, default: int | None = None, *, spread: bool = True) -> list[T]:
    """Keep at most `intent.max_items` (or `default`) items.

    By default the kept items are spread evenly over the list, which keeps coverage of the whole
    source when the budget is small; `spread=False` keeps a prefix (for sequences such as
    trajectories, where a gap would break the chain of actions).
    """
    cap = ctx.intent.max_items or default
    if cap is None or len(items) <= cap:
        return list(items)
    if not spread:
        return list(items[:cap])
    if cap == 1:
        return [items[0]]
    step = (len(items) - 1) / (cap - 1)
    return [items[round(i * step)] for i in range(cap)]


def duration(ctx: TailorContext) -> float:
    """The source duration, or the latest anchor time when the source did not report one."""
    if ctx.source.duration_s is not None:
        return ctx.source.duration_s
    ends = [a.end for a in ctx.anchors if a.end is not None]
    return max(ends, default=0.0)


def r3(value: float) -> float:
    return round(float(value), 3)


def fmt_span(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return "the whole source"
    if start == end:
        return f"{start:.1f} s"
    return f"{start:.1f}-{end:.1f} s"


def index_of(anchor: Anchor) -> int:
    """The numeric part of a '<kind>:<index>' id (0 when it has none)."""
    tail = anchor.id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def text_of(anchor: Anchor) -> str:
    """The text of a text anchor (a subtitle cue, an OCR line); '' for an anchor without text content."""
    return anchor.c if isinstance(anchor.c, str) else anchor.c.said if isinstance(anchor.c, AnchorContent) else ""


def image_of(anchor: Anchor | None) -> str | None:
    """The image file an anchor shows (a keyframe's or frame's path, a GUI event's screenshot), if any."""
    return anchor.c.image if anchor is not None and isinstance(anchor.c, AnchorContent) else None


def sorted_by_time(anchors: Iterable[Anchor]) -> list[Anchor]:
    return sorted(anchors, key=lambda a: (a.start if a.start is not None else -1.0, index_of(a)))


class TimeIndex:
    """Timed anchors sorted by start, for overlap queries in O(log n + hits).

    A long video has thousands of OCR and keyframe anchors; scanning them once per shot would make
    the rules backend quadratic in the length of the video.
    """

    def __init__(self, anchors: Iterable[Anchor], *kinds: str):
        self.anchors = sorted_by_time(a for a in anchors if a.start is not None and (not kinds or a.kind in kinds))
        self.starts = [a.start for a in self.anchors]
        self.longest = max((a.end - a.start for a in self.anchors), default=0.0)

    def overlapping(self, start: float, end: float) -> list[Anchor]:
        """Anchors whose time overlaps [start, end] (points inside it), in temporal order."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_right(self.starts, end)
        return [a for a in self.anchors[lo:hi] if a.end >= start]


def clean(text: str, max_len: int = 200) -> str:
    """One line of text, control characters removed, cut at a word boundary."""
    text = re.sub(r"[\x00-\x1f]+", " ", text).strip()
    text = re.sub(r"\s{2,}", " ", text)
    if len(text) <= max_len:
        return text
    cut = text[:max_len].rsplit(" ", 1)[0]
    return cut + "..."


def unique(texts: Iterable[str]) -> list[str]:
    """Cleaned, non-empty texts without case-insensitive repeats, in first-seen order."""
    out: list[str] = []
    seen: set[str] = set()
    for text in texts:
        text = clean(text)
        if text and text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
    return out


def quote_list(texts: Sequence[str], max_n: int = 3) -> str:
    shown = [f"'{t}'" for t in texts[:max_n]]
    more = f" and {len(texts) - max_n} more" if len(texts) > max_n else ""
    return ", ".join(shown) + more


def where_in_frame(point: Sequence[float], width: float, height: float) -> str:
    """'upper left', 'center', ... for a point, from thirds of the frame."""
    col = ("left", "center", "right")[min(int(3 * point[0] / max(width, 1)), 2)]
    row = ("upper", "middle", "lower")[min(int(3 * point[1] / max(height, 1)), 2)]
    if row == "middle" and col == "center":
        return "center"
    return f"{row} {col}" if row != "middle" else f"middle {col}"


def box_center(p: Sequence[float]) -> tuple[float, float]:
    if len(p) == 4:
        return (p[0] + p[2]) / 2, (p[1] + p[3]) / 2
    return float(p[0]), float(p[1])


@dataclass(frozen=True)
class Expert:
    """A domain expert: its tasks plus the routing hints that pick it.

    `keywords` are phrases that point at the domain as a whole; each task's own `keywords` point at it
    inside the domain. Both are matched as whole words (an optional plural 's' allowed) by `routing`.
    """

    domain: str
    description: str
    keywords: tuple[str, ...]
    tasks: tuple[TaskSpec, ...]

    @property
    def source_kinds(self) -> frozenset[SourceKind]:
        return frozenset(k for t in self.tasks for k in t.source_kinds)

    @property
    def extractors(self) -> tuple[str, ...]:
        """Anchor kinds any of the expert's tasks reads (what `tools.extract(source, kinds=...)` should run)."""
        return tuple(dict.fromkeys(e for t in self.tasks for e in t.extractors))
