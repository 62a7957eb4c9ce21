"""Daily-life video expert: dense captions and spatio-temporal VQA (ReMoT-style question types).

Anchors read: the shared video anchors (`shot`, `cut`, `keyframe`, `ocr`, `subtitle`, `motion`; captions also
`audio`, whose silences split long shots).
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any, Literal

from pydantic import Field

from ..core import ExportUnit, SourceKind, TailorContext, TaskSpec
from .common import QA_DEFAULT_ITEMS, QA_KEYWORDS, AnchorIds, Expert, Seconds, Span, Strict, Text, clean, duration, fmt_span, limit, prompt, r3
from .examples import examples_of
from . import video

VERSION = "1.0"

QAType = Literal["temporal_order", "counting", "spatial", "causal", "state_change"]


class CaptionEvent(Strict):
    start_s: Seconds
    end_s: Seconds
    caption: Text = Field(description="What happens in this span, only what can be seen or read.")
    objects: list[Text] = Field(description="Objects visible in the span (empty if none can be named with confidence).")
    anchor_ids: AnchorIds


class DenseCaptions(Strict):
    """Dense video captions: a summary plus time-stamped events covering the video in order."""

    summary: Text = Field(description="Two or three sentences on the whole video.")
    events: list[CaptionEvent] = Field(min_length=1, description="Events in temporal order.")


class DailyQA(Strict):
    type: QAType = Field(description="Question type: temporal_order, counting, spatial, causal or state_change.")
    question: Text
    answer: Text
    clip: Span = Field(description="[start, end] seconds of the evidence for the answer.")
    reasoning: Text = Field(description="How the answer follows from the cited observations.")
    anchor_ids: AnchorIds


class DailyVQA(Strict):
    """Spatio-temporal VQA pairs about a video."""

    qa: list[DailyQA] = Field(min_length=1)


def synthesize_captions(ctx: TailorContext) -> dict[str, Any]:
    """One event per span of `video.spans` (merged into `max_items` groups when the budget is smaller), captioned from
    its anchors; its objects are the things its subtitles name (else its short on-screen texts)."""
    parts = video.spans(ctx)
    if ctx.intent.max_items:
        parts = video.merge(parts, ctx.intent.max_items)
    events = [{"start_s": s.start, "end_s": s.end, "caption": video.describe(s), "objects": s.objects(), "anchor_ids": s.ids} for s in parts]
    total = duration(ctx)
    text = sorted({t for s in parts for t in s.texts("ocr")})
    summary = f"A {total:.1f}-second video in {len(parts)} part{'s' if len(parts) != 1 else ''}"
    cuts = [a for a in ctx.anchors if a.kind == "cut"]
    if cuts:
        summary += f" with {len(cuts)} cut{'s' if len(cuts) != 1 else ''}"
    summary += "."
    if text:
        summary += f" On-screen text includes {', '.join(repr(t) for t in text[:3])}."
    return DenseCaptions.model_validate({"summary": clean(summary, 500), "events": events}).model_dump()


def synthesize_vqa(ctx: TailorContext) -> dict[str, Any]:
    """Video QA, interleaved by type so that a small budget still covers every type the anchors support."""
    by_type: dict[str, list[dict]] = {}
    for q in video.questions(ctx):
        by_type.setdefault(q["type"], []).append(q)
    mixed = [q for row in zip_longest(*by_type.values()) for q in row if q is not None]
    if not mixed:
        mixed = [_fallback(ctx)]
    return DailyVQA.model_validate({"qa": limit(mixed, ctx, QA_DEFAULT_ITEMS, spread=False)}).model_dump()


def _fallback(ctx: TailorContext) -> dict:
    """A question the anchors can still answer when they support no typed question: the shot count, else the length."""
    shots = [a for a in ctx.anchors if a.kind == "shot" and a.start is not None]
    total = duration(ctx)
    if shots:
        lo, hi = min(a.start for a in shots), max(a.end for a in shots)
        return {"type": "counting", "question": "How many shots does the video have?", "answer": str(len(shots)), "clip": [r3(lo), r3(hi)],
                "reasoning": f"Shots detected: {', '.join(fmt_span(a.start, a.end) for a in shots)}.", "anchor_ids": [a.id for a in shots]}
    return {"type": "counting", "question": "How many seconds long is the video?", "answer": f"About {total:.0f}.", "clip": [0.0, r3(total)],
            "reasoning": "The length of the source.", "anchor_ids": []}


CAPTIONS = TaskSpec(
    name="daily.dense_captions",
    domain="daily",
    version=VERSION,
    description="Dense video captioning: a summary and time-stamped events (start_s, end_s, caption, objects).",
    model=DenseCaptions,
    prompt=prompt(
        "daily.dense_captions",
        """Write dense captions for the video: a short summary, then events that cover the video in order. Each event
has start_s/end_s aligned with shot anchors, a caption of what can be seen (use keyframes, OCR text and subtitles), and
the objects visible in it. Do not name objects, people or actions you cannot see in the frames.""",
    ),
    examples=examples_of("daily"),
    synthesize=synthesize_captions,
    source_kinds=frozenset({SourceKind.video}),
    extractors=("shot", "cut", "keyframe", "ocr", "subtitle", "motion", "audio"),
    keywords=("caption", "dense", "dense caption", "describe", "description", "narrate", "event", "summary", "summarize",
              "summarise"),
    rank={SourceKind.video: 10},
)

VQA = TaskSpec(
    name="daily.vqa",
    domain="daily",
    version=VERSION,
    description="Spatio-temporal VQA (ReMoT-style): temporal_order, counting, spatial, causal and state_change questions.",
    model=DailyVQA,
    prompt=prompt(
        "daily.vqa",
        """Write spatio-temporal question/answer pairs about the video, mixing the types temporal_order, counting,
spatial, causal and state_change. Each answer must follow from the cited anchors or keyframes; `clip` is the evidence
span and `reasoning` explains the answer step by step from what is observed.""",
    ),
    examples=examples_of("daily"),
    synthesize=synthesize_vqa,
    source_kinds=frozenset({SourceKind.video}),
    extractors=("shot", "cut", "keyframe", "ocr", "subtitle", "motion"),
    keywords=QA_KEYWORDS + ("temporal", "counting", "remot"),
    rank={SourceKind.video: 20},
    export_unit=ExportUnit.question,
)

TASKS = (CAPTIONS, VQA)

EXPERT = Expert(
    domain="daily",
    description="Everyday videos to dense captions and spatio-temporal VQA.",
    keywords=("video", "daily", "everyday", "vlog", "footage", "clip", "scene", "movie", "film", "camera"),
    tasks=TASKS,
)
