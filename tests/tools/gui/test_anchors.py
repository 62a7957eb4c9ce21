"""The element text at each pointer event on every real GUI sample in the devset, and which source gave
it (`from`): the trace's own record first, then the step's UI element tree, then OCR. Names are the ones
SOURCES.md and the samples' own task text state (a MiniWoB utterance names what to click; the AgentNetTool
annotator wrote "Click on Power & sleep")."""

import warnings

import pytest

from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.gui import GuiTraceWarning

POINTER = ("click", "double_click", "right_click", "drag")


def elements_of(devset, relative: str, cache) -> tuple[int, dict[str, tuple[str, str]]]:
    """(pointer events, {event id: (text, from)}) for one sample."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GuiTraceWarning)
        source = detect(devset / "gui" / relative)
        anchors = extract(source, ["gui", "gui_element"], cache_dir=cache)
    pointer = sum(a.kind == "gui_event" and a.c.action in POINTER for a in anchors)
    named = {a.c.event: (a.c.text, a.c.origin) for a in anchors if a.kind == "gui_element" and a.c.text}
    return pointer, named


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("anchors")


MINIWOB = {
    # utterance: "Select WoWwb, skHd4ep, kC4iUIO, TG8, eG8sE5Q and click Submit." (checkboxes named by their LABEL)
    "miniwob-demos/clean/click-checkboxes-large_1026090755.json":
        ["WoWwb", "skHd4ep", "kC4iUIO", "TG8", "eG8sE5Q", "Submit"],
    # utterance: 'Switch between the tabs to find and click on the link "at".'
    "miniwob-demos/clean/click-tab-2-hard_386CSBG1O0GRZTOL0UU93JJVIDG6QB_d1.json.gz": ["2", "3", "4", "at"],
    # utterance: 'Enter the username "renda" ... and press login.' (the field named by its sibling LABEL)
    "miniwob-demos/turk/login-user_3A0EX8ZRN9I6E7W2NVSBRL8PTABYB2_d2.json.gz": ["Username", "Login"],
    # utterance: 'Enter "Sergio" into the text field and press Submit.' (the field has no text, label or long id)
    "miniwob-demos/turk/enter-text_33L7PJKHCHSRVNZ1ADL2S2Q98F58TD_d1.json.gz": ["text field", "Submit"],
    # utterance: 'Find the email by Corie and reply to them ...': the Reply icon is named by its caption
    "miniwob-demos/turk/email-inbox_3HYA4D452SD6Q3FBZC7C17Y5V642FV_d5.json.gz":
        ["main", "Vitae, vel non ..", "Reply", "reply-text", "send-reply"],
}


@pytest.mark.devset
@pytest.mark.parametrize("relative", sorted(MINIWOB))
def test_miniwob_clicks_are_named_by_the_recorded_dom_target(devset, cache, relative):
    pointer, named = elements_of(devset, relative, cache)
    assert [text for text, _ in named.values()] == MINIWOB[relative]
    assert pointer == len(named) and {origin for _, origin in named.values()} == {"trace"}


@pytest.mark.devset
def test_miniwob_scroll_list_names_options_and_submit(devset, cache):
    """utterance: "Select Nepal, Egypt from the scroll list and click Submit." (14 presses, 3 on the scrollbar)."""
    pointer, named = elements_of(devset, "miniwob-demos/turk/click-scroll-list_3YW4XOSQKRFOK0U5BX2XIOP3BAZU17_d3.json.gz",
                                 cache)
    texts = [text for text, _ in named.values()]
    assert pointer == len(texts) == 14 and {"Nepal", "Egypt", "Submit"} <= set(texts)
    assert texts.count("options") == 3  # the scrollbar drags: the SELECT, by its id


@pytest.mark.devset
def test_agentnettool_annotator_words_beat_stale_uia_targets(devset, cache):
    """The recorded UIA targets of the last clicks are stale ("Settings", "Projecting to this PC", a taskbar
    button); the annotator's "Click on X" names what was clicked. The drag on the brightness slider has
    neither: the accessibility tree under the point names it."""
    pointer, named = elements_of(devset, "opencua-agentnet/raw", cache)
    assert pointer == len(named) == 13
    assert named["gui_event:10"] == ("Keep changes", "trace")
    assert named["gui_event:11"] == ("Power & sleep", "trace")
    assert named["gui_event:13"] == ("5 hours", "trace")
    assert named["gui_event:9"] == ("1680x1050", "trace")
    assert named["gui_event:1"] == ("Night light", "trace")  # the UIA target, no annotator words
    assert named["gui_event:3"] == ("Change brightness for the built-in display", "ui_elements")


@pytest.mark.devset
@pytest.mark.parametrize(("relative", "floor", "names"), [
    # AgentNet keeps no element data: OCR of the click crop. The reduced raw actions name the targets.
    ("opencua-agentnet/processed/raw_example.jsonl", 8, {"1680", "changes", "sleep", "hours"}),
    # AgentNetBench boxes have no text: OCR inside the box (low_level_instruction: "Click the 'Search' button").
    ("agentnetbench-goodreads/s_df0fd37049f470c2.json", 3, {"Search"}),
    # ScreenAgent: OCR only (the Firefox icon's caption, the address bar "Search with Bing or enter address").
    ("screenagent-task101", 2, {"Firefox", "Bing"}),
])
def test_ocr_names_clicks_where_the_trace_has_no_text(devset, cache, relative, floor, names):
    pointer, named = elements_of(devset, relative, cache)
    texts = " ".join(text for text, _ in named.values())
    assert len(named) >= floor and pointer >= len(named)
    assert all(name.lower() in texts.lower() for name in names), texts
    assert {origin for _, origin in named.values()} == {"ocr"}


@pytest.mark.parametrize(("words", "name"), [
    ("Click on Power & sleep", "Power & sleep"), ("click on drop-down list", "drop-down list"),
    ("Double-click the Recycle Bin.", "Recycle Bin"), ("Right click on it", None), ("click on", None),
    ("Scroll ⬇️×3", None), ("click", None),
])
def test_annotator_words_name_the_clicked_element(words, name):
    from dataclaw_tailor.tools.gui.agentnettool import _clicked

    assert _clicked(words) == name


@pytest.mark.parametrize(("value", "system"), [("Windows", "Windows"), ("Darwin", "macOS"), (" ubuntu ", "Ubuntu"),
                                               ("win_mac", None), ("", None), (None, None), (3, None)])
def test_system_names_are_spelled_the_usual_way_and_never_guessed(value, system):
    from dataclaw_tailor.tools.gui.trace import system_name

    assert system_name(value) == system
