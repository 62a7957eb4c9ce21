"""Readers over video anchors shared by the daily, education, embodied and aigc experts.

A video's anchors are `shot` spans, `cut` points, `keyframe` images, `ocr` text with boxes,
`subtitle` spans and `motion` states. These helpers turn them into spans with the facts observed
inside each, and into question/answer pairs whose answers are read off the anchors.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field

from ..core import Anchor, TailorContext, of_kind
from ..core.contents import CutContent, KeyframeContent, MotionContent
from .common import (
    TimeIndex, box_center, clean, duration, fmt_span, image_of, quote_list, r3, sorted_by_time, text_of, unique, where_in_frame,
)


@dataclass
class Span:
    """A stretch of the video and the anchors observed in it."""

    start: float
    end: float
    label: str
    anchors: list[Anchor] = dc_field(default_factory=list)

    def texts(self, kind: str) -> list[str]:
        return unique(text_of(a) for a in self.anchors if a.kind == kind)

    def motion(self) -> str | None:
        states = [str(state) for a in self.anchors if a.kind == "motion" and (state := MotionContent.of(a).state)]
        if not states:
            return None
        return "static" if set(states) == {"static"} else ("in motion" if set(states) == {"motion"} else "partly in motion")

    def keyframe(self) -> Anchor | None:
        frames = [a for a in self.anchors if a.kind in ("keyframe", "frame") and image_of(a)]
        return frames[0] if frames else None

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(a.id for a in self.anchors))


def spans(ctx: TailorContext) -> list[Span]:
    """Shots if any, else subtitle spans, else the stretch where anything was observed (the whole
    source when nothing was); each with the anchors inside it."""
    total = duration(ctx)
    shots = sorted_by_time(a for a in of_kind(ctx.anchors, "shot") if a.start is not None)
    if shots:
        base = [(a.start, a.end, f"Shot {i + 1}", a) for i, a in enumerate(shots)]
    else:
        subs = sorted_by_time(a for a in of_kind(ctx.anchors, "subtitle") if a.start is not None)
        base = [(a.start, a.end, f"Segment {i + 1}", a) for i, a in enumerate(subs)]
    index = TimeIndex(ctx.anchors, "ocr", "motion", "keyframe", "subtitle")
    if not base:
        seen = index.overlapping(0.0, total)
        if not seen:
            return [Span(0.0, r3(total), "The whole video")]
        return [Span(r3(min(a.start for a in seen)), r3(max(a.end for a in seen)), "The observed part", seen)]
    out = []
    for start, end, label, own in base:
        inside = [a for a in index.overlapping(start, end) if a.id != own.id and (a.start == a.end or (a.start < end and a.end > start))]
        if own.kind == "shot":
            inside = [a for a in inside if a.kind != "keyframe" or KeyframeContent.of(a).shot in (None, own.id)]
        out.append(Span(r3(start), r3(min(end, total) if total else end), label, [own] + inside))
    return out


def merge(parts: list[Span], count: int) -> list[Span]:
    """Merge consecutive spans into `count` groups so that a small budget still covers the whole video."""
    if count >= len(parts):
        return parts
    groups: list[Span] = []
    size = len(parts) / count
    for g in range(count):
        chunk = parts[round(g * size):round((g + 1) * size)]
        label = chunk[0].label if len(chunk) == 1 else f"{chunk[0].label} to {chunk[-1].label.split()[-1]}"
        groups.append(Span(chunk[0].start, chunk[-1].end, label, [a for s in chunk for a in s.anchors]))
    return groups


def describe(span: Span) -> str:
    """What the anchors say about a span, without naming anything they do not show."""
    parts = [f"{span.label} ({fmt_span(span.start, span.end)})"]
    motion = span.motion()
    if motion:
        parts.append(f"the picture is {motion}")
    text = span.texts("ocr")
    if text:
        parts.append(f"on-screen text {quote_list(text)}")
    speech = span.texts("subtitle")
    if speech:
        parts.append(f"subtitles: {quote_list(speech, 2)}")
    return clean("; ".join(parts) + ".", 400)


def questions(ctx: TailorContext) -> list[dict]:
    """Question/answer pairs answerable from video anchors alone, tagged with a ReMoT-style type.

    temporal_order compares when two texts first appear; counting counts cuts; spatial locates OCR
    text in the frame; state_change reports motion changes and cuts. Causal questions need world
    knowledge the anchors do not carry, so the rules never produce them.
    """
    total = duration(ctx)
    qa: list[dict] = []
    texts = _first_appearances(ctx)
    for (t1, a1, s1), (t2, a2, s2) in zip(texts, texts[1:]):
        if t2 - t1 < 0.5:
            continue
        qa.append(_qa("temporal_order", f"Which appears first, the text '{s1}' or the text '{s2}'?",
                      f"'{s1}' appears first, at {t1:.1f} s; '{s2}' follows at {t2:.1f} s.",
                      [t1, t2], f"OCR/subtitle anchor {a1.id} is at {t1:.1f} s and {a2.id} at {t2:.1f} s.", [a1.id, a2.id], total))
    cuts = sorted_by_time(a for a in of_kind(ctx.anchors, "cut") if a.start is not None)
    if cuts:
        lo, hi = cuts[0].start, cuts[-1].end
        qa.append(_qa("counting", f"How many cuts (shot changes) happen between {max(lo - 0.5, 0):.1f} s and {min(hi + 0.5, total):.1f} s?",
                      str(len(cuts)), [lo - 0.5, hi + 0.5],
                      "Cuts detected at " + ", ".join(f"{c.start:.1f} s" for c in cuts) + ".", [c.id for c in cuts], total))
    if ctx.source.screen:
        w, h = ctx.source.screen
        for t, a, s in texts:
            if a.kind == "ocr" and a.p:
                where = where_in_frame(box_center(a.p), w, h)
                qa.append(_qa("spatial", f"Where in the frame is the text '{s}' shown at {t:.1f} s?",
                              f"In the {where} of the frame.", [t - 0.5, t + 0.5],
                              f"OCR anchor {a.id} places it at box {[round(v) for v in a.p]} in a {w}x{h} frame.", [a.id], total))
    motions = sorted_by_time(a for a in of_kind(ctx.anchors, "motion") if a.start is not None)
    for m1, m2 in zip(motions, motions[1:]):
        s1, s2 = MotionContent.of(m1).state, MotionContent.of(m2).state
        if s1 and s2 and s1 != s2:
            words = {"static": "static", "motion": "in motion"}
            qa.append(_qa("state_change", f"How does the picture change at about {m2.start:.1f} s?",
                          f"It goes from {words.get(s1, s1)} to {words.get(s2, s2)}.", [m2.start - 1.0, m2.start + 1.0],
                          f"Motion anchor {m1.id} is '{s1}' until {m1.end:.1f} s and {m2.id} is '{s2}' from {m2.start:.1f} s.",
                          [m1.id, m2.id], total))
    for cut in cuts:
        kind = CutContent.of(cut).type or "hard"
        qa.append(_qa("state_change", f"What happens at {cut.start:.1f} s?",
                      f"A {'gradual fade' if kind == 'fade' else 'hard cut'} to a new shot.", [cut.start - 0.5, cut.start + 0.5],
                      f"Cut anchor {cut.id} ({kind}) is at {cut.start:.1f} s.", [cut.id], total))
    return qa


def _first_appearances(ctx: TailorContext) -> list[tuple[float, Anchor, str]]:
    seen: dict[str, tuple[float, Anchor, str]] = {}
    for a in sorted_by_time(of_kind(ctx.anchors, "ocr", "subtitle")):
        text = clean(text_of(a), 60)
        if a.start is not None and text and text.lower() not in seen:
            seen[text.lower()] = (a.start, a, text)
    return sorted(seen.values(), key=lambda v: v[0])


def _qa(kind: str, question: str, answer: str, clip: list[float], reasoning: str, ids: list[str], total: float) -> dict:
    lo = max(0.0, clip[0])
    hi = min(total, clip[1]) if total else clip[1]
    return {"type": kind, "question": clean(question, 300), "answer": clean(answer, 300), "clip": [r3(lo), r3(max(lo, hi))],
            "reasoning": clean(reasoning, 400), "anchor_ids": ids}
