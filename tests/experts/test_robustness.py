"""Synthesisers never crash on odd anchors: any anchor set gives a schema-valid record or an InputError.

Extractors may leave out times, positions or content, or give a kind odd content; the rules backend
must still answer with something the validator can report on, never a traceback.
"""

import json
import random

import pytest

from dataclaw_tailor.core import Anchor, InputError, Intent, Source, TailorContext
from dataclaw_tailor.core.validate import schema_problems
from dataclaw_tailor.experts.registry import list_tasks

KINDS = ["shot", "cut", "keyframe", "ocr", "subtitle", "motion", "gui_task", "gui_event", "gui_element", "screen_change",
         "robot_task", "gripper", "pause", "hesitation", "regrasp", "phase", "frame", "edit_pair", "edit_region"]
CONTENTS = [
    None, "", "text here", {}, {"state": "close"}, {"state": "open"}, {"state": "static"}, {"state": None},
    {"action": "click", "step": 0}, {"action": "hover", "step": 1}, {"action": "key", "keys": "ctrl+c"}, {"action": "type", "text": "x\ty"},
    {"action": None}, {"skill": None}, {"skill": "grasp"}, {"before": "a.png", "after": "b.png", "pair": "edit_pair:0"},
    {"before": "a.png", "after": None}, {"instruction": None, "robot": None}, {"task": None, "width": None}, {"path": None, "shot": "shot:9"},
]


def odd_anchors(rnd: random.Random) -> list[Anchor]:
    return [
        Anchor(id=f"{kind}:{i}", kind=kind, t=rnd.choice([None, 0.0, 1.5, (0.0, 2.0), (2.0, 2.0), (1.0, 9.5)]),
               p=rnd.choice([None, [5.0, 5.0], [1.0, 1.0, 30.0, 20.0], [1.0, 2.0, 3.0]]), c=rnd.choice(CONTENTS))
        for i, kind in enumerate(rnd.choice(KINDS) for _ in range(rnd.randint(0, 10)))
    ]


@pytest.mark.parametrize("task", [t for t in list_tasks() if t.model is not None], ids=lambda t: t.name)
def test_any_anchor_set_gives_a_schema_valid_record_or_an_input_error(task):
    rnd = random.Random(task.name)
    produced = 0
    for _ in range(60):
        anchors = odd_anchors(rnd)
        meta = rnd.choice([{}, {"duration_s": 10.0}, {"duration_s": 10.0, "width": 64, "height": 48}, {"duration_s": 0.0}])
        for kind in sorted(task.source_kinds):
            source = Source(path="odd", kind=kind, content_hash="0" * 64, meta=meta)
            ctx = TailorContext(source=source, intent=Intent(text="x", max_items=rnd.choice([None, 1, 2])), anchors=anchors, task=task.name)
            try:
                record = task.synthesize(ctx)
            except InputError as exc:
                assert exc.path in ("odd", "intent.schema")
                continue
            assert schema_problems(json.loads(json.dumps(record)), task.json_schema()) == []
            produced += 1
    assert produced > 0
