import copy
import json

import pytest

from dataclaw_tailor.evals.metrics import (
    check_validity,
    field_score,
    score_record,
    semantic_score,
    sequence_score,
    validity,
)

from .samples import CAPTIONS, CAPTIONS_SCHEMA, GUI, GUI_SCHEMA, SAMPLES


def scores(pred, ref, schema):
    s = score_record(pred, ref, schema)
    return s.field, s.semantic, s.sequence


@pytest.mark.parametrize("name", list(SAMPLES))
def test_identical_prediction_scores_100_everywhere(name):
    ref, schema, _ = SAMPLES[name]
    text = json.dumps(ref)
    assert validity(text, schema) == 100.0
    assert validity(text, schema, repair=True) == 100.0
    assert scores(copy.deepcopy(ref), ref, schema) == (100.0, 100.0, 100.0)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_one_field_removed_loses_on_field_only(name):
    ref, schema, list_key = SAMPLES[name]
    pred = copy.deepcopy(ref)
    if list_key:
        victim = pred[list_key][1]
        del victim[max((k for k, v in victim.items() if isinstance(v, str)), key=lambda k: len(victim[k]))]
    else:
        del pred["element_text"]
    field, semantic, sequence = scores(pred, ref, schema)
    assert field < 100.0
    assert (semantic, sequence) == (100.0, 100.0)


@pytest.mark.parametrize("name", ["captions", "gui", "vqa"])
def test_shuffled_items_lose_on_sequence_only(name):
    ref, schema, list_key = SAMPLES[name]
    pred = copy.deepcopy(ref)
    items = pred[list_key]
    pred[list_key] = items[1::2] + items[0::2]
    field, semantic, sequence = scores(pred, ref, schema)
    assert (field, semantic) == (100.0, 100.0)
    assert sequence < 100.0


@pytest.mark.parametrize("name", ["captions", "vqa"])
def test_shifted_timestamps_lose_on_sequence_only(name):
    ref, schema, list_key = SAMPLES[name]
    pred = copy.deepcopy(ref)
    for item in pred[list_key]:
        for key in ("start_s", "end_s"):
            if key in item:
                item[key] += 1.5
        if "clip" in item:
            item["clip"] = [v + 1.5 for v in item["clip"]]
    field, semantic, sequence = scores(pred, ref, schema)
    assert (field, semantic) == (100.0, 100.0)
    assert sequence < 100.0


def test_paraphrased_caption_loses_on_semantic_only_and_less_than_an_unrelated_one():
    close, far = copy.deepcopy(CAPTIONS), copy.deepcopy(CAPTIONS)
    close["events"][1]["caption"] = "Someone hikes on a narrow path"
    far["events"][1]["caption"] = "A spreadsheet lists quarterly revenue"
    fc, sc, qc = scores(close, CAPTIONS, CAPTIONS_SCHEMA)
    ff, sf, qf = scores(far, CAPTIONS, CAPTIONS_SCHEMA)
    assert (fc, qc, ff, qf) == (100.0, 100.0, 100.0, 100.0)
    assert sf < sc < 100.0


def test_gui_point_within_five_percent_of_the_diagonal_hits_and_beyond_misses():
    radius = 0.05 * (1024**2 + 768**2) ** 0.5  # 64 px
    near, far = copy.deepcopy(GUI), copy.deepcopy(GUI)
    near["steps"][1]["action"]["x"] += radius - 1
    far["steps"][1]["action"]["x"] += radius + 1
    assert sequence_score(near, GUI) == 100.0
    assert sequence_score(far, GUI) < 100.0


def test_wrong_types_and_enum_values_cost_field():
    pred = copy.deepcopy(GUI)
    pred["screen_width"] = "1024"
    pred["steps"][0]["action"]["type"] = "tap"
    assert field_score(pred, GUI, GUI_SCHEMA) < 100.0


def test_unparseable_or_missing_prediction_scores_zero():
    assert validity("not json at all", CAPTIONS_SCHEMA, repair=True) == 0.0
    assert scores(None, CAPTIONS, CAPTIONS_SCHEMA) == (0.0, 0.0, 0.0)
    empty = {"summary": CAPTIONS["summary"], "events": []}
    field, semantic, sequence = scores(empty, CAPTIONS, CAPTIONS_SCHEMA)
    assert field < 50 and semantic < 10 and sequence == 0.0


def test_check_validity_reports_before_and_after_repair():
    broken = json.dumps(CAPTIONS)[:-1] + ",}"
    v = check_validity(broken, CAPTIONS_SCHEMA)
    assert (v.strict_parse, v.strict_valid, v.repaired_parse, v.repaired_valid) == (False, False, True, True)
    assert v.record == CAPTIONS
    wrong_type = dict(CAPTIONS, summary=3)
    v = check_validity(json.dumps(wrong_type), CAPTIONS_SCHEMA)
    assert v.strict_parse and not v.strict_valid and v.repaired_valid


def test_semantic_ignores_file_names_and_anchor_ids():
    pred = copy.deepcopy(GUI)
    for step in pred["steps"]:
        step["screenshot"] = "other.png"
        step["anchor_ids"] = ["gui_event:99"]
    assert semantic_score(pred, GUI) == 100.0


def test_invented_items_cost_semantic_and_sequence_not_field():
    ref = {"task": "Pick up the bottle", "segments": [{"start_s": 0.0, "end_s": 2.0, "skill": "reach"}], "anomalies": []}
    pred = copy.deepcopy(ref)
    pred["anomalies"] = [{"type": "drop", "start_s": 1.0, "end_s": 1.5, "evidence": "the bottle falls"}]
    schema = {"type": "object"}
    field, semantic, sequence = scores(pred, ref, schema)
    assert field == 100.0 and semantic < 100.0 and sequence < 100.0


def test_check_validity_scores_grounding_when_anchors_are_given():
    from dataclaw_tailor.core import Anchor, Source, SourceKind

    source = Source(path="v.mp4", kind=SourceKind.video, content_hash="x", meta={"duration_s": 24.0})
    anchors = [Anchor(id=f"shot:{i}", kind="shot", t=(e["start_s"], e["end_s"])) for i, e in enumerate(CAPTIONS["events"])]
    grounded = check_validity(json.dumps(CAPTIONS), CAPTIONS_SCHEMA, anchors, source)
    assert grounded.grounding == 1.0 and grounded.strict_valid
    wrong = copy.deepcopy(CAPTIONS)
    wrong["events"][0]["anchor_ids"] = ["shot:9"]
    assert check_validity(json.dumps(wrong), CAPTIONS_SCHEMA, anchors, source).grounding < 1.0
    assert check_validity(json.dumps(CAPTIONS), CAPTIONS_SCHEMA).grounding is None


def test_score_records_matches_score_record_one_by_one():
    from dataclaw_tailor.evals.metrics import score_records

    shifted = copy.deepcopy(CAPTIONS)
    shifted["events"][0]["caption"] = "Pine trees move in the breeze"
    preds, refs, schemas = [CAPTIONS, shifted, None], [CAPTIONS, CAPTIONS, GUI], [CAPTIONS_SCHEMA, CAPTIONS_SCHEMA, GUI_SCHEMA]
    assert score_records(preds, refs, schemas) == [score_record(p, r, s) for p, r, s in zip(preds, refs, schemas)]
