import gzip
import io
import json
import warnings

import numpy as np
import pytest
from PIL import Image

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.formats import load_trace
from dataclaw_tailor.tools.gui import GuiTraceWarning

from ..robot.fixtures import make_example, write_records


def _dom():
    return {"tag": "body", "left": 0, "top": 0, "width": 160, "height": 210, "children": [
        {"tag": "input", "ref": 3, "left": 10, "top": 60, "width": 120, "height": 20, "text": "", "children": []},
        {"tag": "button", "ref": 4, "left": 10, "top": 100, "width": 60, "height": 30, "text": "Submit",
         "children": []}]}


def test_miniwob_demo_gz(tmp_path):
    states = [{"time": 1000, "action": None, "dom": _dom()},
              {"time": 1500, "action": {"type": "click", "x": 50, "y": 70}, "dom": _dom()},
              {"time": 1700, "action": {"type": "keypress", "charCode": ord("h")}, "dom": _dom()},
              {"time": 1800, "action": {"type": "keypress", "charCode": ord("i")}, "dom": _dom()},
              {"time": 1900, "action": {"type": "keydown", "keyCode": 13}, "dom": _dom()},
              {"time": 2500, "action": {"type": "click", "x": 40, "y": 115}, "dom": _dom()}]
    demo = tmp_path / "enter-text_0001.json.gz"
    demo.write_bytes(gzip.compress(json.dumps({"taskName": "enter-text", "utterance": "Type hi and submit",
                                               "reward": 1, "states": states}).encode()))
    source = detect(demo)
    assert source.format == "miniwob" and source.meta.width == 160
    trace = load_trace(demo)
    assert [(s.t, s.action.type) for s in trace.steps] == [(0.5, "click"), (0.7, "type"), (0.9, "key"),
                                                           (1.5, "click")]
    assert trace.steps[1].action.text == "hi" and trace.steps[2].action.keys == ["Enter"]
    elements = [a for a in extract(source, ["gui_element"], cache_dir=tmp_path / "c")]
    assert [(e.c.text, e.c.origin) for e in elements] == [("input", "ui_elements"), ("Submit", "ui_elements")]
    assert elements[1].p == [10, 100, 70, 130]


def _aitw_step(ep: bytes, step: int, kind: int, touch, lift, text=b""):
    return make_example({"episode_id": [ep], "step_id": np.array([step]), "goal_info": [b"open settings"],
                         "results/action_type": np.array([kind]), "results/yx_touch": np.array(touch, float),
                         "results/yx_lift": np.array(lift, float), "results/type_action": [text],
                         "image/height": np.array([2000]), "image/width": np.array([1000]),
                         "image/ui_annotations_positions": np.array([0.1, 0.2, 0.05, 0.3], float),
                         "image/ui_annotations_text": [b"Settings"]})


def test_aitw_tfrecord(tmp_path):
    path = tmp_path / "general.tfrecord"
    write_records(path, [_aitw_step(b"e1", 1, 4, [0.8, 0.5], [0.3, 0.5]), _aitw_step(b"e1", 0, 4, [0.12, 0.3],
                                                                                          [0.12, 0.3]),
                         _aitw_step(b"e1", 2, 3, [-1, -1], [-1, -1], b"wifi"), _aitw_step(b"e2", 0, 10, [-1, -1],
                                                                                          [-1, -1])])
    source = detect(path)
    assert source.kind.value == "gui_trace" and source.format == "aitw" and source.meta.n_steps == 3
    trace = load_trace(path)
    first, swipe, typed = trace.steps
    assert (first.action.type, first.action.x, first.action.y) == ("click", 300, 240)
    assert swipe.action.type == "scroll" and swipe.action.direction == "down"
    assert typed.action.text == "wifi"
    el = extract(source, ["gui_element"], cache_dir=tmp_path / "c")[0]
    assert el.c.text == "Settings" and el.p == [200, 200, 500, 300]
    assert [s.action.type for s in load_trace(f"{path}#episode=1").steps] == ["done"]


def _aitw_bare_step(step: int, **image):
    """An AitW step as the released TFRecords hold it (google-research/android_in_the_wild README:
    `image/encoded` is the screenshot as raw uint8 bytes of height x width x channels, beside
    `image/height`, `image/width`, `image/channels`), with the size features given in `image` only."""
    return make_example({"episode_id": [b"e1"], "step_id": np.array([step]), "goal_info": [b"open settings"],
                         "results/action_type": np.array([4]), "results/yx_touch": np.array([0.5, 0.25], float),
                         "results/yx_lift": np.array([0.5, 0.25], float), "results/type_action": [b""], **image})


