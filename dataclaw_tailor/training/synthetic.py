"""Sources described only by their anchors, generated from a seed, and tailored into triplets by the rules backend.

Videos (shots, cuts) and robot episodes (instruction, skill phases, gripper events, pauses) with random
timings: the `rules` backend tailors them for two `custom`-task intents with small schemas (shot spans
with a summary; skill segments with the task), and `core.validate` checks every record. The CPU demo
and the DataClaw-nano ablation train and score on them (`training.demo`, `training.ablation`).
"""

from __future__ import annotations

import json
import random

from ..core import Anchor, Intent, Source, SourceKind
from ..core.validate import check_record
from .triplets import Triplet, triplet_key


def _items(name: str, fields: dict, top: dict) -> dict:
    item = {"type": "object", "properties": {**fields, "anchor_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
            "required": [*fields, "anchor_ids"], "additionalProperties": False}
    return {"type": "object", "properties": {**top, name: {"type": "array", "items": item, "minItems": 1}},
            "required": [*top, name], "additionalProperties": False}


TEXT = {"type": "string"}
SHOTS_SCHEMA = _items("shots", {"start_s": {"type": "number"}, "end_s": {"type": "number"}}, {"summary": TEXT})
SEGMENTS_SCHEMA = _items("segments", {"start_s": {"type": "number"}, "end_s": {"type": "number"}, "skill": TEXT}, {"task": TEXT})
SKILLS = ("reach", "grasp", "lift", "move", "place", "release")
TASKS = {
    "video": (SourceKind.video, "List the shots of this video with their time spans.", SHOTS_SCHEMA),
    "robot": (SourceKind.robot_episode, "Segment this robot episode into its skill phases.", SEGMENTS_SCHEMA),
}
"""Two `custom`-task intents with small user schemas (shot spans; phase segments): records of ~100-150
tokens keep SFT and GRPO within minutes on two CPU cores. Times and ids are grounding claims; the text
fields (a summary, the episode's task, each segment's skill) give the Semantic metric something to read."""
OBJECTS = ("red cup", "blue block", "sponge", "carrot", "spoon", "bowl")


def _round(x: float) -> float:
    return round(x, 2)


def synthetic_video(rng: random.Random, index: int) -> tuple[Source, list[Anchor]]:
    """A video known only by its anchors: 2-4 shots and the hard cuts between them."""
    duration = _round(rng.uniform(6, 20))
    n = rng.randint(2, 4)
    cuts = sorted(_round(rng.uniform(1, duration - 1)) for _ in range(n - 1))
    edges = [0.0, *cuts, duration]
    anchors = [Anchor(id=f"shot:{k}", kind="shot", t=(edges[k], edges[k + 1]), extractor="demo@1") for k in range(n)]
    anchors += [Anchor(id=f"cut:{k}", kind="cut", t=t, c={"type": "hard", "score": _round(rng.uniform(0.3, 0.9))}, extractor="demo@1")
                for k, t in enumerate(cuts)]
    source = Source(path=f"demo/video_{index}.mp4", kind=SourceKind.video, content_hash=f"demo-video-{index}", format="mp4",
                    meta={"duration_s": duration, "width": 640, "height": 360, "fps": 25})
    return source, anchors


def synthetic_episode(rng: random.Random, index: int) -> tuple[Source, list[Anchor]]:
    """A robot episode known only by its anchors: instruction, skill phases, gripper close/open, a pause."""
    obj = rng.choice(OBJECTS)
    skills = list(SKILLS[: rng.randint(4, 6)])
    t, anchors = 0.0, [Anchor(id="robot_task:0", kind="robot_task", c={"instruction": f"pick up the {obj}", "robot": "widowx"}, extractor="demo@1")]
    grip = 0
    for k, skill in enumerate(skills):
        length = _round(rng.uniform(0.8, 3.0))
        anchors.append(Anchor(id=f"phase:{k}", kind="phase", t=(_round(t), _round(t + length)), c={"skill": skill}, extractor="demo@1"))
        if skill in ("grasp", "release"):
            state = "close" if skill == "grasp" else "open"
            anchors.append(Anchor(id=f"gripper:{grip}", kind="gripper", t=_round(t + length / 2), c={"state": state}, extractor="demo@1"))
            grip += 1
        t += length
    if rng.random() < 0.5:
        s = _round(rng.uniform(0, t - 1))
        anchors.append(Anchor(id="pause:0", kind="pause", t=(s, _round(s + 0.6)), extractor="demo@1"))
    duration = _round(t)
    source = Source(path=f"demo/episode_{index}", kind=SourceKind.robot_episode, content_hash=f"demo-episode-{index}", format="demo",
                    meta={"duration_s": duration, "fps": 10, "n_steps": int(duration * 10)})
    return source, anchors


def make_triplets(n: int, seed: int = 0) -> list[Triplet]:
    """`n` triplets alternating between the two demo intents, tailored by the `custom` task's rules synthesiser
    (exactly what the `rules` backend returns for them)."""
    from ..core import TailorContext
    from ..experts.registry import get_task

    rng = random.Random(seed)
    names = list(TASKS)
    spec = get_task("custom")
    out = []
    for i in range(n):
        kind, text, schema = TASKS[names[i % len(names)]]
        source, anchors = (synthetic_video if kind == SourceKind.video else synthetic_episode)(rng, seed * 100000 + i)
        intent = Intent(text=text, task=spec.name, schema=schema)
        record = spec.synthesize(TailorContext(source, intent, anchors, spec.name))
        checked = check_record(json.dumps(record), schema, anchors, source)
        out.append(Triplet(
            key=triplet_key(source, intent, "rules"), source=source, intent=intent, domain=spec.domain, task=spec.name,
            json_schema=schema, anchors=anchors, record=checked.record, valid=checked.report.valid,
            validation=checked.report.summary(), teacher="rules",
        ))
    return out
