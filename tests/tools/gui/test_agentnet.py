"""OpenCUA / AgentNet on the real samples in the devset (xlang-ai/OpenCUA): the processed trajectory and
an AgentNetBench task, checked against the truth SOURCES.md states."""

import json
import warnings

import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.formats import load_trace
from dataclaw_tailor.tools.gui import GuiTraceWarning

from ..conftest import devset_path


def test_processed_trajectory_pixels_on_its_screenshots():
    path = devset_path("gui", "opencua-agentnet", "processed", "raw_example.jsonl")
    with warnings.catch_warnings():
        warnings.simplefilter("error", GuiTraceWarning)  # no assumed screen size
        trace = load_trace(path)
    assert (trace.screen.width, trace.screen.height) == (1276, 718)  # the screenshots' size
    kinds = [s.action.type for s in trace.steps]
    assert len(kinds) == 15 and kinds.count("click") == 11 and kinds[1] == "right_click" and kinds[-1] == "done"
    assert all(trace.screenshot_path(s) is not None for s in trace.steps)
    first = trace.steps[0].action
    assert (first.x, first.y) == (round(0.9722 * 1276, 1), round(0.9701 * 718, 1))
    drag = trace.steps[3].action
    assert (drag.type, drag.x, drag.to_x, drag.to_y) == ("drag", round(0.4546 * 1276, 1), round(0.4107 * 1276, 1),
                                                         round(0.2773 * 718, 1))
    scroll = trace.steps[5].action
    assert (scroll.type, scroll.direction, scroll.amount, scroll.x) == ("scroll", "down", 3, round(0.396 * 1276, 1))
    assert [s.t for s in trace.steps] == [float(i) for i in range(15)]


def test_agentnetbench_screenshot_size_wins_and_boxes_hold_points(tmp_path):
    path = devset_path("gui", "agentnetbench-goodreads", "s_df0fd37049f470c2.json")
    with pytest.warns(GuiTraceWarning, match="screen_resolution 1920x1080 differs from the screenshots' 1280x720"):
        source = detect(path)
    assert source.format == "agentnetbench" and (source.meta.width, source.meta.height) == (1280, 720)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GuiTraceWarning)
        trace = load_trace(path)
    assert [s.t for s in trace.steps] == [2, 3, 4, 6, 7, 9, 10]  # the bench's own step numbers
    assert [s.action.type for s in trace.steps] == ["click", "type", "click", "scroll", "click", "click", "done"]
    assert trace.steps[1].action.text == "george orwell"
    scroll = trace.steps[3].action
    assert (scroll.direction, scroll.amount, scroll.x, scroll.y) == ("down", 3, round(0.7792 * 1280, 1),
                                                                     round(0.4648 * 720, 1))
    first = trace.steps[0]
    assert first.element.bbox == [332.76, 185.51, round(332.76 + 320.69, 2), round(185.51 + 19.97, 2)]  # abs_bbox
    for step in trace.steps:
        a, box = step.action, step.element.bbox if step.element else None
        if box:
            assert box[0] <= a.x <= box[2] and box[1] <= a.y <= box[3]
    assert trace.steps[0].subtask.startswith("Click inside the search input field")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GuiTraceWarning)
        elements = extract(source, ["gui_element"], cache_dir=tmp_path)
    named = {e.c.event: e.c.text for e in elements}
    assert named["gui_event:2"] == "Search"  # the box had no text: OCR read inside it


def test_agentnetbench_truncated_file_is_named(tmp_path):
    source = devset_path("gui", "agentnetbench-goodreads", "s_df0fd37049f470c2.json")
    cut = tmp_path / "task.json"
    cut.write_bytes(source.read_bytes()[:3000])
    with pytest.raises(InputError, match=r"task\.json: malformed AgentNetBench JSON \(truncated\?\)"):
        detect(cut)


def test_pyautogui_scroll_at_a_point_and_deep_code(tmp_path):
    """Quirks seen in OpenCUA's agentnet code fields: scroll(clicks, x=, y=) at a point, and hostile code."""
    from dataclaw_tailor.tools.gui.agentnet import parse_code

    last = [None, None]
    (action,) = parse_code("pyautogui.scroll(5, x=0.5, y=0.25)", 800, 600, last, "f:1: step 0")
    assert (action.direction, action.amount, action.x, action.y) == ("up", 5, 400, 150)
    with pytest.raises(InputError, match="f:1: step 1: unparseable action code"):
        parse_code("(" * 100_000, 800, 600, last, "f:1: step 1")


def test_raw_agentnettool_recording_pairs_with_the_processed_trajectory():
    """The raw recording (screen video + reduced actions) gives the same 14 actions as the processed
    trajectory: raw pixels / the metadata screen (1366x768) = the processed normalised coordinates."""
    from dataclaw_tailor.tools.gui.agentnet import parse_code

    raw = load_trace(devset_path("gui", "opencua-agentnet", "raw"))
    assert raw.source_format == "agentnettool" and (raw.screen.width, raw.screen.height) == (1366, 768)
    assert len(raw.steps) == 14 and raw.task.startswith("Open the system display settings")
    assert (raw.steps[0].t, raw.steps[-1].t) == (7.023, 115.378)  # event time - video_start_timestamp
    first, drag, scroll = raw.steps[0].action, raw.steps[3].action, raw.steps[5].action
    assert (first.type, first.x, first.y) == ("click", 1328, 745)
    assert (drag.type, drag.x, drag.y, drag.to_x, drag.to_y) == ("drag", 621, 206, 561, 213)
    assert (scroll.direction, scroll.amount, scroll.x, scroll.y) == ("down", 3, 541, 602)
    assert raw.steps[0].screenshot == "2024-11-05 18-56-31.mp4#t=6.523"  # the frame half a second before
    assert raw.steps[11].subtask == "Click on Power & sleep" and raw.steps[0].element.text.startswith("Action Centre")
    processed = [json.loads(ln) for ln in devset_path("gui", "opencua-agentnet", "processed", "raw_example.jsonl")
                 .read_text().splitlines() if ln.strip()][0]["traj"]
    last = [None, None]
    for step, item in zip(raw.steps, processed, strict=False):
        (action, *_) = [a for a in parse_code(item["value"]["code"], 10_000, 10_000, last, "p")] or [None]
        assert action is not None and action.type == step.action.type
        assert abs(action.x / 10_000 - step.action.x / 1366) <= 1e-4
        assert abs(action.y / 10_000 - step.action.y / 768) <= 1e-4


@pytest.mark.slow
def test_raw_recording_screenshots_are_video_frames(tmp_path):
    source = detect(devset_path("gui", "opencua-agentnet", "raw"))
    anchors = extract(source, ["gui"], cache_dir=tmp_path)
    events = [a for a in anchors if a.kind == "gui_event"]
    changes = [a for a in anchors if a.kind == "screen_change"]
    assert len(events) == 14 and len(changes) == 13  # every step has its frame
    assert max(c.c.changed_fraction for c in changes) > 0.9  # the Settings window opening
