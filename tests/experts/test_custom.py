import pytest

from dataclaw_tailor.core import InputError, Intent, TailorContext
from dataclaw_tailor.experts.examples import example_context
from dataclaw_tailor.experts.registry import get_task

from .support import EXAMPLE_SCHEMA, context, synthesize_checked

VIDEO = [
    {"id": "shot:0", "kind": "shot", "t": [0.0, 4.0]},
    {"id": "shot:1", "kind": "shot", "t": [4.0, 10.0]},
    {"id": "ocr:0", "kind": "ocr", "t": 2.0, "p": [100, 50, 300, 90], "c": "EXIT"},
    {"id": "ocr:1", "kind": "ocr", "t": 6.0, "p": [500, 400, 600, 440], "c": "Platform 2"},
]
META = {"duration_s": 10.0, "width": 640, "height": 480}


def test_highlights_schema_takes_text_bearing_anchors():
    record = synthesize_checked(example_context("custom", "custom"))
    assert [(h["start_s"], h["end_s"], h["quote"], h["anchor_ids"]) for h in record["highlights"]] == [
        (1.0, 6.0, "Today we measure how fast glaciers move.", ["subtitle:0"]),
        (13.0, 18.0, "GPS stations drift about a metre a day.", ["subtitle:1"]),
    ]
    assert record["highlights"][0]["kind"] == "speech"


def test_positions_refs_enums_and_bounds():
    schema = {
        "type": "object",
        "$defs": {"Label": {"type": "object", "properties": {
            "text": {"type": "string", "maxLength": 5},
            "point": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            "bbox": {"type": "array", "items": {"type": "integer"}},
            "t": {"type": "number"},
            "size": {"enum": ["small", "large"]},
            "confidence": {"type": "number", "minimum": 0.5, "maximum": 1},
            "anchor_ids": {"type": "array", "items": {"type": "string"}},
        }, "required": ["text", "point", "bbox", "t", "size", "confidence", "anchor_ids"], "additionalProperties": False}},
        "properties": {
            "labels": {"type": "array", "items": {"$ref": "#/$defs/Label"}, "maxItems": 5},
            "video_length": {"type": ["number", "null"]},
            "verified": {"type": "boolean"},
        },
        "required": ["labels", "video_length", "verified"],
    }
    record = synthesize_checked(context("custom", "video", VIDEO, META, schema=schema))
    assert record["labels"][1] == {"text": "Platf", "point": [550.0, 420.0], "bbox": [500, 400, 600, 440], "t": 6.0,
                                   "size": "small", "confidence": 0.5, "anchor_ids": ["ocr:1"]}
    assert record["verified"] is False and record["video_length"] == 10.0


def test_min_items_max_items_and_intent_budget():
    schema = {"type": "object", "properties": {
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "scenes": {"type": "array", "minItems": 1, "maxItems": 1, "items": {"type": "object", "properties": {
            "clip": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            "anchor_ids": {"type": "array", "items": {"type": "string"}}}, "required": ["clip", "anchor_ids"]}},
        "summary": {"type": "string", "minLength": 3},
    }, "required": ["tags", "scenes", "summary"]}
    record = synthesize_checked(context("custom", "video", VIDEO, META, schema=schema, max_items=1))
    assert record["scenes"] == [{"clip": [0.0, 4.0], "anchor_ids": ["shot:0"]}]
    assert len(record["tags"]) == 1
    assert record["summary"].startswith("A 10.0 s video with 2 shots, 2 ocrs")


def test_robot_schema_gets_the_instruction():
    schema = {"type": "object", "properties": {"instruction": {"type": "string"}, "grasps": {"type": "array", "items": {
        "type": "object", "properties": {"time_s": {"type": "number"}, "state": {"enum": ["open", "close"]},
                                         "anchor_ids": {"type": "array", "items": {"type": "string"}}}}}}}
    anchors = [{"id": "robot_task:0", "kind": "robot_task", "c": {"instruction": "stack the cups", "robot": "franka"}},
               {"id": "gripper:0", "kind": "gripper", "t": 1.5, "c": {"state": "close"}},
               {"id": "gripper:1", "kind": "gripper", "t": 2.5, "c": {"state": "open"}}]
    record = synthesize_checked(context("custom", "robot_episode", anchors, {"duration_s": 3.0}, schema=schema))
    assert record["instruction"] == "stack the cups"
    assert record["grasps"] == [{"time_s": 1.5, "state": "close", "anchor_ids": ["gripper:0"]},
                                {"time_s": 2.5, "state": "open", "anchor_ids": ["gripper:1"]}]


def test_missing_or_non_object_schema_is_an_input_error():
    with pytest.raises(InputError, match="intent.schema: the custom task needs a JSON Schema"):
        synthesize_checked(context("custom", "video", VIDEO, META))
    with pytest.raises(InputError, match="top level"):
        synthesize_checked(context("custom", "video", VIDEO, META, schema={"type": "array", "items": {"type": "string"}}))


def test_example_schema_is_the_documented_one():
    assert EXAMPLE_SCHEMA["required"] == ["title", "highlights"]


@pytest.mark.parametrize("name", ["gui.trajectory", "gui.grounding", "embodied.subtasks", "embodied.vqa", "daily.dense_captions",
                                  "daily.vqa", "education.procedure", "aigc.i2v_prompts", "aigc.edit_pairs"])
def test_every_builtin_schema_filled_as_a_custom_one_is_valid_and_grounded(name):
    """The built-in schemas use $defs/$ref, nullable anyOf, enums, patterns and fixed-length arrays: a broad user schema."""
    task = get_task(name)
    ctx = example_context(task.domain, name)
    custom = TailorContext(source=ctx.source, intent=Intent(text="mine", schema=task.json_schema()), anchors=ctx.anchors, task="custom")
    synthesize_checked(custom)


def test_enum_fields_follow_the_phase_skill():
    from dataclaw_tailor.core import Anchor, Intent, Source, TailorContext
    from dataclaw_tailor.experts.custom import synthesize

    schema = {
        "type": "object",
        "properties": {"segments": {"type": "array", "items": {"type": "object", "properties": {
            "span": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            "skill": {"type": "string", "enum": ["reach", "grasp", "lift"]},
            "anchor_ids": {"type": "array", "items": {"type": "string"}}},
            "required": ["span", "skill", "anchor_ids"]}}},
        "required": ["segments"],
    }
    anchors = [Anchor(id=f"phase:{i}", kind="phase", t=(float(i), float(i + 1)), c={"skill": s}) for i, s in enumerate(["reach", "grasp", "lift"])]
    source = Source(path="e", kind="robot_episode", content_hash="h", meta={"duration_s": 3.0})
    record = synthesize(TailorContext(source, Intent(text="phases", task="custom", schema=schema), anchors, "custom"))
    assert [s["skill"] for s in record["segments"]] == ["reach", "grasp", "lift"]
