"""Readers over video anchors shared by the daily, education, embodied and aigc experts.

A video's anchors are `shot` spans, `cut` points, `keyframe` images, `ocr` text with boxes,
`subtitle` spans and `motion` states. These helpers turn them into spans with the facts observed
inside each, and into question/answer pairs whose answers are read off the anchors.
"""

from __future__ import annotations

import re
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

    def objects(self, max_n: int = 5) -> list[str]:
        """Things named in the span's subtitles (a determiner's noun: 'a dragon', 'the land'), for when no
        detector names what is visible; on-screen text lines of one to three words when nothing is said."""
        found = []
        for text in self.texts("subtitle"):
            for m in _NAMED.finditer(text):
                word, after = m.group(2).lower(), (m.group(3) or "").lower()
                noun = after if after and after not in _FUNCTION_WORDS and word.endswith(_ADJECTIVE_ENDINGS) else word
                if noun not in _NOT_NOUNS:
                    found.append(noun)
        if not found:
            found = [t for t in self.texts("ocr") if _WORDS.fullmatch(t) and len(t.split()) <= 3]
        return unique(found)[:max_n]

    def keyframe(self) -> Anchor | None:
        frames = [a for a in self.anchors if a.kind in ("keyframe", "frame") and image_of(a)]
        return frames[0] if frames else None

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(a.id for a in self.anchors))


MIN_SPAN_S = 1.0
"""No span (event, step) or question clip is shorter than this: a shorter shot joins its neighbour and a
shorter stretch of speech joins the next one, so nothing a viewer cannot follow is ever emitted."""
SPEECH_PAUSE_S = 0.25
"""A silence at least this long between two subtitle sentences ends a stretch of speech."""
SPEECH_SPLIT_S = 4.0
"""A shot at least this long that carries speech is split at the pauses of its sentences."""


_NAMED = re.compile(r"\b(a|an|the|this|that|these|those|my|your|his|her|its|our|their)\s+([A-Za-z][a-z]{2,})\b"
                    r"(?:\s+([a-z]{3,})\b(?!'))?", re.IGNORECASE)
"""A determiner, a word and the word after it (the noun when the first word reads as an adjective: 'a kindred spirit')."""
_ADJECTIVE_ENDINGS = ("ed", "ful", "ous", "ive", "al", "ic", "less", "able", "ible", "ish", "ent", "ant")
_FUNCTION_WORDS = frozenset(
    "for of to in on at with by from into over under about and or but nor so yet than then that which who whom whose "
    "is are was were be been being has have had does did will would can could should may might must not still also "
    "just too alone here there now".split())
_WORDS = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
_NOT_NOUNS = frozenset(
    "very most more much many other same next last first only own such few little whole one two three all each every "
    "new old good great big small long right left best way time thing things kind lot".split())
"""Words that follow a determiner without naming a thing (adverbs, quantifiers, ordinals, vague nouns)."""


def spans(ctx: TailorContext) -> list[Span]:
    """Shots if any, else subtitle spans, else the stretch where anything was observed (the whole
    source when nothing was); each with the anchors inside it.

    A shot shorter than `MIN_SPAN_S` joins the next (the last joins the previous). A long shot with speech
    becomes one span per stretch of speech (sentences grouped by pauses), each lying inside the sentences it
    covers, plus the silent stretches of the shot that reach the minimum."""
    total = duration(ctx)
    shots = sorted_by_time(a for a in of_kind(ctx.anchors, "shot") if a.start is not None)
    subs = sorted_by_time(a for a in of_kind(ctx.anchors, "subtitle") if a.start is not None and a.end > a.start)
    if shots:
        base = [(start, end, f"Shot {i + 1}", own) for i, (start, end, own) in enumerate(_join_short(shots))]
        base = [part for start, end, label, own in base for part in _split_by_speech(start, end, label, own, subs)]
    else:
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


def _join_short(shots: list[Anchor]) -> list[tuple[float, float, Anchor]]:
    """Shots as (start, end, shot), a shot shorter than `MIN_SPAN_S` merged into the next one (the last into the previous)."""
    out: list[list] = []
    pending: float | None = None
    for shot in shots:
        start = shot.start if pending is None else pending
        if shot.end - start < MIN_SPAN_S:
            pending = start
            continue
        pending = None
        out.append([start, shot.end, shot])
    if pending is not None:
        if out:
            out[-1][1] = shots[-1].end
        else:
            out.append([pending, shots[-1].end, shots[0]])
    return [(a, b, c) for a, b, c in out]


