"""AIGC expert: clips for image-to-video generation and before/after pairs for instruction-based editing.

Anchors read: for i2v, video shots with keyframes and motion, or robot phases with frames and gripper
events (contacts); for editing, `edit_pair` (before, after, instruction) and `edit_region` (changed box).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import Field

from ..core import Anchor, InputError, SourceKind, TailorContext, TaskSpec, of_kind
from ..core.contents import EditPairContent, EditRegionContent, GripperContent, MotionContent, PhaseContent, RobotTaskContent
from .common import (
    AnchorIds, Box, Expert, Seconds, Span, Strict, Text, box_center, clean, duration, image_of, index_of, limit, prompt,
    quote_list, r3, sorted_by_time, where_in_frame,
)
from .examples import examples_of
from . import video

log = logging.getLogger(__name__)

VERSION = "1.0"

CameraMotion = Literal["static", "pan", "tilt", "zoom", "tracking", "handheld", "moving", "unknown"]


class ContactEvent(Strict):
    type: Literal["contact", "release"] = Field(description="contact: the hand/gripper closes on an object; release: it lets go.")
    t: Seconds
    anchor_ids: AnchorIds


class I2VClip(Strict):
    span: Span = Field(description="[start, end] seconds of the clip; the first frame is at start.")
    first_frame: str | None = Field(description="Image to condition generation on (path or reference), at the clip start.")
    prompt: Text = Field(description="The text prompt describing the motion to generate, grounded in what the clip shows.")
    action_verb: Text | None = Field(description="Main action verb, e.g. 'pick', 'pour'; null if no action is observed.")
    action_noun: Text | None = Field(description="Object of the action, e.g. 'bottle'; null if unknown.")
    contact_events: list[ContactEvent] = Field(description="Contacts and releases inside the clip, in order.")
    camera_motion: CameraMotion = Field(description="Camera movement during the clip.")
    anchor_ids: AnchorIds


class I2VPrompts(Strict):
    """First-frame + prompt pairs for action video generation."""

    clips: list[I2VClip] = Field(min_length=1)


class EditPair(Strict):
    before: str = Field(description="The image before the edit (path or reference).")
    after: str = Field(description="The image after the edit (path or reference).")
    instruction: Text = Field(description="An editing instruction that turns `before` into `after`.")
    region: Box | None = Field(description="[x1, y1, x2, y2] box of the changed region, if localised.")
    anchor_ids: AnchorIds


class EditPairs(Strict):
    """Instruction-based image editing pairs."""

    pairs: list[EditPair] = Field(min_length=1)


def object_phrase(instruction: str) -> str | None:
    """The object of an instruction: 'yellow bottle' in 'Pick up the yellow bottle on the table.'."""
    m = re.search(r"\b(?:the|a|an)\s+((?:[a-z]+\s+){0,2}?[a-z]+)(?=\s+(?:on|in|into|onto|from|to|at|near|off|under|with)\b|[.,;!]|$)",
                  instruction.lower())
    return m.group(1) if m else None


def _camera(anchors: list[Anchor]) -> CameraMotion:
    states = {str(state) for a in anchors if a.kind == "motion" and (state := MotionContent.of(a).state)}
    if states == {"static"}:
        return "static"
    return "moving" if states == {"motion"} else "unknown"


def _contacts(grips: list[Anchor], start: float, end: float) -> list[dict]:
    return [{"type": "contact" if GripperContent.of(g).state == "close" else "release", "t": r3(g.start), "anchor_ids": [g.id]}
            for g in grips if start <= g.start <= end]


def _robot_clips(ctx: TailorContext) -> list[dict]:
    task = of_kind(ctx.anchors, "robot_task")
    said = RobotTaskContent.of(task[0] if task else None)
    instruction = clean(said.instruction or "", 200)
    robot = clean(str(said.robot or ""), 40)
    noun = object_phrase(instruction) if instruction else None
    total = duration(ctx)
    phases = sorted_by_time(a for a in of_kind(ctx.anchors, "phase") if a.start is not None)
    grips = sorted_by_time(a for a in of_kind(ctx.anchors, "gripper") if a.start is not None)
    frames = sorted_by_time(a for a in of_kind(ctx.anchors, "frame", "keyframe") if a.start is not None and image_of(a))
    spans = [(p.start, p.end, str(PhaseContent.of(p).skill or ""), [p]) for p in phases] or [(0.0, total, "", task)]
    clips = []
    for start, end, skill, own in spans:
        near = [f for f in frames if abs(f.start - start) <= min(0.5, (end - start) / 3)]
        first = min(near, key=lambda f: abs(f.start - start)) if near else None
        begin = max(first.start, start) if first else start
        contacts = _contacts(grips, begin, end)
        verb = skill.split()[0].lower() if skill else None
        what = f"performs '{skill}'" if skill else "carries out its task"
        text = f"A robot{f' ({robot})' if robot else ''} {what}" + (f" while working on the instruction '{instruction}'" if instruction else "")
        if contacts:
            text += "; " + ", ".join(f"the gripper {'closes' if c['type'] == 'contact' else 'opens'} {c['t'] - begin:.1f} s into the clip" for c in contacts)
        clips.append({"span": [r3(begin), r3(end)], "first_frame": image_of(first), "prompt": clean(text + ".", 500),
                      "action_verb": verb, "action_noun": noun if verb else None, "contact_events": contacts,
                      "camera_motion": _camera(ctx.anchors), "anchor_ids": [a.id for a in own] + ([first.id] if first else [])})
    return clips


def _video_clips(ctx: TailorContext) -> list[dict]:
    clips = []
    for span in video.spans(ctx):
        frame = span.keyframe()
        begin = frame.start if frame else span.start
        if span.end - begin < 0.5:
            begin = span.start
        camera = _camera(span.anchors)
        words = {"static": "A static shot", "moving": "A moving-camera shot"}.get(camera, "A shot")
        details = [f"{words} lasting {span.end - begin:.1f} s"]
        if span.texts("ocr"):
            details.append(f"on-screen text {quote_list(span.texts('ocr'))}")
        if span.texts("subtitle"):
            details.append(f"narration: {quote_list(span.texts('subtitle'), 2)}")
        prompt_text = "; ".join(details) + "."
        clips.append({"span": [r3(begin), span.end], "first_frame": image_of(frame), "prompt": clean(prompt_text, 500),
                      "action_verb": None, "action_noun": None, "contact_events": [], "camera_motion": camera, "anchor_ids": span.ids})
    return clips


def synthesize_i2v(ctx: TailorContext) -> dict[str, Any]:
    """Robot episodes: one clip per skill phase with its contacts; videos: one clip per shot from its keyframe."""
    robot = any(a.kind in ("robot_task", "phase", "gripper") for a in ctx.anchors)
    clips = _robot_clips(ctx) if robot else _video_clips(ctx)
    return I2VPrompts.model_validate({"clips": limit(clips, ctx)}).model_dump()


def synthesize_edits(ctx: TailorContext) -> dict[str, Any]:
    """One pair per `edit_pair`, its region the union of the pair's `edit_region` boxes."""
    regions: dict[Any, list[Anchor]] = {}
    for r in of_kind(ctx.anchors, "edit_region"):
        if r.p and len(r.p) == 4:
            regions.setdefault(EditRegionContent.of(r).pair, []).append(r)
    screen = ctx.source.screen
    pairs = []
    for pair in sorted(of_kind(ctx.anchors, "edit_pair"), key=index_of):
        edit = EditPairContent.of(pair)
        before, after = edit.before, edit.after
        if not before or not after:
            log.debug("%s: no before or after image; left out of the edit pairs", pair.id)
            continue
        mine = regions.get(pair.id, [])
        box = [r3(min(r.p[0] for r in mine)), r3(min(r.p[1] for r in mine)), r3(max(r.p[2] for r in mine)), r3(max(r.p[3] for r in mine))] if mine else None
        instruction = clean(str(edit.instruction or ""), 300)
        if not instruction:
            where = f" in the {where_in_frame(box_center(box), *screen)} of the image" if box and screen else ""
            instruction = f"Change the region {[round(v) for v in box]}{where}" if box else "Apply the edit shown between the two images"
        pairs.append({"before": str(before), "after": str(after), "instruction": instruction, "region": box,
                      "anchor_ids": [pair.id] + [r.id for r in mine]})
    if not pairs:
        raise InputError(ctx.source.path, "no before/after image pairs were extracted, so there are no edit pairs to tailor")
    return EditPairs.model_validate({"pairs": limit(pairs, ctx)}).model_dump()


