import re
import warnings

import pytest

from dataclaw_tailor.core import InputError, Intent, TailorContext
from dataclaw_tailor.experts.registry import get_task
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.core.grounding import grounding_problems
from dataclaw_tailor.experts.examples import example_context
from dataclaw_tailor.experts.gui import action_of, describe
from dataclaw_tailor.core import Anchor
from dataclaw_tailor.tools.gui import GuiTraceWarning

from .support import context, synthesize_checked

@pytest.mark.devset
def test_trajectory_reproduces_screenagent_human_corrected_actions(devset):
    source = detect(devset / "gui" / "screenagent-task101")
    anchors = extract(source, list(get_task("gui.trajectory").extractors))
    ctx = TailorContext(source=source, intent=Intent(text="turn these screen recordings into GUI-agent SFT steps"), anchors=anchors,
                        task="gui.trajectory")
    record = synthesize_checked(ctx)
    got = [(s["action"]["type"], s["action"]["x"], s["action"]["y"], s["action"]["text"], s["action"]["keys"],
            s["action"]["direction"], s["action"]["amount"]) for s in record["steps"]]
    assert got == [
        ("double_click", 459, 215, None, None, None, None),
        ("click", 350, 75, None, None, None, None),
        ("type", None, None, "www.bing.com", None, None, None),
        ("key", None, None, None, ["Return"], None, None),
        ("click", 512, 230, None, None, None, None),
        ("type", None, None, "How to bake a chocolate cake", None, None, None),
        ("key", None, None, None, ["Return"], None, None),
        ("scroll", None, None, None, None, "down", 10),
    ]
    assert record["task"] == "In www.bing.com, search for 'How to bake a chocolate cake'."
    assert record["screen"] == {"width": 1024, "height": 768}
    assert [s["index"] for s in record["steps"]] == list(range(8))
    assert all(s["screenshot"].startswith("images/") for s in record["steps"])


def test_example_trace_gives_grounded_steps_with_targets():
    record = synthesize_checked(example_context("gui", "gui.trajectory"))
    first, second = record["steps"][:2]
    assert first["target_element"] == "Firefox Web Browser" and first["anchor_ids"] == ["gui_event:0", "gui_element:0"]
    assert first["thought"] == "Double-click 'Firefox Web Browser'."
    assert second["observation"] == ("'Search or enter address' is on screen at (350, 75). "
                                     "The previous action (double-click at (459, 215)) changed 82% of the screen.")
    assert "screen_change:0" in second["anchor_ids"]
    assert "changed" not in record["steps"][2]["observation"], "a screen change is reported once, at the first action of its step"
    assert record["platform"] == "Ubuntu", "the system the trace names, not its generic platform"
    assert second["thought"] == "Click 'Search or enter address' to type 'www.bing.com' into it."
    assert [s["observation"] for s in record["steps"][2:]] == [
        "'Search or enter address' has the keyboard focus.",
        "'Search or enter address' has the keyboard focus. 'www.bing.com' has been typed."]
    assert record["steps"][3]["thought"] == "Press Return to submit 'www.bing.com'."
    assert not any("Screen before" in s["observation"] for s in record["steps"])


def test_action_far_from_its_event_is_ungrounded():
    ctx = example_context("gui", "gui.trajectory")
    record = synthesize_checked(ctx)
    record["steps"][0]["action"]["x"] = 900
    problems = grounding_problems(record, ctx.anchors, ctx.source)
    assert [(p.path, p.code) for p in problems] == [("$.steps[0].action", "far_from_anchor")]


def test_max_items_keeps_a_prefix_of_the_trajectory():
    ctx = example_context("gui", "gui.trajectory")
    ctx.intent.max_items = 2
    record = synthesize_checked(ctx)
    assert [s["action"]["type"] for s in record["steps"]] == ["double_click", "click"]


def event(c: dict, p=None) -> Anchor:
    return Anchor(id="gui_event:0", kind="gui_event", t=0.0, p=p, c=c)


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        ({"action": "click", "button": "right", "x": 5, "y": 6}, {"type": "right_click", "x": 5, "y": 6}),
        ({"action": "scroll_up", "x": 1, "y": 2, "clicks": 3}, {"type": "scroll", "direction": "up", "amount": 3}),
        ({"action": "press", "keys": "ctrl+c"}, {"type": "key", "keys": ["ctrl", "c"], "x": None}),
        ({"action": "drag", "x": 1, "y": 2, "to_x": 30, "to_y": 40}, {"type": "drag", "to_x": 30, "to_y": 40}),
        ({"action": "TYPE", "text": "hi\nthere", "x": 3, "y": 4}, {"type": "type", "text": "hi there", "x": None}),
        ({"action": "finish"}, {"type": "done"}),
    ],
)
def test_action_mapping(c, expected):
    action = action_of(event(c)).model_dump()
    assert {k: action[k] for k in expected} == expected


def test_point_comes_from_the_anchor_position_when_content_lacks_it():
    action = action_of(event({"action": "click"}, p=[10.4, 20.6]))
    assert (action.x, action.y) == (10, 21)
    assert describe(action, "OK") == "click 'OK' at (10, 21)"


