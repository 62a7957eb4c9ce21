from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.formats import load_trace

from ..conftest import devset_path


def test_executed_trajectory_in_time_order():
    trace = load_trace(devset_path("gui", "screenagent-task101"))
    assert trace.source_format == "screenagent" and trace.platform == "desktop"
    assert (trace.screen.width, trace.screen.height) == (1024, 768)
    assert trace.task == "In www.bing.com, search for 'How to bake a chocolate cake'."
    acts = [(s.action.type, s.action.x, s.action.y, s.action.text, s.action.keys) for s in trace.steps]
    assert acts[:4] == [("double_click", 459, 215, None, None), ("click", 350, 75, None, None),
                        ("type", None, None, "www.bing.com", None), ("key", None, None, None, ["Return"])]
    assert trace.steps[-1].action.type == "scroll" and trace.steps[-1].action.direction == "down"
    assert trace.steps[-1].action.amount == 10
    assert len(trace.steps) == 8
    assert [s.t for s in trace.steps] == sorted(s.t for s in trace.steps)
    assert all(trace.screenshot_path(s) is not None for s in trace.steps)
    assert trace.steps[0].subtask == "双击打开Firefox浏览器"


def test_anchors_with_ocr_element_text(tmp_path):
    source = detect(devset_path("gui", "screenagent-task101"))
    assert source.format == "screenagent" and source.meta.n_steps == 8
    anchors = extract(source, cache_dir=tmp_path)
    events = [a for a in anchors if a.kind == "gui_event"]
    assert [e.id for e in events] == [f"gui_event:{i}" for i in range(8)]
    assert events[0].p == [459, 215] and events[0].c.action == "double_click"
    elements = {a.c.event: a for a in anchors if a.kind == "gui_element"}
    assert "firefox" in elements["gui_event:0"].c.text.lower()
    assert "bing" in elements["gui_event:1"].c.text.lower()
    x1, y1, x2, y2 = elements["gui_event:1"].p
    assert x1 <= 350 <= x2 and y1 - 10 <= 75 <= y2 + 10
    changes = [a for a in anchors if a.kind == "screen_change"]
    assert changes and all(0 < a.c.changed_fraction <= 1 for a in changes)
