"""Small hand-made sources and anchors per stream kind, shaped like the extractors' output."""

from dataclaw_tailor.core import Anchor, Intent, Source, SourceKind, TailorContext
from dataclaw_tailor.experts.registry import get_task

CUSTOM_SCHEMA = {
    "type": "object", "required": ["title", "highlights"],
    "properties": {
        "title": {"type": "string"},
        "highlights": {"type": "array", "items": {
            "type": "object", "required": ["start_s", "end_s", "quote", "anchor_ids"],
            "properties": {"start_s": {"type": "number"}, "end_s": {"type": "number"}, "quote": {"type": "string"},
                           "anchor_ids": {"type": "array", "items": {"type": "string"}}}}},
    },
}

META = {
    SourceKind.video: {"duration_s": 24.0, "width": 1280, "height": 720, "fps": 30},
    SourceKind.gui_trace: {"width": 1024, "height": 768, "n_steps": 6, "duration_s": 30.0},
    SourceKind.robot_episode: {"duration_s": 7.4, "fps": 30, "n_steps": 221},
    SourceKind.edit_sequence: {"width": 512, "height": 512},
    SourceKind.image_set: {"width": 512, "height": 512},
}


def anchors_for(kind: SourceKind) -> list[Anchor]:
    if kind == SourceKind.video:
        return (
            [Anchor(id=f"shot:{i}", kind="shot", t=(i * 6.0, i * 6.0 + 6)) for i in range(4)]
            + [Anchor(id=f"ocr:{i}", kind="ocr", t=i * 5.0 + 1, p=[10.0, 20.0, 200.0, 60.0], c="GLACIER SPEED") for i in range(3)]
            + [Anchor(id=f"subtitle:{i}", kind="subtitle", t=(i * 4.0, i * 4.0 + 3), c="Today we measure glaciers.") for i in range(3)]
        )
    if kind == SourceKind.gui_trace:
        return (
            [Anchor(id="gui_task:0", kind="gui_task", c={"task": "search for cake", "platform": "ubuntu", "width": 1024, "height": 768})]
            + [Anchor(id=f"gui_event:{i}", kind="gui_event", t=i * 5.0, p=[100.0 * i + 50, 60.0 * i + 40],
                      c={"step": i, "action": "click", "x": 100 * i + 50, "y": 60 * i + 40}) for i in range(6)]
            + [Anchor(id=f"gui_element:{i}", kind="gui_element", p=[90.0 * i, 50.0 * i, 90.0 * i + 80, 50.0 * i + 30],
                      c={"text": "Search", "step": i}) for i in range(3)]
        )
    if kind == SourceKind.robot_episode:
        return (
            [Anchor(id="robot_task:0", kind="robot_task", c={"instruction": "pick up the bottle", "robot": "g1"})]
            + [Anchor(id=f"phase:{i}", kind="phase", t=(i * 2.4, i * 2.4 + 2.4), c={"skill": s}) for i, s in enumerate(["reach", "grasp", "lift"])]
            + [Anchor(id="gripper:0", kind="gripper", t=2.5, c={"state": "close"})]
        )
    return (
        [Anchor(id=f"edit_pair:{i}", kind="edit_pair", c={"before": f"b{i}.png", "after": f"a{i}.png", "instruction": "make it red"}) for i in range(3)]
        + [Anchor(id=f"edit_region:{i}", kind="edit_region", p=[10.0, 10.0, 100.0, 120.0], c={"magnitude": 0.3, "pair": f"edit_pair:{i}"}) for i in range(3)]
    )


def context_for(task: str) -> TailorContext:
    """A context whose source kind suits `task` (custom: a video with the CUSTOM_SCHEMA intent)."""
    spec = get_task(task)
    kind = SourceKind.video if task == "custom" else sorted(spec.source_kinds)[0]
    source = Source(path="/nonexistent/source", kind=kind, content_hash="0" * 64, meta=META[kind])
    intent = Intent(text="make training data", task=task, schema=CUSTOM_SCHEMA if task == "custom" else None)
    return TailorContext(source=source, intent=intent, anchors=anchors_for(kind), task=task)