I2V = TaskSpec(
    name="aigc.i2v_prompts",
    domain="aigc",
    version=VERSION,
    description="Image-to-video generation data: clip span, first-frame reference, prompt, action verb-noun, contacts, camera motion.",
    model=I2VPrompts,
    prompt=prompt(
        "aigc.i2v_prompts",
        """Cut the source into clips suitable for image-to-video generation. For each clip give its span (starting at
the first frame), the first-frame image reference, a prompt that describes the motion to generate from that frame,
the main action as a verb and a noun, the contact and release events inside the clip, and the camera motion.
Describe only motion and objects that the frames and anchors show.""",
    ),
    examples=examples_of("aigc"),
    synthesize=synthesize_i2v,
    source_kinds=frozenset({SourceKind.video, SourceKind.robot_episode}),
    extractors=("shot", "keyframe", "motion", "ocr", "subtitle", "robot_task", "phase", "gripper", "frame"),
    keywords=("image to video", "i2v", "first frame", "video generation", "prompt", "motion prompt", "action video",
              "world model"),
    rank={SourceKind.robot_episode: 30, SourceKind.video: 40},
)

EDITS = TaskSpec(
    name="aigc.edit_pairs",
    domain="aigc",
    version=VERSION,
    description="Instruction-based image editing pairs: before, after, instruction, changed region.",
    model=EditPairs,
    prompt=prompt(
        "aigc.edit_pairs",
        """Write one editing instruction per before/after image pair, as a user would ask an image editor
("make the sky orange", "remove the cup on the left"). Describe exactly the change visible between the two images,
inside the changed region given by the edit_region anchors, and nothing else.""",
    ),
    examples=examples_of("aigc"),
    synthesize=synthesize_edits,
    source_kinds=frozenset({SourceKind.edit_sequence, SourceKind.image_set}),
    extractors=("edit_pair", "edit_region"),
    keywords=("edit", "editing", "instruction based editing", "before and after", "before after", "inpainting", "edit pair",
              "retouch"),
    rank={SourceKind.edit_sequence: 10, SourceKind.image_set: 10},
)

TASKS = (I2V, EDITS)

EXPERT = Expert(
    domain="aigc",
    description="Generative-model data: first-frame + prompt clips for image-to-video, before/after pairs for image editing.",
    keywords=("aigc", "generation", "generative", "diffusion", "synthesis model", "text to video", "image to video", "i2v",
              "video generation", "image editing", "editing model"),
    tasks=TASKS,
)
