"""Synthesisers never crash on odd inputs: any anchor set gives a schema-valid record or an InputError,
and any user schema built from common keywords gets a valid instance.

Extractors may leave out times, positions, content or any of its fields, or give a kind odd values; users
write schemas we have not seen. The rules backend must still answer with something the validator can
report on, never a traceback. (A content that does not fit its kind's model cannot reach a synthesiser:
building the anchor rejects it, see tests/core/test_contents.py.)
"""

import json
import random

import pytest
from pydantic import ValidationError

from dataclaw_tailor.core import Anchor, InputError, Intent, Source, TailorContext
from dataclaw_tailor.core.validate import schema_problems
from dataclaw_tailor.experts.examples import example_context
from dataclaw_tailor.experts.registry import get_task, list_tasks

KINDS = ["shot", "cut", "keyframe", "ocr", "subtitle", "motion", "gui_task", "gui_event", "gui_element", "screen_change",
         "robot_task", "gripper", "pause", "hesitation", "regrasp", "phase", "frame", "edit_pair", "edit_region"]
CONTENTS = [
    None, "", "text here", {}, {"state": "close"}, {"state": "open"}, {"state": "static"}, {"state": None},
    {"action": "click", "step": 0}, {"action": "hover", "step": 1}, {"action": "key", "keys": "ctrl+c"}, {"action": "type", "text": "x\ty"}, {"text": "Submit", "step": 0},
    {"action": None}, {"skill": None}, {"skill": "grasp"}, {"before": "a.png", "after": "b.png"}, {"pair": "edit_pair:0"},
    {"before": "a.png", "after": None}, {"instruction": None, "robot": None}, {"task": None, "width": None}, {"path": None, "shot": "shot:9"},
]


def _fits(kind: str, content) -> bool:
    try:
        Anchor(id=f"{kind}:0", kind=kind, c=content)
    except ValidationError:
        return False
    return True


FITTING = {kind: [c for c in CONTENTS if _fits(kind, c)] for kind in KINDS}
"""The odd contents each kind's content model accepts (a content that does not fit is rejected when the anchor is built)."""


def odd_anchors(rnd: random.Random) -> list[Anchor]:
    return [
        Anchor(id=f"{kind}:{i}", kind=kind, t=rnd.choice([None, 0.0, 1.5, (0.0, 2.0), (2.0, 2.0), (1.0, 9.5)]),
               p=rnd.choice([None, [5.0, 5.0], [1.0, 1.0, 30.0, 20.0], [1.0, 2.0, 3.0]]), c=rnd.choice(FITTING[kind]))
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


NAMES = ["start_s", "end_s", "t", "clip", "span", "x", "y", "point", "bbox", "region", "text", "caption", "label", "kind", "id",
         "anchor_ids", "count", "duration_s", "width", "index", "path", "screenshot", "notes", "score", "items", "events", "flag"]
FIXED = {"anchor_ids": {"type": "array", "items": {"type": "string"}},
         "clip": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
         "span": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
         "point": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
         "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4}}


def random_schema(rnd: random.Random, depth: int = 0) -> dict:
    """An object schema mixing the keywords users write: bounds, enums, const, nullable, nesting, arrays."""
    def leaf(d: int) -> dict:
        pick = rnd.random()
        if pick < 0.2:
            return {"type": "string", **({"minLength": 2} if rnd.random() < 0.2 else {}), **({"maxLength": 8} if rnd.random() < 0.2 else {})}
        if pick < 0.35:
            return {"type": rnd.choice(["number", "integer"]), **({"minimum": 1} if rnd.random() < 0.3 else {}),
                    **({"maximum": 5} if rnd.random() < 0.3 else {})}
        if pick < 0.45:
            return {"enum": rnd.choice([["a", "b"], [1, 2], ["open", "close"]])}
        if pick < 0.5:
            return {"type": "boolean"}
        if pick < 0.55:
            return {"const": "fixed"}
        if pick < 0.65:
            return {"anyOf": [{"type": "null"}, leaf(d)]}
        if d > 2:
            return {"type": ["string", "null"]}
        if pick < 0.8:
            return random_schema(rnd, d + 1)
        return {"type": "array", "items": rnd.choice([leaf(d + 1), random_schema(rnd, d + 1)]),
                **({"minItems": rnd.randint(0, 3)} if rnd.random() < 0.4 else {}), **({"maxItems": rnd.randint(3, 5)} if rnd.random() < 0.3 else {})}

    props = {name: FIXED.get(name) or leaf(depth) for name in rnd.sample(NAMES, rnd.randint(1, 5))}
    return {"type": "object", "properties": props, "required": [n for n in props if rnd.random() < 0.7], "additionalProperties": False}


@pytest.mark.parametrize("domain", ["daily", "gui", "embodied", "aigc"])
def test_custom_fills_random_user_schemas_validly(domain):
    custom = get_task("custom")
    base = example_context(domain, {"daily": "daily.vqa", "gui": "gui.trajectory", "embodied": "embodied.subtasks", "aigc": "aigc.edit_pairs"}[domain])
    rnd = random.Random(domain)
    for _ in range(60):
        schema = random_schema(rnd)
        ctx = TailorContext(source=base.source, intent=Intent(text="mine", schema=schema), anchors=base.anchors, task="custom")
        record = custom.synthesize(ctx)
        assert schema_problems(record, schema) == [], json.dumps(schema)
