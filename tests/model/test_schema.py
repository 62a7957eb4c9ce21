import json
from typing import Literal

import jsonschema
import pytest
from pydantic import BaseModel, Field

from dataclaw_tailor.core import Anchor, Source
from dataclaw_tailor.model.schema import bounded, specialise


class Action(BaseModel):
    type: Literal["click", "type", "done"]
    x: float | None = None
    y: int | None = None
    point: list[float] | None = None


class Step(BaseModel):
    action: Action
    bbox: tuple[float, float, float, float] | None = None
    anchor_ids: list[str] = Field(min_length=1)


class Clip(BaseModel):
    start_s: float
    end_s: float
    clip: list[float] = Field(min_length=2, max_length=2)
    caption: str = Field(max_length=40)


class Record(BaseModel):
    steps: list[Step]
    clips: list[Clip]
    note: str | None = None


GUI = Source(path="trace", kind="gui_trace", content_hash="h", meta={"width": 1024, "height": 768, "duration_s": 12.5})
ANCHORS = [Anchor(id=f"gui_event:{i}", kind="gui_event", t=float(i), p=[10.0 * i, 5.0 * i]) for i in range(3)]
ANCHORS.append(Anchor(id="screen_change:0", kind="screen_change", t=1.0))


@pytest.fixture(scope="module")
def compiler():
    import xgrammar as xgr

    from dataclaw_tailor.model.tiny import build_tokenizer

    return xgr.GrammarCompiler(xgr.TokenizerInfo.from_huggingface(build_tokenizer(512)))


def test_specialise_bounds_ids_times_screen_and_steps():
    schema = specialise(Record.model_json_schema(), GUI, ANCHORS)
    defs = schema["$defs"]
    assert defs["Step"]["properties"]["anchor_ids"]["items"] == {
        "type": "string", "enum": ["gui_event:0", "gui_event:1", "gui_event:2", "screen_change:0"]}
    assert schema["properties"]["steps"]["maxItems"] == 3  # one step per gui_event seen
    x = defs["Action"]["properties"]["x"]["anyOf"][0]
    y = defs["Action"]["properties"]["y"]["anyOf"][0]
    assert (x["minimum"], x["maximum"]) == (0.0, 1024.0)
    assert (y["minimum"], y["maximum"]) == (0.0, 768)
    point = defs["Action"]["properties"]["point"]["anyOf"][0]
    assert [p["maximum"] for p in point["prefixItems"]] == [1024.0, 768.0]
    bbox = defs["Step"]["properties"]["bbox"]["anyOf"][0]
    assert [p["maximum"] for p in bbox["prefixItems"]] == [1024.0, 768.0, 1024.0, 768.0]
    clip = defs["Clip"]["properties"]
    assert clip["start_s"]["maximum"] == clip["end_s"]["maximum"] == 12.5
    assert [p["maximum"] for p in clip["clip"]["prefixItems"]] == [12.5, 12.5]
    assert "maxItems" not in schema["properties"]["clips"]


def test_specialise_does_not_mutate_and_respects_tighter_bounds():
    original = {"type": "object", "properties": {"t": {"type": "number", "maximum": 3}, "anchor_ids": {"type": "array", "items": {"type": "string"}}}}
    before = json.dumps(original)
    out = specialise(original, GUI, [], max_items=2)
    assert json.dumps(original) == before
    assert out["properties"]["t"] == {"type": "number", "maximum": 3, "minimum": 0.0}
    assert out["properties"]["anchor_ids"]["maxItems"] == 0  # nothing extracted: nothing to cite


def test_unknown_duration_leaves_times_open_and_max_items_caps_object_lists():
    src = Source(path="v.mp4", kind="video", content_hash="h", meta={})
    out = specialise(Record.model_json_schema(), src, [], max_items=4)
    assert "maximum" not in out["$defs"]["Clip"]["properties"]["start_s"]
    assert out["properties"]["clips"]["maxItems"] == 4 and out["properties"]["steps"]["maxItems"] == 4


def test_specialised_schema_rejects_ungrounded_records():
    schema = specialise(Record.model_json_schema(), GUI, ANCHORS)
    good = {"steps": [{"action": {"type": "click", "x": 10, "y": 5}, "anchor_ids": ["gui_event:1"]}],
            "clips": [{"start_s": 0, "end_s": 2, "clip": [0, 2], "caption": "opens the menu"}]}
    jsonschema.validate(good, schema)
    for bad in (
        {**good, "steps": [{"action": {"type": "click", "x": 2000}, "anchor_ids": ["gui_event:1"]}]},
        {**good, "steps": [{"action": {"type": "done"}, "anchor_ids": ["gui_event:9"]}]},
        {**good, "clips": [{"start_s": 0, "end_s": 20, "clip": [0, 2], "caption": "x"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_bounded_caps_text_and_lists_and_forbids_control_chars():
    out = bounded(Record.model_json_schema(), max_chars=16, max_items=2)
    caption = out["$defs"]["Clip"]["properties"]["caption"]
    assert caption["pattern"].endswith("{0,16}$") and "maxLength" not in caption
    assert out["properties"]["steps"]["maxItems"] == 2
    assert out["$defs"]["Action"]["properties"]["type"].get("pattern") is None  # enums untouched
    jsonschema.validate({"steps": [], "clips": [], "note": "plain text"}, out)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"steps": [], "clips": [], "note": "tab\there"}, out)
    loose = bounded({"type": "string", "minLength": 2}, max_chars=None)
    assert loose["pattern"].endswith("{2,}$")


def test_specialised_and_bounded_schemas_compile_with_xgrammar(compiler):
    schema = bounded(specialise(Record.model_json_schema(), GUI, ANCHORS, max_items=5), max_chars=32)
    compiled = compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
    assert compiled.memory_size_bytes > 0


@pytest.mark.parametrize("max_chars", [None, 256, 1000])
def test_every_task_schema_compiles_at_default_and_long_text_caps(compiler, max_chars):
    """xgrammar 0.2.8 cannot compile `{0,n}` counts above ~140: long caps are split into pieces."""
    from dataclaw_tailor.experts.registry import list_tasks

    from .contexts import context_for

    for spec in list_tasks():
        ctx = context_for(spec.name)
        schema = bounded(specialise(spec.json_schema(ctx.intent.schema_), ctx.source, ctx.anchors), max_chars=max_chars)
        compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
    long = bounded({"type": "string", "minLength": 130}, max_chars=300)
    jsonschema.validate("y" * 300, long)
    for bad in ("y" * 301, "y" * 129):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, long)


def test_grounding_pairs_are_not_capped_by_the_event_count():
    from dataclaw_tailor.core import Anchor, Source
    from dataclaw_tailor.experts.registry import get_task
    from dataclaw_tailor.model.schema import specialise

    source = Source(path="t", kind="gui_trace", content_hash="h", meta={"width": 100, "height": 100, "n_steps": 1})
    anchors = [Anchor(id="gui_event:0", kind="gui_event", t=0.0, p=[5, 5])] + [
        Anchor(id=f"gui_element:{i}", kind="gui_element", p=[i, i, i + 5, i + 5], c={"text": f"e{i}"}) for i in range(4)
    ]
    schema = specialise(get_task("gui.grounding").json_schema(), source, anchors)
    assert "maxItems" not in schema["properties"]["pairs"]
    steps = specialise(get_task("gui.trajectory").json_schema(), source, anchors)["properties"]["steps"]
    assert steps["maxItems"] == 1
