"""Typed anchor contents: every anchor JSON in the repository round-trips through the content models, a
wrong key is an error where the anchor is built, and a wrong attribute an error where it is read."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from dataclaw_tailor.core import Anchor, AnchorContent, anchors_digest
from dataclaw_tailor.core.registry import DuplicateName
from dataclaw_tailor.core.contents import (
    CONTENT_TYPES, GripperContent, GuiElementContent, GuiEventContent, KeyframeContent, ShotContent, content_type,
    SubtitleContent, register_text_kind,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "dataclaw_tailor" / "experts" / "examples"


def example_anchors() -> list[tuple[str, dict]]:
    """(file, anchor JSON) for every anchor of every example file, the per-task contexts included."""
    found = []
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        contexts = [data, *data.get("contexts", {}).values()]
        found += [(path.name, a) for context in contexts for a in context.get("anchors", [])]
    return found


def test_every_example_anchor_validates_into_its_kinds_model_and_dumps_back_to_the_same_json():
    anchors = example_anchors()
    assert len(anchors) > 50 and {a["kind"] for _, a in anchors} >= {"gui_event", "gripper", "keyframe", "ocr", "edit_region"}
    for name, raw in anchors:
        anchor = Anchor.model_validate(raw)
        expected = content_type(anchor.kind)
        assert expected is not None, f"{name}: {anchor.id} has a kind without a content type"
        assert anchor.c is None or isinstance(anchor.c, expected), f"{name}: {anchor.id}"
        assert anchor.model_dump(mode="json", exclude_unset=True) == raw, f"{name}: {anchor.id}"
        assert json.loads(json.dumps(anchor.compact()))["c"] == raw.get("c"), f"{name}: {anchor.id}"


def test_dump_keeps_json_names_nulls_and_ints_as_written():
    raw = {"id": "gui_event:0", "kind": "gui_event", "t": 0.0, "p": [459, 215],
           "c": {"step": 0, "action": "click", "x": 459, "y": 215, "text": None, "screenshot": "s.jpg"}}
    anchor = Anchor.model_validate(raw)
    assert anchor.model_dump(mode="json", exclude_unset=True) == raw
    assert json.dumps(anchor.model_dump(mode="json")["c"]) == json.dumps(raw["c"])  # 459 stays 459, not 459.0
    element = Anchor(id="gui_element:0", kind="gui_element", c=GuiElementContent(text="OK", origin="ocr"))
    assert element.model_dump(mode="json")["c"] == {"text": "OK", "from": "ocr"}
    assert Anchor.model_validate(element.model_dump(mode="json")) == element


def test_digest_and_line_read_the_json_form():
    typed = Anchor(id="shot:0", kind="shot", t=(0.0, 3.0), c=ShotContent(index=0))
    untyped = Anchor.model_validate({"id": "shot:0", "kind": "shot", "t": [0.0, 3.0], "c": {"index": 0}})
    assert anchors_digest([typed]) == anchors_digest([untyped])
    assert typed.line() == 'shot:0 t=[0.0,3.0] c={"index":0}'


def test_a_wrong_key_is_an_error_where_the_anchor_is_built():
    with pytest.raises(ValidationError, match="sate"):
        Anchor(id="gripper:0", kind="gripper", c={"sate": "close"})
    with pytest.raises(ValidationError):
        GripperContent(sate="close")
    with pytest.raises(ValidationError, match="state"):
        Anchor(id="gripper:0", kind="gripper", c={"state": "shut"})


def test_a_content_must_fit_its_kind():
    with pytest.raises(ValidationError, match="GripperContent, not ShotContent"):
        Anchor(id="gripper:0", kind="gripper", c=ShotContent(index=1))
    with pytest.raises(ValidationError, match="is text"):
        Anchor(id="ocr:0", kind="ocr", c={"text": "EXIT"})
    with pytest.raises(ValidationError, match="not text"):
        Anchor(id="gripper:0", kind="gripper", c="close")
    with pytest.raises(ValidationError, match="declares no content type"):
        Anchor(id="footstep:0", kind="footstep", c={"foot": "left"})
    assert Anchor(id="footstep:0", kind="footstep", t=1.0).c is None


def test_a_wrong_attribute_is_an_error_where_the_content_is_read():
    anchor = Anchor(id="gripper:0", kind="gripper", t=1.0, c={"state": "close"})
    assert GripperContent.of(anchor).state == "close"
    with pytest.raises(AttributeError):
        GripperContent.of(anchor).sate  # noqa: B018


def test_of_reads_an_absent_content_as_absent_facts():
    assert GripperContent.of(Anchor(id="gripper:0", kind="gripper")).state is None
    assert GripperContent.of(Anchor(id="phase:0", kind="phase", c={"skill": "reach"})).state is None
    assert GripperContent.of(None) == GripperContent()


def test_other_recorders_spellings_of_a_gui_event():
    event = GuiEventContent.model_validate({"action": "scroll_up", "clicks": 3, "keys": "ctrl+c"})
    assert (event.amount, event.keys) == (3, ["ctrl", "c"])


def test_images_and_values_by_json_name():
    assert KeyframeContent(path="k/0.jpg", shot="shot:0").image == "k/0.jpg"
    assert GuiEventContent(screenshot="s.jpg").image == "s.jpg"
    assert GripperContent(state="open").image is None
    element = GuiElementContent(text="OK", origin="trace")
    assert element.value("from") == "trace" and element.value("origin") is None and element.value("step", "") == ""


def test_subtitle_text_written_before_languages_reads_and_dumps_back_as_text():
    """A subtitle anchor was plain text before it carried its track's language: old JSON reads into the
    model's text field and dumps back unchanged; a cue with its language dumps as an object."""
    old = Anchor.model_validate({"id": "subtitle:0", "kind": "subtitle", "t": [0.5, 1.8], "c": "Hello there"})
    assert isinstance(old.c, SubtitleContent) and old.c.text == "Hello there" and old.c.said == "Hello there"
    assert old.model_dump(mode="json", exclude_unset=True)["c"] == "Hello there" and old.line().endswith('c="Hello there"')
    new = Anchor(id="subtitle:0", kind="subtitle", t=(0.5, 1.8), c=SubtitleContent(text="Hallo", language="de"))
    assert new.compact()["c"] == {"text": "Hallo", "language": "de"}
    assert Anchor.model_validate_json(new.model_dump_json(exclude_unset=True)).c == new.c
    with pytest.raises(ValidationError, match="content is an object"):
        Anchor(id="gripper:0", kind="gripper", c="open")


def test_contents_are_frozen_facts():
    content = GripperContent(state="open")
    with pytest.raises(ValidationError):
        content.state = "close"


def test_a_kind_has_one_content_type_each_described():
    assert CONTENT_TYPES.get("ocr") is str and CONTENT_TYPES.get("gripper") is GripperContent
    assert all(entry.description for entry in CONTENT_TYPES.entries())
    with pytest.raises(DuplicateName, match="anchor kind 'gripper' is already registered"):
        register_text_kind("gripper", "a gripper that speaks")
    with pytest.raises(DuplicateName, match="anchor kind 'gripper' is already registered"):
        type("OtherGripper", (AnchorContent,), {"__module__": __name__}, kind="gripper")
