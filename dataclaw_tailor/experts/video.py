"""Readers over video anchors shared by the daily, education, embodied and aigc experts.

A video's anchors are `shot` spans, `cut` points, `keyframe` images, `ocr` text with boxes,
`subtitle` spans and `motion` states. These helpers turn them into spans with the facts observed
inside each, and into question/answer pairs whose answers are read off the anchors.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field as dc_field
from difflib import SequenceMatcher

from ..core import Anchor, TailorContext, of_kind
from ..core.contents import AudioContent, CutContent, KeyframeContent, MotionContent
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
"""No span (event, step) or question clip is shorter than this: a shorter shot joins its neighbour, a shorter stretch
of speech joins the next one and no split point lies closer than this to another, so nothing a viewer cannot follow
is ever emitted."""
SPEECH_PAUSE_S = 0.25
"""A silence at least this long between two subtitle sentences ends a stretch of speech."""
SPEECH_SPLIT_S = 4.0
"""A shot at least this long may be split inside (by speech, topic, on-screen text, silence or motion); a stretch of
still or moving picture this long is its own span; speech is cut at a topic shift only after this much of it."""
TOPIC_WINDOW = 3
"""Sentences compared on each side of a possible topic shift."""

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
    source when nothing was); each with the anchors inside it (a point anchor on a boundary belongs to
    the span it opens).

    A shot shorter than `MIN_SPAN_S` joins the next (the last joins the previous). A shot of `SPEECH_SPLIT_S`
    or more is split inside by every signal its anchors carry (`_Signals.split`): stretches of speech,
    topic shifts in continuous speech, changes of on-screen text, silences and long still or moving stretches."""
    total = duration(ctx)
    shots = sorted_by_time(a for a in of_kind(ctx.anchors, "shot") if a.start is not None)
    subs = sorted_by_time(a for a in of_kind(ctx.anchors, "subtitle") if a.start is not None and a.end > a.start)
    if shots:
        signals = _Signals(ctx, subs)
        base = [(start, end, f"Shot {i + 1}", own) for i, (start, end, own) in enumerate(_join_short(shots))]
        base = [part for start, end, label, own in base for part in signals.split(start, end, label, own)]
    else:
        base = [(a.start, a.end, f"Segment {i + 1}", a) for i, a in enumerate(subs)]
    index = TimeIndex(ctx.anchors, "ocr", "motion", "keyframe", "subtitle")
    if not base:
        seen = index.overlapping(0.0, total)
        if not seen:
            return [Span(0.0, r3(total), "The whole video")]
        return [Span(r3(min(a.start for a in seen)), r3(max(a.end for a in seen)), "The observed part", seen)]
    out = []
    last = max(end for _, end, _, _ in base)
    for start, end, label, own in base:
        inside = [a for a in index.overlapping(start, end) if a.id != own.id and (
            start <= a.start < end or a.start == end == last if a.start == a.end else a.start < end and a.end > start)]
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


