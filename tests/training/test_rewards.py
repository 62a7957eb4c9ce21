import json

import pytest

from dataclaw_tailor.training.rewards import (
    LengthBudget,
    RewardWeights,
    anchor_reward,
    combined_reward,
    efficiency_reward,
    format_reward,
)
from dataclaw_tailor.training.triplets import reward_columns

from .conftest import make_triplet

T = make_triplet(0)  # duration 6 s, shot:0 [0, 3], shot:1 [3, 6]
COLS = reward_columns(T)


def cols(n: int) -> dict:
    return {k: [v] * n for k, v in COLS.items()}


GOOD = json.dumps(T.record)
UNGROUNDED = json.dumps({"events": [
    {"start_s": 40.0, "end_s": 55.0, "caption": "scene 0", "anchor_ids": ["shot:7"]},
    {"start_s": 3.0, "end_s": 6.0, "caption": "scene 1", "anchor_ids": ["shot:1"]},
]})


def test_format_reward_separates_valid_schema_broken_and_unparseable_json():
    wrong_type = json.dumps({"events": [{"start_s": "zero", "end_s": 3, "caption": "x", "anchor_ids": []}]})
    many_wrong = json.dumps({"events": [{"start_s": "a", "end_s": "b", "caption": 1, "anchor_ids": "x"}]})
    truncated = GOOD[:-5]
    scores = format_reward([GOOD, wrong_type, many_wrong, truncated, "Sure! Here is the JSON"], **cols(5))
    assert scores[0] == 1.0
    assert 0.25 < scores[2] < scores[1] < 1.0
    assert scores[3] == scores[4] == 0.0


def test_format_reward_reads_chat_completions():
    chat = [[{"role": "assistant", "content": GOOD}], [{"role": "assistant", "content": "{"}]]
    assert format_reward(chat, **cols(2)) == [1.0, 0.0]


def test_anchor_reward_prefers_grounded_timestamps():
    grounded, ungrounded, broken, empty = anchor_reward([GOOD, UNGROUNDED, "{oops", "{}"], **cols(4))
    assert grounded == 1.0
    assert 0.0 < ungrounded < 0.75  # second event holds, first is out of range, far and cites a missing anchor
    assert broken == 0.0 and empty == 0.0


def test_anchor_reward_checks_time_against_cited_anchor():
    far = json.dumps({"events": [{"start_s": 0.0, "end_s": 1.0, "caption": "x", "anchor_ids": ["shot:1"]}]})
    near = json.dumps({"events": [{"start_s": 3.0, "end_s": 5.5, "caption": "x", "anchor_ids": ["shot:1"]}]})
    far_score, near_score = anchor_reward([far, near], **cols(2))
    assert near_score == 1.0 and far_score < 1.0


def test_efficiency_reward_penalises_padding_not_brevity():
    short = json.dumps({"events": []})
    padded = GOOD + " " * len(GOOD)
    rambling = GOOD + "\n" + "And here are some more thoughts. " * 40
    scores = efficiency_reward([GOOD, short, padded, rambling], **cols(4))
    assert scores[0] == scores[1] == 1.0
    assert 0.0 < scores[2] < 1.0
    assert scores[3] == 0.0
    strict = efficiency_reward([padded], budget=LengthBudget(slack=0.0, falloff=0.5), **cols(1))
    assert strict[0] < scores[2]


def test_combined_reward_is_the_weighted_sum():
    w = RewardWeights(format=2.0, anchor=1.0, efficiency=0.5)
    texts = [GOOD, UNGROUNDED, "nope"]
    parts = [f(texts, **cols(3)) for f in (format_reward, anchor_reward, efficiency_reward)]
    expected = [round(2.0 * a + 1.0 * b + 0.5 * c, 6) for a, b, c in zip(*parts)]
    assert combined_reward(texts, w, **cols(3)) == expected
    assert expected[0] > expected[1] > expected[2]


def test_missing_column_is_a_clear_error():
    with pytest.raises(ValueError, match="anchors"):
        anchor_reward([GOOD], source=[COLS["source"]])