def _split_by_speech(start: float, end: float, label: str, own: Anchor, subs: list[Anchor]) -> list[tuple[float, float, str, Anchor]]:
    """A long shot's stretches of speech and silence, each at least `MIN_SPAN_S` (the shot itself when it has
    fewer than two stretches of speech: one sentence over a slide stays with the slide)."""
    inside = [(max(a.start, start), min(a.end, end)) for a in subs if a.start < end and a.end > start]
    if end - start < SPEECH_SPLIT_S or not inside:
        return [(start, end, label, own)]
    groups: list[list[float]] = []
    for lo, hi in inside:
        if groups and (lo - groups[-1][1] < SPEECH_PAUSE_S or groups[-1][1] - groups[-1][0] < MIN_SPAN_S):
            groups[-1][1] = max(groups[-1][1], hi)
        else:
            groups.append([lo, hi])
    if len(groups) > 1 and groups[-1][1] - groups[-1][0] < MIN_SPAN_S:
        last = groups.pop()
        groups[-1][1] = last[1]
    if len(groups) < 2:
        return [(start, end, label, own)]
    parts: list[tuple[float, float, bool]] = []
    cursor = start
    for lo, hi in groups:
        if lo - cursor >= MIN_SPAN_S:
            parts.append((cursor, lo, False))
        parts.append((lo, hi, True))
        cursor = hi
    if end - cursor >= MIN_SPAN_S:
        parts.append((cursor, end, False))
    n = 0
    out = []
    for lo, hi, speech in parts:
        n += speech
        out.append((lo, hi, f"{label}, speech {n}" if speech else f"{label}, no speech", own))
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
    qa.extend(_between_cuts(ctx, cuts, total))
    for cut in cuts:
        kind = CutContent.of(cut).type or "hard"
        qa.append(_qa("state_change", f"What happens at {cut.start:.1f} s?",
                      f"A {'gradual fade' if kind == 'fade' else 'hard cut'} to a new shot.", [cut.start - 0.5, cut.start + 0.5],
                      f"Cut anchor {cut.id} ({kind}) is at {cut.start:.1f} s.", [cut.id], total))
    return [q for q in qa if q["clip"][1] - q["clip"][0] >= MIN_SPAN_S - 1e-9]


def _between_cuts(ctx: TailorContext, cuts: list[Anchor], total: float) -> list[dict]:
    """What is said between two consecutive cuts (the video's start and end count as cuts), read off the subtitles."""
    subs = TimeIndex(ctx.anchors, "subtitle")
    bounds: list[tuple[float, Anchor | None]] = [(0.0, None)] + [(c.start, c) for c in cuts] + [(total, None)]
    qa = []
    for (lo, c1), (hi, c2) in zip(bounds, bounds[1:]):
        said = [a for a in subs.overlapping(lo, hi) if a.start >= lo and a.end <= hi and text_of(a)]
        if not said or not (c1 or c2):
            continue
        first = f"the cut at {lo:.1f} s" if c1 else "the start"
        last = f"the cut at {hi:.1f} s" if c2 else "the end"
        lines = unique(text_of(a) for a in said)
        qa.append(_qa("temporal_order", f"What is said between {first} and {last}?", " ".join(f"'{t}'" for t in lines[:3]),
                      [lo if c1 else min(a.start for a in said), hi if c2 else max(a.end for a in said)], f"Subtitle anchors {', '.join(a.id for a in said)} lie between {lo:.1f} s and {hi:.1f} s.",
                      [c.id for c in (c1, c2) if c] + [a.id for a in said], total))
    return qa


def _first_appearances(ctx: TailorContext) -> list[tuple[float, Anchor, str]]:
    seen: dict[str, tuple[float, Anchor, str]] = {}
    for a in sorted_by_time(of_kind(ctx.anchors, "ocr", "subtitle")):
        text = clean(text_of(a), 60)
        if a.start is not None and text and text.lower() not in seen:
            seen[text.lower()] = (a.start, a, text)
    return sorted(seen.values(), key=lambda v: v[0])


def _qa(kind: str, question: str, answer: str, clip: list[float], reasoning: str, ids: list[str], total: float) -> dict:
    lo, hi = clip
    if hi - lo < MIN_SPAN_S:
        pad = (MIN_SPAN_S - (hi - lo)) / 2
        lo, hi = lo - pad, hi + pad
    if lo < 0:
        lo, hi = 0.0, hi - lo
    if total and hi > total:
        lo, hi = max(0.0, lo - (hi - total)), total
    return {"type": kind, "question": clean(question, 300), "answer": clean(answer, 300), "clip": [r3(lo), r3(max(lo, hi))],
            "reasoning": clean(reasoning, 400), "anchor_ids": ids}
