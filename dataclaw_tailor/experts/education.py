"""Education expert: tutorial videos and recorded GUI sessions to step-by-step procedures.

Anchors read: video anchors (`shot`, `subtitle`, `ocr`, `keyframe`, `motion`, `audio`) or, for a recorded GUI session,
`gui_task`, `gui_event` and `gui_element` (each action becomes one step of the tutorial).
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from pydantic import Field

from ..core import SourceKind, TailorContext, TaskSpec, of_kind
from .common import AnchorIds, Expert, Seconds, Strict, Text, clean, duration, limit, prompt, r3, sorted_by_time, text_of
from .examples import examples_of
from . import gui, video

VERSION = "1.0"


class ProcedureStep(Strict):
    start_s: Seconds
    end_s: Seconds
    title: Text = Field(description="A short imperative title, e.g. 'Open the settings menu'.")
    instruction: Text = Field(description="What the learner does in this step, in one or two sentences.")
    on_screen_text: list[Text] = Field(description="Text visible on screen during the step (from OCR), verbatim.")
    anchor_ids: AnchorIds


class Procedure(Strict):
    """A tutorial as an ordered list of steps with their time spans in the source."""

    topic: Text = Field(description="What the tutorial teaches.")
    steps: list[ProcedureStep] = Field(min_length=1, description="Steps in temporal order.")
    summary: Text = Field(description="One or two sentences on the whole procedure.")


def _from_gui(ctx: TailorContext) -> dict[str, Any] | None:
    events = sorted_by_time(a for a in of_kind(ctx.anchors, "gui_event") if a.start is not None)
    if not events:
        return None
    trajectory = gui.synthesize_trajectory(ctx)
    total = duration(ctx)
    timed = {a.id: a for a in events}
    starts = [a.start for a in events]
    steps = []
    for step in trajectory["steps"]:
        event = timed.get(step["anchor_ids"][0])
        if event is None:
            continue
        following = bisect.bisect_right(starts, event.start)  # the next event that starts later (events are sorted)
        after = events[following] if following < len(events) else None
        end = min(after.start, total) if after else min(event.start + 1.0, max(total, event.start))
        ids = step["anchor_ids"] + ([after.id] if after else [])
        action = gui.GuiAction.model_validate(step["action"])
        words = gui.describe(action, step["target_element"])
        steps.append({"start_s": r3(event.start), "end_s": r3(max(end, event.start)), "title": clean(words[:1].upper() + words[1:], 80),
                      "instruction": clean(f"Step {len(steps) + 1}: {words}.", 300),
                      "on_screen_text": [step["target_element"]] if step["target_element"] else [], "anchor_ids": ids})
    if not steps:
        return None
    return {"topic": trajectory["task"], "steps": steps,
            "summary": clean(f"{len(steps)} recorded actions that accomplish the task: {trajectory['task']}", 400)}


def _from_video(ctx: TailorContext) -> dict[str, Any]:
    parts = video.spans(ctx)
    if ctx.intent.max_items:
        parts = video.merge(parts, ctx.intent.max_items)
    steps = []
    for i, span in enumerate(parts):
        speech = span.texts("subtitle")
        shown = span.texts("ocr")
        if speech:
            instruction = " ".join(speech)
        elif shown:
            instruction = "Follow the screen showing " + ", ".join(f"'{t}'" for t in shown[:3]) + "."
        else:
            instruction = f"Watch the demonstration from {span.start:.1f} s to {span.end:.1f} s."
        title = shown[0] if shown else (" ".join(speech[0].split()[:8]) if speech else f"Step {i + 1}")
        steps.append({"start_s": span.start, "end_s": span.end, "title": clean(title, 80), "instruction": clean(instruction, 400),
                      "on_screen_text": shown[:10], "anchor_ids": span.ids})
    texts = [text_of(a) for a in sorted_by_time(of_kind(ctx.anchors, "subtitle", "ocr")) if text_of(a)]
    topic = clean(texts[0], 120) if texts else f"The procedure shown in {Path(ctx.source.path).name}"
    return {"topic": topic, "steps": steps, "summary": f"A {len(steps)}-step procedure over {duration(ctx):.1f} s of video."}


def synthesize(ctx: TailorContext) -> dict[str, Any]:
    record = _from_gui(ctx) or _from_video(ctx)
    record["steps"] = limit(record["steps"], ctx, spread=False)
    return Procedure.model_validate(record).model_dump()


PROCEDURE = TaskSpec(
    name="education.procedure",
    domain="education",
    version=VERSION,
    description="Tutorials to step lists: topic, steps (start_s, end_s, title, instruction, on-screen text), summary.",
    model=Procedure,
    prompt=prompt(
        "education.procedure",
        """Turn the tutorial into a step-by-step procedure a learner can follow. Give the topic, then the steps in
order: each with start_s/end_s aligned with the shot, subtitle or action anchors it comes from, a short imperative
title, an instruction in one or two sentences (use the narration in subtitles), and the on-screen text visible
during the step copied verbatim from OCR anchors. End with a short summary.""",
    ),
    examples=examples_of("education"),
    synthesize=synthesize,
    source_kinds=frozenset({SourceKind.video, SourceKind.gui_trace}),
    extractors=("shot", "subtitle", "ocr", "keyframe", "motion", "audio", "gui_task", "gui_event", "gui_element"),
    keywords=("step by step", "procedure", "instruction", "guide", "walkthrough", "howto", "step list", "checklist"),
    rank={SourceKind.gui_trace: 30, SourceKind.video: 30},
)

TASKS = (PROCEDURE,)

EXPERT = Expert(
    domain="education",
    description="Tutorials, lectures and recorded how-to sessions to step-by-step procedures.",
    keywords=("tutorial", "lecture", "course", "lesson", "teach", "education", "educational", "how to", "learn", "learner",
              "instructional", "recipe", "class"),
    tasks=TASKS,
)
