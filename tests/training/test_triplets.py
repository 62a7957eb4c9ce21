import json

import pytest

from dataclaw_tailor.core import InputError
from dataclaw_tailor.training.triplets import (
    anchor_lines,
    prompt_messages,
    read_triplets,
    select,
    sft_row,
    to_hf_dataset,
    write_triplet,
)

from .conftest import make_triplet


def test_triplets_round_trip_and_a_torn_last_line_is_skipped(tmp_path):
    file = tmp_path / "triplets.jsonl"
    written = [make_triplet(i) for i in range(3)]
    for t in written:
        write_triplet(file, t)
    with file.open("a") as fh:
        fh.write('{"key": "half-writ')  # a run killed mid-write
    assert [t.key for t in read_triplets(tmp_path)] == [t.key for t in written]


def test_a_corrupt_line_in_the_middle_names_the_file_and_line(tmp_path):
    file = tmp_path / "triplets.jsonl"
    write_triplet(file, make_triplet(0))
    with file.open("a") as fh:
        fh.write("not json\n")
    write_triplet(file, make_triplet(1))
    with pytest.raises(InputError, match=r"triplets.jsonl: line 2"):
        list(read_triplets(file))


def test_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="claw train construct"):
        list(read_triplets(tmp_path / "nothing"))


def test_select_filters_domains_and_invalid_records():
    rows = [make_triplet(0, "gui"), make_triplet(1, "daily"), make_triplet(2, "daily", valid=False)]
    assert [t.domain for t in select(rows, domains=["daily"])] == ["daily"]
    assert len(select(rows, only_valid=False)) == 3


def test_compact_prompt_carries_every_anchor_and_the_target_is_compact_json():
    t = make_triplet(0)
    row = sft_row(t, "compact")
    user = row["prompt"][-1]["content"]
    for line in anchor_lines(t.anchors):
        assert line in user
    assert "shot:1 t=[3.0,6.0]" in user and "duration_s" in user
    target = row["completion"][0]["content"]
    assert json.loads(target) == t.record and ", " not in target
    assert json.loads(row["schema"]) == t.json_schema


def test_clarify_rows_target_the_questions():
    t = make_triplet(0).model_copy(update={"kind": "clarify", "record": None, "questions": [{"id": "task", "text": "Which?", "options": []}]})
    assert "vague" in prompt_messages(t, "compact")[0]["content"]
    assert json.loads(sft_row(t, "compact")["completion"][0]["content"]) == {"questions": t.questions}


def test_hf_dataset_has_one_row_per_triplet_with_json_columns(tmp_path):
    ds = to_hf_dataset([make_triplet(i) for i in range(4)])
    assert ds.num_rows == 4
    assert {"key", "intent", "schema", "anchors", "source", "record", "prompt"} <= set(ds.column_names)
    ds.save_to_disk(str(tmp_path / "ds"))
    from datasets import load_from_disk

    again = load_from_disk(str(tmp_path / "ds"))
    assert json.loads(again[0]["anchors"])[0]["id"] == "shot:0"