def test_unmodelled_events_are_skipped_and_an_empty_trace_is_an_input_error():
    assert action_of(event({"action": "hover"})) is None
    ctx = context("gui.trajectory", "gui_trace", [{"id": "gui_event:0", "kind": "gui_event", "t": 0.0, "c": {"action": "hover"}}],
                  {"width": 10, "height": 10})
    with pytest.raises(InputError, match="no GUI actions"):
        synthesize_checked(ctx)


def test_grounding_pairs_prefer_acted_on_elements_then_labelled_ones():
    ctx = example_context("gui", "gui.grounding")
    anchors = ctx.anchors + [Anchor(id="gui_element:2", kind="gui_element", p=[10, 700, 90, 740], c={"text": "Settings", "step": 1})]
    record = synthesize_checked(context("gui.grounding", "gui_trace", [a.model_dump() for a in anchors], ctx.source.meta))
    assert [p["instruction"] for p in record["pairs"]] == [
        "Double-click 'Firefox Web Browser'", "Click 'Search or enter address'", "Locate the element labelled 'Settings'"]
    assert record["pairs"][2]["x"] == 50 and record["pairs"][2]["y"] == 720
    assert record["pairs"][2]["screenshot"] == "images/step1.jpg"


def test_grounding_box_only_when_it_holds_the_point():
    """An OCR label beside the clicked icon names the target, but its box is not the target's box."""
    anchors = [{"id": "gui_task:0", "kind": "gui_task", "c": {"task": "open it", "platform": "desktop", "width": 800, "height": 600}},
               {"id": "gui_event:0", "kind": "gui_event", "t": 0.0, "p": [100, 100], "c": {"action": "click", "x": 100, "y": 100, "step": 0}},
               {"id": "gui_element:0", "kind": "gui_element", "t": 0.0, "p": [70, 125, 130, 140],
                "c": {"text": "Firefox", "step": 0, "event": "gui_event:0", "from": "ocr"}}]
    record = synthesize_checked(context("gui.grounding", "gui_trace", anchors, {"width": 800, "height": 600}))
    pair = record["pairs"][0]
    assert (pair["x"], pair["y"], pair["bbox"], pair["element_text"]) == (100, 100, None, "Firefox")


FILLER = re.compile(r"screen before action|since the previous step|next action toward|pointer position of step", re.IGNORECASE)


@pytest.fixture(scope="module")
def anchor_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("anchors")


@pytest.mark.devset
@pytest.mark.parametrize(("relative", "platform"), [
    ("screenagent-task101", "Linux"),  # its prompt: "You are familiar with the Linux operating system"
    ("opencua-agentnet/raw", "Windows"),  # metadata.json "system": "Windows"
    ("agentnetbench-goodreads/s_df0fd37049f470c2.json", "Windows"),  # meta_info.system
    ("opencua-agentnet/processed/raw_example.jsonl", "desktop"),  # the line names no system, nor does the file
    ("miniwob-demos/turk/email-inbox_3HYA4D452SD6Q3FBZC7C17Y5V642FV_d5.json.gz", "web"),
])
def test_real_traces_give_steps_without_filler_on_their_platform(devset, anchor_cache, relative, platform):
    task = get_task("gui.trajectory")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GuiTraceWarning)
        source = detect(devset / "gui" / relative)
        anchors = extract(source, list(task.extractors), cache_dir=anchor_cache)
    ctx = TailorContext(source=source, intent=Intent(text="GUI-agent SFT steps"), anchors=anchors, task="gui.trajectory")
    record = synthesize_checked(ctx)
    assert record["platform"] == platform
    texts = [s[k] for s in record["steps"] for k in ("observation", "thought")]
    assert not [t for t in texts if FILLER.search(t)]
    assert not [t for t in texts if re.search(r"\b0% of the screen", t)], "a change of nothing is not said"
    for step in record["steps"]:
        if step["target_element"] and step["action"]["type"] in ("click", "double_click", "right_click"):
            assert step["target_element"] in step["thought"] or step["target_element"] in step["observation"]


def test_grounding_names_an_unlabelled_target_by_what_is_typed_into_it():
    anchors = [{"id": "gui_task:0", "kind": "gui_task", "c": {"task": "search", "platform": "desktop", "width": 800, "height": 600}},
               {"id": "gui_event:0", "kind": "gui_event", "t": 0.0, "p": [100, 100], "c": {"action": "click", "x": 100, "y": 100, "step": 0}},
               {"id": "gui_event:1", "kind": "gui_event", "t": 1.0, "c": {"action": "type", "text": "cake", "step": 0}}]
    record = synthesize_checked(context("gui.grounding", "gui_trace", anchors, {"width": 800, "height": 600}))
    assert record["pairs"][0]["instruction"] == "Click the field to type 'cake' into"
    trajectory = synthesize_checked(context("gui.trajectory", "gui_trace", anchors, {"width": 800, "height": 600}))
    assert [s["thought"] for s in trajectory["steps"]] == ["Click at (100, 100) to type 'cake' there.",
                                                          "Type 'cake' into the field at (100, 100)."]
    assert trajectory["steps"][1]["observation"] == "The field at (100, 100) has the keyboard focus."
    assert trajectory["platform"] == "desktop"
