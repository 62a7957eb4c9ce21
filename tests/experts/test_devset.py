"""Every task that fits a real devset source gets a valid, grounded rules record from the real extractors."""

import json

import pytest

from dataclaw_tailor.core import Intent, SourceKind, TailorContext
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.registry import tasks_for
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.registry import applicable

SOURCES = [
    ("video/pyscenedetect/testvideo.mp4", SourceKind.video),
    ("gui/screenagent-task101", SourceKind.gui_trace),
    ("robot/g1-lerobot-v21", SourceKind.robot_episode),
    ("robot/bridge-rlds", SourceKind.robot_episode),
]


@pytest.mark.devset
@pytest.mark.parametrize(("relative", "kind"), SOURCES)
def test_rules_records_on_real_sources_are_valid(devset, relative, kind):
    if applicable(["robot_task", "phase", "gripper", "shot", "gui_event"], kind) is None:
        pytest.skip(f"no extractor for {kind.value} sources is registered in this checkout")
    source = detect(devset / relative)
    assert source.kind == kind
    checked = []
    for task in tasks_for(source.kind):
        if task.model is None:
            continue
        anchors = extract(source, applicable(task.extractors, source.kind))
        ctx = TailorContext(source=source, intent=Intent(text="tailor this"), anchors=anchors, task=task.name)
        record = task.synthesize(ctx)
        report = check_record(json.dumps(record), task.json_schema(), anchors, source, repair=False).report
        assert report.valid, (task.name, report.errors)
        checked.append(task.name)
    assert checked == [t.name for t in tasks_for(kind) if t.model is not None]


@pytest.mark.devset
def test_real_video_captions_follow_the_reference_cuts(devset):
    source = detect(devset / "video" / "pyscenedetect" / "testvideo.mp4")
    anchors = extract(source, ["shot", "cut", "keyframe", "motion"])
    record = next(t for t in tasks_for(source.kind) if t.name == "daily.dense_captions").synthesize(
        TailorContext(source=source, intent=Intent(text="dense captions"), anchors=anchors, task="daily.dense_captions"))
    fps = source.meta.fps
    starts = [round(e["start_s"] * fps) for e in record["events"]]
    assert starts == [0, 30, 180, 394], "events start at PySceneDetect's reference cut frames"