def test_aitw_screen_from_the_screenshot_when_the_sides_are_missing(tmp_path):
    """No image/height: the raw buffer's length with image/width and image/channels gives it; a PNG in
    image/encoded (re-packed AitW exports) gives both sides from its header; nothing is assumed."""
    raw = tmp_path / "raw.tfrecord"
    write_records(raw, [_aitw_bare_step(0, **{"image/encoded": [bytes(40 * 90 * 3)], "image/width": np.array([40]),
                                              "image/channels": np.array([3])})])
    png = tmp_path / "png.tfrecord"
    buffer = io.BytesIO()
    Image.new("RGB", (72, 160), "white").save(buffer, "PNG")
    write_records(png, [_aitw_bare_step(0, **{"image/encoded": [buffer.getvalue()]})])
    with warnings.catch_warnings():
        warnings.simplefilter("error", GuiTraceWarning)  # no assumed size, no point off the screen
        for path, size in ((raw, (40, 90)), (png, (72, 160))):
            source = detect(path)
            assert (source.meta.width, source.meta.height) == size and source.meta.screen_assumed is None
            click = load_trace(path).steps[0].action
            assert (click.x, click.y) == (size[0] * 0.25, size[1] * 0.5)


def test_aitw_and_aitz_without_any_size_assume_it_and_say_so(tmp_path):
    """A file that records no size and has no screenshot: the documented default, a warning naming the
    file, and `screen_assumed` in the source meta so no record takes the pixels for measured ones."""
    aitw = tmp_path / "bare.tfrecord"
    write_records(aitw, [_aitw_bare_step(0)])
    aitz = tmp_path / "aitz"
    aitz.mkdir()
    (aitz / "77.json").write_text(json.dumps([{"episode_id": "77", "step_id": 0, "instruction": "open clock",
                                               "image_path": "general/77_0.png", "result_action_type": 4,
                                               "result_touch_yx": "[0.5, 0.5]", "result_lift_yx": "[0.5, 0.5]"}]))
    for path, named in ((aitw, "bare.tfrecord: episode 0"), (aitz, "77.json")):
        with pytest.warns(GuiTraceWarning, match=rf"{named} records no screen size .* assuming 1080x2400"):
            source = detect(path)
        assert (source.meta.width, source.meta.height) == (1080, 2400) and source.meta.screen_assumed is True
        assert source.meta.to_json()["screen_assumed"] is True


def test_aitz_json_with_screenshots(tmp_path):
    Image.new("RGB", (540, 1200), "white").save(tmp_path / "s0.png")
    rows = [{"episode_id": "9", "step_id": 0, "instruction": "turn on wifi", "image_path": "ep9/s0.png",
             "result_action_type": 4, "result_touch_yx": "[0.5, 0.5]", "result_lift_yx": "[0.5, 0.5]",
             "result_action_text": "", "ui_positions": "[[0.45, 0.4, 0.1, 0.2]]", "ui_text": "[\"Wi-Fi\"]",
             "coat_action_desc": "tap Wi-Fi"}]
    (tmp_path / "9.json").write_text(json.dumps(rows))
    trace = load_trace(tmp_path)
    assert trace.source_format == "aitz" and (trace.screen.width, trace.screen.height) == (540, 1200)
    step = trace.steps[0]
    assert step.screenshot == "s0.png" and (step.action.x, step.action.y) == (270, 600)
    assert step.subtask == "tap Wi-Fi"


def test_agentnet_jsonl(tmp_path):
    Image.new("RGB", (1280, 720)).save(tmp_path / "a.png")
    line = {"task_id": "t1", "instruction": "Rename the file", "traj": [
        {"index": 0, "image": "a.png", "value": {"thought": "open menu", "code": "pyautogui.rightClick(x=0.5, y=0.5)"}},
        {"index": 1, "image": "a.png", "value": {"code": "pyautogui.click(x=0.25, y=0.1)\npyautogui.write(message='notes.txt')\npyautogui.hotkey('ctrl', 's')"}},
        {"index": 2, "image": "a.png", "value": {"code": "pyautogui.scroll(-5)"}},
        {"index": 3, "image": "a.png", "value": {"code": "computer.terminate(status='success')"}}]}
    path = tmp_path / "agentnet.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps({**line, "instruction": "second"}) + "\n")
    trace = load_trace(path)
    kinds = [(s.t, s.action.type) for s in trace.steps]
    assert kinds == [(0, "right_click"), (1, "click"), (1, "type"), (1, "key"), (2, "scroll"), (3, "done")]
    assert (trace.steps[0].action.x, trace.steps[0].action.y) == (640, 360)
    assert trace.steps[3].action.keys == ["ctrl", "s"] and trace.steps[4].action.direction == "down"
    assert trace.steps[4].action.x == 320 and trace.steps[0].subtask == "open menu"
    assert load_trace(f"{path}#episode=1").task == "second"
    assert detect(f"{path}#episode=1").content_hash != detect(path).content_hash


def test_agentnet_bad_code_names_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"instruction": "x", "width": 800, "height": 600,
                                "traj": [{"value": {"code": "pyautogui.click(x=0.5,"}}]}) + "\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:1: step 0: unparseable action code"):
        load_trace(path)


