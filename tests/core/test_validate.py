from dataclaw_tailor.core import Anchor, Source, SourceKind
from dataclaw_tailor.core.grounding import grounding_score
from dataclaw_tailor.core.validate import check_record

SCHEMA = {
    "type": "object",
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "start_s": {"type": "number"},
                    "end_s": {"type": "number"},
                    "caption": {"type": "string"},
                    "anchor_ids": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["start_s", "end_s", "caption", "anchor_ids"],
            },
        }
    },
    "required": ["events"],
}
SOURCE = Source(path="v.mp4", kind=SourceKind.video, content_hash="x", meta={"duration_s": 10.0, "width": 100, "height": 50})
ANCHORS = [Anchor(id="shot:0", kind="shot", t=(0.0, 4.0)), Anchor(id="shot:1", kind="shot", t=(4.0, 10.0))]


def test_valid_record_passes_untouched():
    text = '{"events": [{"start_s": 0, "end_s": 4, "caption": "a", "anchor_ids": ["shot:0"]}]}'
    checked = check_record(text, SCHEMA, ANCHORS, SOURCE)
    assert checked.report.valid, checked.report.errors
    assert checked.report.repairs == []


def test_broken_json_wrong_types_late_time_and_unknown_anchor_are_repaired():
    text = '{"events": [{"start_s": "4", "end_s": 12.5, "caption": "b", "anchor_ids": ["shot:1", "shot:9"]},]'
    checked = check_record(text, SCHEMA, ANCHORS, SOURCE)
    report = checked.report
    assert not report.parsed and report.parsed_after_repair
    actions = {r.action for r in report.repairs}
    assert {"json_repair", "coerce", "clamp", "drop_unknown_anchor"} <= actions
    assert checked.record["events"][0] == {"start_s": 4.0, "end_s": 10.0, "caption": "b", "anchor_ids": ["shot:1"]}
    assert report.valid


def test_without_repair_problems_are_reported_with_paths():
    text = '{"events": [{"start_s": 4, "end_s": 12.5, "caption": 3, "anchor_ids": ["shot:9"]}]}'
    report = check_record(text, SCHEMA, ANCHORS, SOURCE, repair=False).report
    found = {(p.path, p.code) for p in report.errors}
    assert ("$.events[0].caption", "schema") in found
    assert ("$.events[0].end_s", "time_range") in found
    assert ("$.events[0].anchor_ids[0]", "unknown_anchor") in found
    assert not report.valid


def test_span_far_from_cited_anchor_is_ungrounded():
    record = {"events": [{"start_s": 0.0, "end_s": 9.0, "caption": "c", "anchor_ids": ["shot:0"]}]}
    assert grounding_score(record, ANCHORS, SOURCE) < 1.0
    record["events"][0]["end_s"] = 4.5
    assert grounding_score(record, ANCHORS, SOURCE) == 1.0
