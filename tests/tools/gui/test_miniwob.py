"""MiniWoB++ human demos: one user action = one step, checked against the truth SOURCES.md states for
the six real demos in the devset (stanfordnlp/miniwob-plusplus-demos), plus a small fixture with the same
recording quirks for machines without the devset."""

import gzip
import json

import pytest

from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.formats import load_trace

from ..conftest import devset_path


def _demo(name: str):
    folder = devset_path("gui", "miniwob-demos")
    return load_trace(next(folder.glob(f"*/{name}_*")))


def _kinds(trace) -> list[str]:
    return [s.action.type for s in trace.steps]


def _typed(trace) -> list[str]:
    return [s.action.text for s in trace.steps if s.action.type == "type"]


def test_enter_text_types_one_word_between_two_clicks():
    trace = _demo("enter-text")
    assert _kinds(trace) == ["click", "type", "click"]
    assert _typed(trace) == ["Sergio"]
    assert trace.task == 'Enter "Sergio" into the text field and press Submit.'


def test_login_user_tab_switches_field():
    trace = _demo("login-user")
    assert _kinds(trace) == ["click", "type", "key", "type", "click"]
    assert _typed(trace) == ["renda", "vb"] and trace.steps[2].action.keys == ["Tab"]


def test_email_inbox_drag_scrolls_and_reply():
    trace = _demo("email-inbox")
    assert _typed(trace) == ["Nunc."]
    drags = [s.action for s in trace.steps if s.action.type == "drag"]
    assert [(d.x, d.y, d.to_x, d.to_y) for d in drags] == [(144, 81, 142, 189)]
    # 7 scroll events: one while dragging the scrollbar thumb, two for each of three presses on the arrow
    scrolled = [s.action for s in trace.steps if s.action.amount]
    assert sum(a.amount for a in scrolled) == 7
    assert [(a.type, a.direction) for a in scrolled] == [("drag", "down")] + [("scroll", "up")] * 3
    assert _kinds(trace).count("click") == 4


def test_click_scroll_list_three_drags_with_their_scrolls():
    trace = _demo("click-scroll-list")
    drags = [s.action for s in trace.steps if s.action.type == "drag"]
    assert len(drags) == 3 and (drags[0].x, drags[0].y, drags[0].to_x, drags[0].to_y) == (148, 90, 144, 133)
    assert [d.direction for d in drags] == ["down", "up", "down"] and sum(d.amount for d in drags) == 3
    assert "scroll" not in _kinds(trace)  # each scroll event was the effect of a thumb drag
    shift_clicks = [s.action for s in trace.steps if s.action.type == "click" and s.action.keys == ["Shift"]]
    assert len(shift_clicks) == 3  # multi-select with Shift held: the modifier stays on the click


@pytest.mark.parametrize("name, clicks", [("click-tab-2-hard", 4), ("click-checkboxes-large", 6)])
def test_clean_demos_click_counts(name, clicks):
    trace = _demo(name)
    assert _kinds(trace) == ["click"] * clicks
    assert len({(s.action.x, s.action.y) for s in trace.steps}) == clicks


def test_screen_is_the_recorded_page_not_the_canvas(tmp_path):
    trace = _demo("click-tab-2-hard")
    assert (trace.screen.width, trace.screen.height) == (1310, 210)
    source = detect(next(devset_path("gui", "miniwob-demos").glob("clean/click-tab-2-hard_*")))
    assert (source.meta.width, source.meta.n_steps) == (1310, 4)
    events = [a for a in extract(source, ["gui_event"], cache_dir=tmp_path) if a.kind == "gui_event"]
    assert [e.p for e in events] == [[36, 72], [51, 70], [68, 74], [87, 154]]


def test_recording_quirks_fixture(tmp_path):
    """The quirks of the real demos above, in miniature: every event twice (timing 1 and 3), presses as
    mousedown/mouseup/click triples, Shift as repeated keydowns, Backspace inside a field, a Tab, a
    press that moved (drag) and a scroll event recorded once."""
    dom = {"tag": "BODY", "ref": 1, "left": 0, "top": 0, "width": 400, "height": 210, "children": [
        {"tag": "INPUT", "ref": 2, "left": 10, "top": 60, "width": 120, "height": 20, "children": []}]}
    moved = {**dom, "children": [{**dom["children"][0], "top": 40}]}
    events = [("mousedown", {"x": 20, "y": 70}), ("mouseup", {"x": 20, "y": 70}), ("click", {"x": 20, "y": 70}),
              ("keydown", {"keyCode": 16}), ("keydown", {"keyCode": 16}), ("keypress", {"charCode": ord("H")}),
              ("keyup", {"keyCode": 16}), ("keypress", {"charCode": ord("x")}), ("keydown", {"keyCode": 8}),
              ("keypress", {"charCode": ord("i")}), ("keydown", {"keyCode": 9}),
              ("keypress", {"charCode": ord("2")}), ("mousedown", {"x": 150, "y": 60}),
              ("scroll", {}), ("mouseup", {"x": 150, "y": 120})]
    states, time = [{"time": 1000, "action": None, "dom": dom}], 1000
    for kind, fields in events:
        time += 100
        for timing in ((1,) if kind == "scroll" else (1, 3)):
            states.append({"time": time, "action": {"type": kind, **fields, "timing": timing},
                           "dom": moved if states[-1]["dom"] is moved or kind == "scroll" else dom})
    path = tmp_path / "quirks_0001.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"utterance": "Type Hi then 2", "states": states}).encode()))
    trace = load_trace(path)
    assert [(s.action.type, s.action.text or s.action.keys) for s in trace.steps] == [
        ("click", None), ("type", "Hi"), ("key", ["Tab"]), ("type", "2"), ("drag", None)]
    drag = trace.steps[-1].action
    assert (drag.x, drag.y, drag.to_x, drag.to_y, drag.direction, drag.amount) == (150, 60, 150, 120, "down", 1)
    assert (trace.screen.width, trace.screen.height) == (400, 210)