def test_canonical_off_screen_point_is_kept_with_warning(tmp_path):
    trace = {"format": "dataclaw.gui_trace/v1", "task": "t", "platform": "web", "screen": {"width": 800, "height": 600},
             "steps": [{"t": 0, "action": {"type": "click", "x": 900, "y": -5}}]}
    (tmp_path / "trace.json").write_text(json.dumps(trace))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_trace(tmp_path)
    assert any(issubclass(w.category, GuiTraceWarning) and "step 0" in str(w.message) for w in caught)
    assert (loaded.steps[0].action.x, loaded.steps[0].action.y) == (900, -5)


def test_canonical_nan_point_is_dropped_and_never_printed(tmp_path):
    (tmp_path / "trace.json").write_text(
        '{"format": "dataclaw.gui_trace/v1", "task": "t", "platform": "web", "screen": {"width": 8, "height": 6},'
        ' "steps": [{"t": 0, "action": {"type": "click", "x": NaN, "y": 2},'
        ' "element": {"text": "a", "bbox": [0, 0, Infinity, 1]}}]}')
    with pytest.warns(GuiTraceWarning, match=r"trace\.json: step 0: point \(x=nan"):
        source = detect(tmp_path)
    anchors = extract(source, cache_dir=tmp_path / "c")
    text = json.dumps([a.model_dump(mode="json") for a in anchors])
    assert "NaN" not in text and "Infinity" not in text
    event = next(a for a in anchors if a.kind == "gui_event")
    assert event.p is None and event.c.x is None


def test_canonical_nan_time_is_rejected(tmp_path):
    (tmp_path / "trace.json").write_text(
        '{"format": "dataclaw.gui_trace/v1", "task": "t", "platform": "web", "screen": {"width": 8, "height": 6},'
        ' "steps": [{"t": NaN, "action": {"type": "wait"}}]}')
    with pytest.raises(InputError, match=r"trace\.json: invalid trace at steps\.0\.t"):
        load_trace(tmp_path)


def test_canonical_malformed_json(tmp_path):
    (tmp_path / "trace.json").write_text('{"format": "dataclaw.gui_trace/v1", "steps": [')
    with pytest.raises(InputError, match=r"trace\.json: malformed trace JSON"):
        detect(tmp_path)


def test_canonical_bad_action_type(tmp_path):
    trace = {"format": "dataclaw.gui_trace/v1", "task": "t", "platform": "web", "screen": {"width": 8, "height": 6},
             "steps": [{"t": 0, "action": {"type": "teleport"}}]}
    (tmp_path / "trace.json").write_text(json.dumps(trace))
    with pytest.raises(InputError, match=r"invalid trace at steps\.0\.action\.type"):
        load_trace(tmp_path / "trace.json")


def test_aitz_swipe_description_agrees_with_the_recorded_direction(tmp_path):
    """AitZ (IMNearth/CoAT data-example GOOGLE_APPS-523638528775825151, step 1): a finger swipe from
    y=0.54 to y=0.001 is described "scroll up" (CoAT names the finger's direction); the view scrolls down.
    UI text is the dataset's own OCR, noise included ("M", "")."""
    Image.new("RGB", (540, 1200), "white").save(tmp_path / "s1.png")
    rows = [{"episode_id": "523638528775825151", "step_id": 1, "instruction": 'open app "Clock"',
             "image_path": "google_apps/GOOGLE_APPS-523638528775825151/s1.png", "result_action_type": 4,
             "result_touch_yx": "[0.541063666343689, 0.5073748230934143]",
             "result_lift_yx": "[0.001115699764341116, 0.5788536071777344]", "result_action_text": "",
             "ui_positions": "[[56, 24, 8, 52], [368, 86, 30, 31]]", "ui_text": "[\"Man, Aug 8\", \"M\"]",
             "coat_action_desc": "scroll up"}]
    (tmp_path / "523638528775825151.json").write_text(json.dumps(rows))
    source = detect(tmp_path)
    (event,) = [a for a in extract(source, ["gui_event"], cache_dir=tmp_path / "c") if a.kind == "gui_event"]
    assert event.c.direction == "down" and event.c.subtask == "scroll down"
    step = load_trace(tmp_path).steps[0]
    assert [e.text for e in step.elements] == ["Man, Aug 8", None]


def test_truncated_traces_are_named_as_such(tmp_path):
    """A cut-short MiniWoB++ demo (gzip) or AgentNet JSONL says so, not "not a media file"."""
    demo = {"utterance": "Click the button", "states": [{"time": 0, "action": None, "dom": _dom()}] * 40}
    data = gzip.compress(json.dumps(demo).encode())
    cut = tmp_path / "click-button_0001.json.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"click-button_0001\.json\.gz: MiniWoB\+\+ demo cut short or corrupt"):
        detect(cut)
    line = json.dumps({"instruction": "x", "traj": [{"value": {"code": "pyautogui.click(x=0.5, y=0.5)"}}] * 20})
    jsonl = tmp_path / "cut.jsonl"
    jsonl.write_text(line[: len(line) // 2])
    with pytest.raises(InputError, match=r"cut\.jsonl: AgentNet JSONL whose line 1 is cut short"):
        detect(jsonl)
