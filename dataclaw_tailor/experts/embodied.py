"""Embodied expert: robot episodes (and manipulation videos) to skill segments and spatio-temporal QA.

Anchors read: `robot_task` (instruction, robot), `phase` (a skill span), `gripper` (close/open
events), `pause`, `hesitation` and `regrasp` spans, and `frame` images; on plain videos the shared
video anchors (shots, motion, OCR) stand in.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Literal

from pydantic import Field

from ..core import Anchor, ExportUnit, SourceKind, TailorContext, TaskSpec, of_kind
from ..core.contents import GripperContent, PhaseContent, RobotTaskContent
from .common import QA_DEFAULT_ITEMS, QA_KEYWORDS, AnchorIds, Expert, Seconds, Span, Strict, Text, clean, duration, fmt_span, limit, prompt, r3, sorted_by_time
from .examples import examples_of
from . import video

VERSION = "1.0"
MIN_SPAN_S = 0.1
"""A phase, anomaly or evidence clip shorter than this is no span to segment or ask about."""
MIN_SEGMENT_S = 0.3
"""No skill segment is shorter than this (the robot extractor's shortest phase): a shorter piece joins its neighbour."""
_EPS = 1e-6
"""Times are rounded to milliseconds: a 0.3 s phase may read as 0.29999."""

Gripper = Literal["open", "closed", "opening", "closing", "unknown"]
AnomalyType = Literal["hesitation", "regrasp", "drop", "idle"]


class Segment(Strict):
    start_s: Seconds
    end_s: Seconds
    skill: Text = Field(description="Short skill name, e.g. 'reach', 'grasp', 'lift', 'place', 'release'.")
    description: Text = Field(description="What the robot does in this span, in one sentence.")
    gripper: Gripper = Field(description="Gripper/hand state during the span: closing/opening when it changes inside it.")
    anchor_ids: AnchorIds


class Anomaly(Strict):
    type: AnomalyType = Field(description="hesitation (slow, unsure motion), regrasp (a second grasp attempt), drop, idle (no motion).")
    start_s: Seconds
    end_s: Seconds
    evidence: Text = Field(description="The observation that shows the anomaly.")
    anchor_ids: AnchorIds


class EmbodiedSubtasks(Strict):
    """Skill segmentation of a manipulation episode, with anomalies worth filtering or learning from."""

    task: Text = Field(description="The instruction the robot was given.")
    robot: Text = Field(description="Robot or embodiment name, 'unknown' if not recorded.")
    segments: list[Segment] = Field(min_length=1, description="Consecutive skill segments in temporal order.")
    anomalies: list[Anomaly] = Field(description="Anomalous spans in temporal order; empty when none were observed.")


class EmbodiedQA(Strict):
    question: Text
    answer: Text
    clip: Span = Field(description="[start, end] seconds of the evidence for the answer.")
    reasoning: Text = Field(description="How the answer follows from the cited observations.")
    anchor_ids: AnchorIds


class EmbodiedVQA(Strict):
    """Spatio-temporal question answering about what the robot does."""

    task: Text = Field(description="The instruction the robot was given ('unknown' if not recorded).")
    qa: list[EmbodiedQA] = Field(min_length=1)


def _spans(a: Anchor) -> bool:
    """A timed anchor that covers at least MIN_SPAN_S (a 0-second phase or pause says nothing)."""
    return a.start is not None and a.end is not None and a.end - a.start >= MIN_SPAN_S


class _Episode:
    def __init__(self, ctx: TailorContext):
        self.ctx = ctx
        self.total = duration(ctx)
        tasks = of_kind(ctx.anchors, "robot_task")
        self.task_anchor = tasks[0] if tasks else None
        self.phases = sorted_by_time(a for a in of_kind(ctx.anchors, "phase") if _spans(a))
        self.grips = sorted_by_time(a for a in of_kind(ctx.anchors, "gripper") if a.start is not None)
        self.pauses = sorted_by_time(a for a in of_kind(ctx.anchors, "pause") if _spans(a) and self.inside(a))
        self.grip_times = [g.start for g in self.grips]

    def grips_within(self, start: float, end: float) -> list[Anchor]:
        """Gripper events in [start, end], by bisection (episodes have thousands of steps, pauses and events)."""
        return self.grips[bisect_left(self.grip_times, start):bisect_right(self.grip_times, end)]

    def inside(self, a: Anchor) -> bool:
        """A span that neither starts with the episode nor ends with it: standing still before the first motion or
        after the last is the recording's margin, not a pause in the task (no segment, anomaly or question)."""
        return a.start > 1e-3 and a.end < self.total - 1e-3

    @property
    def task(self) -> str:
        text = RobotTaskContent.of(self.task_anchor).instruction or ""
        return clean(text or "unknown", 300)

    @property
    def robot(self) -> str:
        value = RobotTaskContent.of(self.task_anchor).robot
        return clean(str(value or "unknown"), 60)

    def gripper(self, start: float, end: float) -> tuple[Gripper, list[Anchor]]:
        """State over [start, end): the change in it if there is one (a phase often begins at the gripper event
        that defines it, as a grasp begins with the close), else the last state before it."""
        inside = [g for g in self.grips if start <= g.start < end]
        if inside:
            last = GripperContent.of(inside[-1]).state
            return ("closing" if last == "close" else "opening"), inside
        before = [g for g in self.grips if g.start < start]
        if before:
            return ("closed" if GripperContent.of(before[-1]).state == "close" else "open"), []
        return "unknown", []

    def frames_at(self, t: float) -> list[Anchor]:
        """Frame anchors within 0.5 s of a segment edge that no event marks (the episode's start or end)."""
        return [f for f in of_kind(self.ctx.anchors, "frame") if f.start is not None and abs(f.start - t) <= 0.5][:1]

    def cuts(self) -> list[tuple[float, float, str, list[Anchor], str]]:
        """Skill spans with their evidence and a note: phases if extracted, else spans between gripper
        events, else the video's shots (skill 'unknown': a plain video does not say what the robot does)."""
        if self.phases:
            return [(p.start, p.end, clean(str(PhaseContent.of(p).skill or "unknown"), 40), [p], "") for p in self.phases]
        if self.grips:
            out, start, previous = [], 0.0, []
            for g in self.grips:
                if g.start > start:
                    skill = "reach and grasp" if GripperContent.of(g).state == "close" else "move and release"
                    out.append((start, g.start, skill, previous + [g] + self.frames_at(start), ""))
                start, previous = g.start, [g]
            if self.total > start:
                skill = "hold" if GripperContent.of(self.grips[-1]).state == "close" else "retreat"
                out.append((start, self.total, skill, previous + self.frames_at(self.total), ""))
            if out:
                return out
        return [(s.start, s.end, "unknown", s.anchors, video.describe(s)) for s in video.spans(self.ctx)]

    def segments(self) -> list[tuple[float, float, str, list[Anchor], str]]:
        """`cuts`, each split where the arm stands still inside it (a velocity pause with no gripper event in it: a
        still arm while the gripper acts is the grasp itself) into the skill before, a 'pause' and the skill after;
        a piece shorter than MIN_SEGMENT_S joins the pause (the pauses are walked once, in time order)."""
        out: list[tuple[float, float, str, list[Anchor], str]] = []
        k = 0
        for start, end, skill, own, note in self.cuts():
            while k < len(self.pauses) and self.pauses[k].start <= start:
                k += 1
            cursor = start
            while k < len(self.pauses) and self.pauses[k].end < end:
                p = self.pauses[k]
                k += 1
                if self.grips_within(p.start, p.end) or note:
                    continue
                if p.start - cursor >= MIN_SEGMENT_S - _EPS:
                    out.append((cursor, p.start, skill, own, ""))
                    cursor = p.start
                out.append((cursor, p.end, "pause", [p], ""))
                cursor = p.end
            if cursor > start and end - cursor < MIN_SEGMENT_S - _EPS:
                last = out.pop()
                out.append((last[0], end, last[2], last[3], ""))
            else:
                out.append((cursor, end, skill, own, note))
        merged: list[tuple[float, float, str, list[Anchor], str]] = []
        for seg in out:
            if merged and seg[1] - seg[0] < MIN_SEGMENT_S - _EPS:
                prev = merged.pop()
                merged.append((prev[0], seg[1], prev[2], prev[3] + seg[3], prev[4]))
            elif merged and merged[-1][1] - merged[-1][0] < MIN_SEGMENT_S - _EPS:
                prev = merged.pop()
                merged.append((prev[0], seg[1], seg[2], prev[3] + seg[3], seg[4]))
            else:
                merged.append(seg)
        return merged


def synthesize_subtasks(ctx: TailorContext) -> dict[str, Any]:
    ep = _Episode(ctx)
    segments = []
    for start, end, skill, own, note in ep.segments():
        state, grips = ep.gripper(start, end)
        lead = "The arm stands still" if skill == "pause" else f"{skill[:1].upper()}{skill[1:]}"
        facts = [note.rstrip(".") if note else f"{lead} ({fmt_span(start, end)})"]
        if grips:
            facts.append("the gripper " + ", then ".join(f"{'closes' if GripperContent.of(g).state == 'close' else 'opens'} at {g.start:.1f} s" for g in grips))
        elif state != "unknown":
            facts.append(f"the gripper stays {state}")
        segments.append({"start_s": r3(start), "end_s": r3(end), "skill": skill, "description": clean("; ".join(facts) + ".", 300),
                         "gripper": state, "anchor_ids": list(dict.fromkeys(a.id for a in own + grips))})
    kinds = {"hesitation": "hesitation", "regrasp": "regrasp", "pause": "idle", "drop": "drop"}
    anomalies = []
    for a in sorted_by_time(of_kind(ctx.anchors, *kinds)):
        if not _spans(a) or a.kind == "pause" and not ep.inside(a):
            continue
        kind = kinds[a.kind]
        what = {"hesitation": "motion slows and stalls", "regrasp": "the gripper closes again after opening",
                "idle": "the robot does not move", "drop": "the object is released unexpectedly"}[kind]
        anomalies.append({"type": kind, "start_s": r3(a.start), "end_s": r3(a.end),
                          "evidence": f"{a.kind} anchor {a.id}: {what} ({fmt_span(a.start, a.end)}).", "anchor_ids": [a.id]})
    record = {"task": ep.task, "robot": ep.robot, "segments": limit(segments, ctx), "anomalies": limit(anomalies, ctx)}
    return EmbodiedSubtasks.model_validate(record).model_dump()


def synthesize_vqa(ctx: TailorContext) -> dict[str, Any]:
    """QA from the robot anchors (task, skills, their order, gripper events, anomalies); video QA otherwise."""
    ep = _Episode(ctx)
    qa: list[dict] = []
    total = ep.total
    if ep.task_anchor and ep.task != "unknown":
        timed = ep.task_anchor.t is not None
        clip = [r3(ep.task_anchor.start), r3(ep.task_anchor.end)] if timed else [0.0, r3(total)]
        qa.append({"question": "What is the robot asked to do?", "answer": ep.task, "clip": clip,
                   "reasoning": f"The episode's instruction ({ep.task_anchor.id}).", "anchor_ids": [ep.task_anchor.id]})
    for p in ep.phases:
        skill = clean(str(PhaseContent.of(p).skill or "unknown"), 40)
        qa.append({"question": f"What is the robot doing between {p.start:.1f} s and {p.end:.1f} s?", "answer": f"It performs '{skill}'.",
                   "clip": [r3(p.start), r3(p.end)], "reasoning": f"Phase anchor {p.id} labels {fmt_span(p.start, p.end)} as '{skill}'.",
                   "anchor_ids": [p.id]})
    for p1, p2 in zip(ep.phases, ep.phases[1:]):
        s1, s2 = PhaseContent.of(p1).skill, PhaseContent.of(p2).skill
        if s1 and s2 and s1 != s2:
            qa.append({"question": f"What does the robot do right after '{s1}'?", "answer": f"'{s2}', from {p2.start:.1f} s.",
                       "clip": [r3(p1.start), r3(p2.end)], "reasoning": f"{p1.id} ends at {p1.end:.1f} s and {p2.id} follows.",
                       "anchor_ids": [p1.id, p2.id]})
    closes = [g for g in ep.grips if GripperContent.of(g).state == "close"]
    if closes:
        first = closes[0]
        qa.append({"question": "When does the gripper first close?", "answer": f"At about {first.start:.1f} s.",
                   "clip": [r3(max(first.start - 0.5, 0)), r3(min(first.start + 0.5, total))],
                   "reasoning": f"Gripper anchor {first.id} records a close at {first.start:.1f} s.", "anchor_ids": [first.id]})
        qa.append({"question": "How many times does the gripper close during the episode?", "answer": str(len(closes)),
                   "clip": [r3(max(closes[0].start - 0.5, 0)), r3(min(closes[-1].start + 0.5, total))],
                   "reasoning": "Gripper closes at " + ", ".join(f"{g.start:.1f} s" for g in closes) + ".", "anchor_ids": [g.id for g in closes]})
    for a in sorted_by_time(a for a in of_kind(ctx.anchors, "hesitation", "regrasp", "pause") if _spans(a)):
        if a.kind == "pause" and not ep.inside(a):
            continue
        word = {"hesitation": "hesitate", "regrasp": "re-grasp", "pause": "stop moving"}[a.kind]
        qa.append({"question": f"Does the robot {word} during the episode?", "answer": f"Yes, from {a.start:.1f} s to {a.end:.1f} s.",
                   "clip": [r3(a.start), r3(a.end)], "reasoning": f"{a.kind} anchor {a.id} spans {fmt_span(a.start, a.end)}.", "anchor_ids": [a.id]})
    qa.extend(_close_vs_pause(ep, closes))
    if not ep.phases and not ep.grips:
        qa += [{k: v for k, v in q.items() if k != "type"} for q in video.questions(ctx)]
    qa = [q for q in qa if q["clip"][1] - q["clip"][0] >= MIN_SPAN_S]
    if not qa:
        qa.append({"question": "How long is the recording?", "answer": f"About {total:.1f} s.", "clip": [0.0, r3(total)],
                   "reasoning": "The source duration.", "anchor_ids": []})
    return EmbodiedVQA.model_validate({"task": ep.task, "qa": limit(qa, ctx, QA_DEFAULT_ITEMS)}).model_dump()


def _close_vs_pause(ep: _Episode, closes: list[Anchor]) -> list[dict]:
    """For each pause inside the episode, whether the nearest gripper close comes before, during or after it."""
    if not closes:
        return []
    qa = []
    times = [c.start for c in closes]
    for p in ep.pauses:
        k = bisect_left(times, p.start)
        # the nearest close is the last one before the pause or the first one from its start
        g = min(closes[max(0, k - 1):k + 1], key=lambda c: 0.0 if p.start <= c.start <= p.end else min(abs(c.start - p.start), abs(c.start - p.end)))
        when = "during" if p.start <= g.start <= p.end else ("before" if g.start < p.start else "after")
        lo, hi = min(g.start, p.start), max(g.start, p.end)
        qa.append({"question": f"Does the gripper close before, during or after the arm stands still at {p.start:.1f} s?",
                   "answer": f"{when.capitalize()} it: the gripper closes at {g.start:.1f} s and the arm is still from {p.start:.1f} s to {p.end:.1f} s.",
                   "clip": [r3(max(0.0, lo - 0.2)), r3(min(ep.total, hi + 0.2))],
                   "reasoning": f"Gripper anchor {g.id} closes at {g.start:.1f} s; pause anchor {p.id} spans {fmt_span(p.start, p.end)}.",
                   "anchor_ids": [p.id, g.id]})
    return qa


SUBTASKS = TaskSpec(
    name="embodied.subtasks",
    domain="embodied",
    version=VERSION,
    description="Robot skill segmentation: consecutive skill segments with gripper state, plus anomalies (hesitation, regrasp, drop, idle).",
    model=EmbodiedSubtasks,
    prompt=prompt(
        "embodied.subtasks",
        """Segment the manipulation episode into consecutive skills (reach, grasp, lift, move, place, release ...).
Each segment gives start_s/end_s aligned with phase and gripper anchors, a short skill name, one sentence on what the
robot does, and the gripper state. List anomalies (hesitation, regrasp, drop, idle) with their span and the evidence
that shows them; leave the list empty when no anchor shows one.""",
    ),
    examples=examples_of("embodied"),
    synthesize=synthesize_subtasks,
    source_kinds=frozenset({SourceKind.robot_episode, SourceKind.video}),
    extractors=("robot_task", "phase", "gripper", "pause", "hesitation", "regrasp", "frame", "shot", "motion"),
    keywords=("segment", "segmentation", "skill", "subtask", "sub task", "phase", "primitive", "anomaly", "anomalies",
              "hesitation", "regrasp", "failure"),
    rank={SourceKind.robot_episode: 10, SourceKind.video: 50},
)

VQA = TaskSpec(
    name="embodied.vqa",
    domain="embodied",
    version=VERSION,
    description="Spatio-temporal QA on manipulation: question, answer, evidence clip, reasoning.",
    model=EmbodiedVQA,
    prompt=prompt(
        "embodied.vqa",
        """Write question/answer pairs about what the robot does and when: its task, the order of its skills,
gripper events, contacts, anomalies and where things are. Each answer must follow from the cited anchors or frames;
`clip` is the evidence span and `reasoning` says how the answer follows from it.""",
    ),
    examples=examples_of("embodied"),
    synthesize=synthesize_vqa,
    source_kinds=frozenset({SourceKind.robot_episode, SourceKind.video}),
    extractors=("robot_task", "phase", "gripper", "pause", "hesitation", "regrasp", "frame", "shot", "cut", "ocr", "motion"),
    keywords=QA_KEYWORDS + ("ask",),
    rank={SourceKind.robot_episode: 20, SourceKind.video: 60},
    export_unit=ExportUnit.question,
)

TASKS = (SUBTASKS, VQA)

EXPERT = Expert(
    domain="embodied",
    description="Robot episodes and manipulation videos to skill segments, anomalies and spatio-temporal QA.",
    keywords=("robot", "robotic", "robotics", "manipulation", "embodied", "gripper", "arm", "episode", "teleoperation",
              "teleop", "lerobot", "rlds", "humanoid", "policy"),
    tasks=TASKS,
)
