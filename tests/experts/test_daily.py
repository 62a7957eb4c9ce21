from collections import Counter

from dataclaw_tailor.experts.examples import example_context

from .support import context, synthesize_checked


def test_dense_captions_one_event_per_shot_from_observed_facts():
    record = synthesize_checked(example_context("daily", "daily.dense_captions"))
    assert [(e["start_s"], e["end_s"]) for e in record["events"]] == [(0.0, 1.0), (1.0, 6.0), (6.0, 13.15), (13.15, 24.0)]
    assert "on-screen text 'FRESH FRUIT'" in record["events"][1]["caption"]
    assert "subtitles: 'The market opens early on Saturdays.'" in record["events"][3]["caption"]
    assert all(o.lower() in e["caption"].lower() for e in record["events"] for o in e["objects"]), \
        "rules name only objects read in the event's subtitles or on-screen text"
    assert [e["objects"] for e in record["events"]] == [[], ["FRESH FRUIT"], [], ["market"]]
    assert record["summary"].startswith("A 24.0-second video in 4 parts with 3 cuts.")


def test_dense_captions_merge_shots_to_fit_max_items_and_cover_the_video():
    ctx = example_context("daily", "daily.dense_captions")
    ctx.intent.max_items = 2
    record = synthesize_checked(ctx)
    assert [(e["start_s"], e["end_s"]) for e in record["events"]] == [(0.0, 6.0), (6.0, 24.0)]
    assert record["events"][0]["caption"].startswith("Shot 1 to 2 (0.0-6.0 s)")


def test_dense_captions_without_shots_fall_back_to_the_whole_video():
    record = synthesize_checked(context("daily.dense_captions", "video", [], {"duration_s": 5.0}))
    assert record["events"] == [{"start_s": 0.0, "end_s": 5.0, "caption": "The whole video (0.0-5.0 s).", "objects": [], "anchor_ids": []}]


def test_vqa_mixes_question_types_read_off_anchors():
    record = synthesize_checked(example_context("daily", "daily.vqa"))
    types = [q["type"] for q in record["qa"]]
    assert types[:4] == ["temporal_order", "counting", "spatial", "state_change"]
    assert "causal" not in types
    counting = next(q for q in record["qa"] if q["type"] == "counting")
    assert counting["answer"] == "3" and counting["anchor_ids"] == ["cut:0", "cut:1", "cut:2"]
    spatial = Counter(q["answer"] for q in record["qa"] if q["type"] == "spatial")
    assert spatial == {"In the upper left of the frame.": 1, "In the lower right of the frame.": 1}


def test_vqa_budget_keeps_every_type():
    ctx = example_context("daily", "daily.vqa")
    ctx.intent.max_items = 4
    record = synthesize_checked(ctx)
    assert len({q["type"] for q in record["qa"]}) == 4
