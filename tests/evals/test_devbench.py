"""The dev benchmark's references against the ground truth in the real devset (skipped without it)."""

import json
from pathlib import Path

import pytest

from dataclaw_tailor.evals.cases import load_cases
from dataclaw_tailor.evals.devbench import build_cases, gui_cases, video_cases

BENCH = Path(__file__).resolve().parents[2] / "bench" / "devset" / "devbench.jsonl"
pytestmark = pytest.mark.devset


def test_gui_references_follow_the_human_corrected_actions(devset):
    trajectory = gui_cases(devset)[0].reference
    actions = [s["action"] for s in trajectory["steps"]]
    assert [a["type"] for a in actions] == ["double_click", "click", "type", "key", "click", "type", "key", "scroll"]
    assert [(a["x"], a["y"]) for a in actions if a["x"] is not None] == [(459, 215), (350, 75), (512, 230)]
    assert actions[2]["text"] == "www.bing.com" and actions[7]["amount"] == 10 and actions[7]["direction"] == "down"
    assert trajectory["task"] == "In www.bing.com, search for 'How to bake a chocolate cake'."


def test_video_references_follow_the_reference_cut_list(devset):
    captions = video_cases(devset)[0].reference
    cuts = json.loads((devset / "video" / "pyscenedetect" / "testvideo.mp4.ContentDetector.default.json").read_text())["cuts"]
    starts = [e["start_s"] for e in captions["events"]][1:]
    assert starts == [round(c * 1001 / 30000, 3) for c in cuts]


def test_checked_in_benchmark_is_what_the_builder_makes(devset):
    pytest.importorskip("dataclaw_tailor.tools.robot", reason="robot episode loaders not merged yet")
    built = build_cases(devset)
    assert [c.model_dump() for c in built] == [c.model_dump() for c in load_cases(BENCH)]
    assert len(built) >= 12 and len({c.domain for c in built}) >= 3 and sum(c.fuzzy for c in built) >= 4
