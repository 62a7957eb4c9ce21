"""The dev benchmark's references against the ground truth in the real devset (skipped without it)."""

import json
from pathlib import Path

import pytest

from dataclaw_tailor.evals.cases import load_cases
from dataclaw_tailor.evals.devbench import build_cases, gui_cases, robot_cases, sintel_cases, video_cases

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


def test_sintel_reference_events_are_its_subtitle_cues(devset):
    """SOURCES.md: 8 cues on every track, the first 00:00:00,182 -> 00:00:03,632 and the last 00:00:25,582 -> 00:00:27,182."""
    events = sintel_cases(devset)[0].reference["events"]
    assert len(events) == 8
    assert (events[0]["start_s"], events[0]["end_s"]) == (0.182, 3.632)
    assert (events[-1]["start_s"], events[-1]["end_s"]) == (25.582, 27.182)
    assert all(a["end_s"] <= b["start_s"] for a, b in zip(events, events[1:]))


def test_checked_in_benchmark_is_what_the_builder_makes(devset):
    built = build_cases(devset)
    assert [c.model_dump() for c in built] == [c.model_dump() for c in load_cases(BENCH)]
    assert len(built) >= 12 and len({c.domain for c in built}) >= 3 and sum(c.fuzzy for c in built) >= 4


def _main_list(record: dict) -> str:
    return max((k for k, v in record.items() if isinstance(v, list) and all(isinstance(i, dict) for i in v)), key=lambda k: len(record[k]))


def _shift(node, by: float):
    if isinstance(node, dict):
        return {k: (v + by if k in ("start_s", "end_s") else [t + by for t in v] if k == "clip" else _shift(v, by)) for k, v in node.items()}
    if isinstance(node, list):
        return [_shift(v, by) for v in node]
    return node


def test_each_perturbation_of_a_real_reference_hits_one_metric(devset):
    """The metric invariants on every task shape of the dev benchmark (one reference per task)."""
    import copy

    from dataclaw_tailor.evals.metrics import score_record
    from dataclaw_tailor.experts.registry import get_task

    seen: dict[str, object] = {}
    for case in gui_cases(devset) + video_cases(devset) + sintel_cases(devset) + robot_cases(devset):
        seen.setdefault(case.task, case.reference)
    for task, ref in seen.items():
        schema = get_task(task).json_schema()
        key = _main_list(ref)

        def scores(pred):
            s = score_record(pred, ref, schema)
            return s.field, s.semantic, s.sequence

        assert scores(copy.deepcopy(ref)) == (100.0, 100.0, 100.0), task
        removed = copy.deepcopy(ref)
        item = removed[key][1]
        del item[max((k for k, v in item.items() if isinstance(v, str)), key=lambda k: len(item[k]))]
        field, semantic, sequence = scores(removed)
        assert field < 100.0 and (semantic, sequence) == (100.0, 100.0), task
        shuffled = copy.deepcopy(ref)
        shuffled[key] = shuffled[key][1::2] + shuffled[key][0::2]
        field, semantic, sequence = scores(shuffled)
        assert (field, semantic) == (100.0, 100.0) and sequence < 100.0, task
        if task not in ("gui.trajectory", "gui.grounding"):
            field, semantic, sequence = scores(_shift(ref, 1.5))
            assert (field, semantic) == (100.0, 100.0) and sequence < 100.0, task
