import pytest

from dataclaw_tailor.core import InputError
from dataclaw_tailor.experts.aigc import object_phrase
from dataclaw_tailor.experts.examples import example_context

from .support import context, synthesize_checked


def test_video_clips_start_at_their_keyframe_with_camera_motion():
    record = synthesize_checked(example_context("aigc", "aigc.i2v_prompts"))
    assert [(c["span"], c["first_frame"], c["camera_motion"]) for c in record["clips"]] == [
        ([0.2, 5.0], "keyframes/0000.jpg", "static"), ([5.2, 12.0], "keyframes/0001.jpg", "moving")]
    assert all(c["action_verb"] is None and c["contact_events"] == [] for c in record["clips"]), "no action is observed in a plain video"


def test_robot_clips_follow_phases_with_contacts_and_the_instruction_object():
    ctx = example_context("embodied", "embodied.subtasks")
    record = synthesize_checked(type(ctx)(source=ctx.source, intent=ctx.intent, anchors=ctx.anchors, task="aigc.i2v_prompts"))
    grasp = record["clips"][1]
    assert grasp["span"] == [2.1, 3.6] and grasp["action_verb"] == "grasp" and grasp["action_noun"] == "yellow bottle"
    assert grasp["contact_events"] == [{"type": "contact", "t": 3.1, "anchor_ids": ["gripper:1"]}]
    assert record["clips"][0]["first_frame"] == "frames/000000.jpg"


@pytest.mark.parametrize(("text", "noun"), [
    ("Pick up the yellow bottle on the table.", "yellow bottle"),
    ("put the carrot in the pot", "carrot"),
    ("open a drawer", "drawer"),
    ("wave", None),
])
def test_object_phrase(text, noun):
    assert object_phrase(text) == noun


def test_edit_pairs_use_the_instruction_or_describe_the_changed_region():
    record = synthesize_checked(example_context("aigc", "aigc.edit_pairs"))
    first, second = record["pairs"]
    assert first["instruction"] == "Change the region [300, 20, 500, 180] in the upper right of the image"
    assert first["region"] == [300, 20, 500, 180] and first["anchor_ids"] == ["edit_pair:0", "edit_region:0"]
    assert second["instruction"] == "add a red hat"


def test_edit_regions_of_one_pair_are_merged():
    anchors = [
        {"id": "edit_pair:0", "kind": "edit_pair", "c": {"before": "a.png", "after": "b.png"}},
        {"id": "edit_region:0", "kind": "edit_region", "p": [10, 10, 20, 20], "c": {"magnitude": 0.1, "pair": "edit_pair:0"}},
        {"id": "edit_region:1", "kind": "edit_region", "p": [40, 5, 60, 30], "c": {"magnitude": 0.2, "pair": "edit_pair:0"}},
    ]
    record = synthesize_checked(context("aigc.edit_pairs", "image_set", anchors, {"width": 64, "height": 64}))
    assert record["pairs"][0]["region"] == [10, 5, 60, 30]


def test_no_pairs_is_an_input_error_naming_the_source():
    with pytest.raises(InputError, match="edit_sequence-sample: no before/after image pairs"):
        synthesize_checked(context("aigc.edit_pairs", "edit_sequence", [], {}))