class _Signals:
    """Where a long shot may be split, read once per video from its anchors (each query is a bisection, so
    splitting every shot stays linear in the number of anchors).

    - speech: subtitle sentences grouped into stretches; a pause of `SPEECH_PAUSE_S` ends a stretch, and so does a
      topic shift: after `SPEECH_SPLIT_S` of a stretch, a sentence whose `TOPIC_WINDOW` sentences share no content
      word (four letters or more, not a function word) with the `TOPIC_WINDOW` before them starts a new one. A shot
      with two or more stretches becomes one span per stretch (each inside its sentences) plus its silent
      stretches of at least `MIN_SPAN_S`; one sentence over a slide stays with the slide.
    - on-screen text: a keyframe that shows a line of text new to its shot (`_text_changes`: like no line of the
      shot's previous keyframe and no line read in another shot; a slide or page that changed without a cut, the
      video extractor keeping one keyframe per still picture).
    - silence: an audio silence of `MIN_SPAN_S` or more is its own span, outside subtitle sentences.
    - motion: a still or moving stretch of `SPEECH_SPLIT_S` or more is its own span, outside subtitle sentences.
    Split points closer than `MIN_SPAN_S` to a span edge or to each other are dropped.
    """

    def __init__(self, ctx: TailorContext, subs: list[Anchor]):
        self.subs = subs
        self.sub_index = TimeIndex(subs)
        self.words = [_content_words(text_of(a)) for a in subs]
        self.order = {a.id: i for i, a in enumerate(subs)}
        self.text = _text_changes(ctx)
        silences = [a for a in of_kind(ctx.anchors, "audio")
                    if a.start is not None and AudioContent.of(a).state == "silence" and a.end - a.start >= MIN_SPAN_S]
        self.silence = sorted((p, what) for a in silences for p, what in ((a.start, "silence"), (a.end, "sound"))
                              if not self._in_sentence(p))
        self.motion = TimeIndex((a for a in of_kind(ctx.anchors, "motion") if MotionContent.of(a).state), "motion")
        self.text_times = [t for t, _ in self.text]
        self.silence_times = [t for t, _ in self.silence]

    def _in_sentence(self, t: float) -> bool:
        return any(a.start < t < a.end for a in self.sub_index.overlapping(t, t))

    def split(self, start: float, end: float, label: str, own: Anchor) -> list[tuple[float, float, str, Anchor]]:
        if end - start < SPEECH_SPLIT_S:
            return [(start, end, label, own)]
        out = []
        for lo, hi, name, speech in self._speech_parts(start, end, label):
            points = self._between(self.text, self.text_times, lo, hi)
            if not speech:
                points = sorted(points + self._between(self.silence, self.silence_times, lo, hi) + self._motion_edges(lo, hi))
            out += [(a, b, what and f"{name}, {what}" or name, own) for a, b, what in _cut(lo, hi, points)]
        return out

    def _motion_edges(self, lo: float, hi: float) -> list[tuple[float, str]]:
        """Edges of the still or moving stretches that last `SPEECH_SPLIT_S` or more inside [lo, hi], outside sentences."""
        out = []
        for a in self.motion.overlapping(lo, hi):
            start, end = max(a.start, lo), min(a.end, hi)
            if end - start >= SPEECH_SPLIT_S:
                still = MotionContent.of(a).state == "static"
                out += [(start, "still picture" if still else "moving picture"), (end, "moving picture" if still else "still picture")]
        return [p for p in out if not self._in_sentence(p[0])]

    @staticmethod
    def _between(points: list[tuple[float, str]], times: list[float], lo: float, hi: float) -> list[tuple[float, str]]:
        return points[bisect_left(times, lo):bisect_right(times, hi)]

    def _speech_parts(self, start: float, end: float, label: str) -> list[tuple[float, float, str, bool]]:
        """(lo, hi, label, is speech): the stretches of speech and silence of a shot, or the whole shot when it has
        fewer than two stretches of speech."""
        inside = [a for a in self.sub_index.overlapping(start, end) if a.start < end and a.end > start]
        groups: list[list] = []  # [lo, hi, index of the group's first sentence]
        for a in inside:
            lo, hi, i = max(a.start, start), min(a.end, end), self.order[a.id]
            if groups and (groups[-1][1] - groups[-1][0] < MIN_SPAN_S or lo - groups[-1][1] < SPEECH_PAUSE_S
                           and not (lo - groups[-1][0] >= SPEECH_SPLIT_S and self._topic_shift(i))):
                groups[-1][1] = max(groups[-1][1], hi)
            else:
                groups.append([lo, hi, i])
        if len(groups) > 1 and groups[-1][1] - groups[-1][0] < MIN_SPAN_S:
            last = groups.pop()
            groups[-1][1] = last[1]
        if len(groups) < 2:
            return [(start, end, label, False)]
        parts: list[tuple[float, float, str, bool]] = []
        cursor = start
        for n, (lo, hi, _) in enumerate(groups, 1):
            if lo - cursor >= MIN_SPAN_S:
                parts.append((cursor, lo, f"{label}, no speech", False))
            parts.append((max(lo, cursor), hi, f"{label}, speech {n}", True))
            cursor = hi
        if end - cursor >= MIN_SPAN_S:
            parts.append((cursor, end, f"{label}, no speech", False))
        return parts

    def _topic_shift(self, i: int) -> bool:
        """No content word shared between the `TOPIC_WINDOW` sentences before sentence i and those from it on."""
        before = set().union(*self.words[max(0, i - TOPIC_WINDOW):i])
        after = set().union(*self.words[i:i + TOPIC_WINDOW])
        return bool(before and after) and not before & after


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _FUNCTION_WORDS and w not in _NOT_NOUNS}


def _text_changes(ctx: TailorContext) -> list[tuple[float, str]]:
    """(time, 'new on-screen text') at each keyframe that shows a line of text new to its shot.

    A line is new when it is like no line of the shot's previous keyframe and like no line read in another shot.
    Lines read in other shots are an overlay (a watermark, a channel name, a persistent toolbar), and a recogniser
    reads an overlay a little differently from frame to frame ("Copyright 0 2013", "Copyright @ 2013") or misses it
    in one frame: neither is a change of what the shot shows. A line that merely disappears is not a change either.
    """
    lines: dict[float, set[str]] = {}
    for a in of_kind(ctx.anchors, "ocr"):
        if a.start is not None and (line := re.sub(r"[\W_]+", "", text_of(a).lower())):
            lines.setdefault(a.start, set()).add(line)
    if not lines:
        return []
    keyframes = sorted_by_time(a for a in of_kind(ctx.anchors, "keyframe") if a.start is not None)
    shots_of: dict[str, set[str | None]] = {}
    for kf in keyframes:
        for line in lines.get(kf.start, ()):
            shots_of.setdefault(line, set()).add(KeyframeContent.of(kf).shot)
    elsewhere: dict[str | None, list[str]] = {}  # per shot, the lines read in other shots
    out = []
    previous: dict[str | None, set[str]] = {}
    for kf in keyframes:
        shot, shown = KeyframeContent.of(kf).shot, lines.get(kf.start, set())
        if shot not in elsewhere:
            elsewhere[shot] = [line for line, shots in shots_of.items() if shots - {shot}]
        if shot in previous and any(not _alike(line, previous[shot]) and not _alike(line, elsewhere[shot]) for line in shown):
            out.append((kf.start, "new on-screen text"))
        previous[shot] = shown
    return out


def _alike(line: str, others) -> bool:
    """Whether `line` reads as one of `others` up to recogniser noise (80% of characters in common)."""
    if line in others:
        return True
    for other in others:
        match = SequenceMatcher(None, line, other)
        if match.real_quick_ratio() >= 0.8 and match.quick_ratio() >= 0.8 and match.ratio() >= 0.8:
            return True
    return False


def _cut(lo: float, hi: float, points: list[tuple[float, str]]) -> list[tuple[float, float, str]]:
    """[lo, hi] cut at the points (time, what starts there) that lie at least `MIN_SPAN_S` from its edges and from
    the previous kept point; each piece named by what starts it ('' for the first)."""
    pieces = [[lo, hi, ""]]
    for t, what in points:
        if t - pieces[-1][0] >= MIN_SPAN_S and hi - t >= MIN_SPAN_S:
            pieces[-1][1] = t
            pieces.append([t, hi, what])
    return [(a, b, what) for a, b, what in pieces]


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
