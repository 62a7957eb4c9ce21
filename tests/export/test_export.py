import json
from pathlib import Path

import pytest
from PIL import Image

from dataclaw_tailor.core import InputError
from dataclaw_tailor.export import export_records

from ..conftest import run_claw

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for part in m['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% else %}<|image|>{% endif %}{% endfor %}{% endif %}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@pytest.fixture(scope="module")
def tokenizer():
    """A real byte-level BPE tokenizer trained here, with a chat template (no hub download)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|im_start|>", "<|im_end|>", "<|pad|>", "<|image|>"])
    tok.train_from_iterator(["click the search box", '{"thought": "open", "action": {"type": "click"}}', "What happens first?"], trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|pad|>", chat_template=CHAT_TEMPLATE)


def _image(path: Path, color: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 24), color).save(path)
    return path


@pytest.fixture
def records(tmp_path: Path) -> Path:
    trace = tmp_path / "trace"
    _image(trace / "shots" / "0.png", (255, 0, 0))
    _image(trace / "shots" / "1.png", (0, 255, 0))
    key0 = _image(tmp_path / "cache" / "k0.jpg", (0, 0, 255))
    key1 = _image(tmp_path / "cache" / "k1.jpg", (9, 9, 9))
    gui = {
        "status": "ok", "task": "gui.trajectory", "domain": "gui", "thread_id": "g1",
        "provenance": {"source_path": str(trace)}, "validation": {"valid": True},
        "record": {"task": "Search Bing", "platform": "desktop", "screen": {"width": 1024, "height": 768}, "steps": [
            {"index": 0, "screenshot": "shots/0.png", "thought": "Open the browser", "action": {"type": "double_click", "x": 40, "y": 50}},
            {"index": 1, "screenshot": "shots/1.png", "thought": "Type the address", "action": {"type": "type", "text": "bing.com"}},
        ]},
    }
    anchors = [{"id": "keyframe:0", "kind": "keyframe", "t": 1.0, "c": {"path": str(key0)}}, {"id": "keyframe:1", "kind": "keyframe", "t": 5.0, "c": {"path": str(key1)}}]
    captions = {
        "status": "ok", "task": "daily.dense_captions", "domain": "daily", "intent": {"text": "dense captions please"}, "anchors": anchors,
        "record": {"summary": "Two shots.", "events": [{"start_s": 0, "end_s": 3, "caption": "Blue sky"}, {"start_s": 3, "end_s": 6, "caption": "Dark night"}]},
    }
    vqa = {
        "status": "ok", "task": "daily.vqa", "domain": "daily", "anchors": anchors,
        "record": {"qa": [{"question": "What happens first?", "answer": "The sky is blue", "clip": [0, 2]}, {"question": "And later?", "answer": "It is night", "clip": [4, 6]},
                          {"question": "Between?", "answer": "A cut", "clip": [3.0, 3.2]}]},
    }
    invalid = dict(captions, status="invalid")
    asked = {"status": "needs_clarification", "record": None, "task": None}
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in (gui, captions, vqa, invalid, asked)) + "\n")
    return path


def _to_chat(row: dict, fmt: str) -> list[dict]:
    if fmt == "sharegpt":
        roles = {"human": "user", "gpt": "assistant"}
        return [{"role": "system", "content": row["system"]}] + [{"role": roles[t["from"]], "content": t["value"]} for t in row["conversations"]]
    return row["messages"]


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "trl"])
def test_chat_formats_load_with_datasets_and_render_with_a_chat_template(records, tmp_path, tokenizer, fmt):
    from datasets import load_dataset

    out = tmp_path / "out" / f"{fmt}.jsonl"
    summary = export_records(records, fmt, out)
    assert (summary.records, summary.samples, summary.images) == (3, 6, 7)
    assert [(s.line, s.reason) for s in summary.skipped] == [(4, "status invalid"), (5, "no record")]
    assert summary.missing_images == []

    ds = load_dataset("json", data_files=str(out), split="train")
    assert len(ds) == 6
    rendered = [tokenizer.apply_chat_template(_to_chat(row, fmt), tokenize=False) for row in ds]
    first = rendered[0]
    assert '"type": "double_click"' in first and "Search Bing" in first
    assert "1. double_click (40, 50)" in rendered[1]
    assert rendered[4].endswith("It is night<|im_end|>\n")
    assert "Task: Search Bing. The screen is 1024x768 pixels." in first
    ids = tokenizer.apply_chat_template(_to_chat(ds[2], fmt), tokenize=True, return_dict=True)["input_ids"]
    assert ids[0] == tokenizer.convert_tokens_to_ids("<|im_start|>") and len(ids) > 10
    if fmt == "sharegpt":
        for row in ds:
            assert row["conversations"][0]["value"].count("<image>") == len(row["images"])
            assert all((out.parent / p).is_file() for p in row["images"])
        assert [len(r["images"]) for r in ds] == [1, 1, 2, 1, 1, 1]
    if fmt == "openai":
        urls = [p["image_url"]["url"] for p in ds[0]["messages"][1]["content"] if p["type"] == "image_url"]
        assert len(urls) == 1 and urls[0].startswith("data:image/png;base64,")
    if fmt == "trl":
        assert sum(p["type"] == "image" for p in ds[2]["messages"][1]["content"]) == len(ds[2]["images"]) == 2


@pytest.fixture
def hf_cache(tmp_path) -> Path:
    """A `datasets` cache of this test's own (the suite's sandbox keeps every cache out of the home)."""
    return tmp_path / "datasets-cache"


def test_hf_parquet_with_card_loads_with_images(records, tmp_path, hf_cache):
    from datasets import load_dataset

    out = tmp_path / "hf"
    summary = export_records(records, "hf", out)
    assert summary.samples == 6
    card = (out / "README.md").read_text()
    assert card.startswith("---\nconfigs:") and "| daily.vqa | 3 |" in card
    ds = load_dataset(str(out), split="train", cache_dir=str(hf_cache))
    assert ds.column_names == ["id", "task", "prompt", "answer", "images"]
    assert ds[0]["id"] == "g1/step0" and ds[0]["images"][0].size == (32, 24)
    assert json.loads(ds[2]["answer"])["events"][1]["caption"] == "Dark night"


def test_record_unit_and_missing_images_are_reported(records, tmp_path):
    lines = records.read_text().splitlines()
    gui = json.loads(lines[0])
    gui["record"]["steps"][1]["screenshot"] = "shots/gone.png"
    records.write_text(json.dumps(gui) + "\n")
    summary = export_records(records, "openai", tmp_path / "r.jsonl", unit="record")
    assert summary.samples == 1 and summary.images == 1
    assert summary.missing_images == ["shots/gone.png"]


def test_bad_records_file_names_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"record": {}, "task": "x"}\nnot json\n')
    with pytest.raises(InputError, match=r"bad.jsonl: line 2 is not JSON"):
        export_records(bad, "trl", tmp_path / "x.jsonl")
    with pytest.raises(InputError, match="unknown export format 'openai-chat'; choose one of openai, sharegpt, trl, hf"):
        export_records(bad, "openai-chat", tmp_path / "x.jsonl")
    with pytest.raises(InputError, match="records file not found"):
        export_records(tmp_path / "nope.jsonl", "trl", tmp_path / "x.jsonl")


def _captions(path: Path, n: int, tag: str) -> Path:
    lines = [{"status": "ok", "task": "daily.dense_captions", "domain": "daily", "thread_id": f"{tag}{i}",
              "record": {"summary": f"{tag} summary {i}", "events": [{"start_s": 0, "end_s": 1, "caption": f"{tag} caption {i}"}]}}
             for i in range(n)]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))
    return path


def test_hf_reexport_into_the_same_folder_loads_exactly_the_new_rows(tmp_path, hf_cache):
    """`claw export --format hf` of a smaller set over a larger one: neither a leftover shard nor the datasets
    cache brings old rows back."""
    from datasets import load_dataset

    out = tmp_path / "hf"
    export_records(_captions(tmp_path / "five.jsonl", 5, "old"), "hf", out)
    first = load_dataset(str(out), split="train", cache_dir=str(hf_cache))
    assert first["id"] == [f"old{i}" for i in range(5)]

    (shard,) = (out / "data").iterdir()
    (out / "data" / "train-00001-of-00002.parquet").write_bytes(shard.read_bytes())  # a leftover second shard
    cli = run_claw("export", str(_captions(tmp_path / "two.jsonl", 2, "new")), "--format", "hf", "--out", str(out), "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["samples"] == 2
    again = load_dataset(str(out), split="train", cache_dir=str(hf_cache))
    assert again["id"] == ["new0", "new1"]
    assert [json.loads(a)["summary"] for a in again["answer"]] == ["new summary 0", "new summary 1"]
    assert len(list((out / "data").iterdir())) == 1


def test_every_export_unit_but_record_has_a_split():
    from dataclaw_tailor.core import ExportUnit
    from dataclaw_tailor.export.units import SPLITS

    assert set(SPLITS) == set(ExportUnit) - {ExportUnit.record}


def test_a_frame_anchor_that_does_not_fit_its_content_model_is_left_out_and_logged(records, tmp_path, caplog):
    lines = records.read_text().splitlines()
    vqa = json.loads(lines[2])
    vqa["anchors"][0]["c"]["file"] = "k0.jpg"  # keyframe:0 (t=1.0) with a key its model does not declare
    records.write_text(json.dumps(vqa) + "\n")
    with caplog.at_level("WARNING", logger="dataclaw_tailor.export.units"):
        summary = export_records(records, "openai", tmp_path / "qa.jsonl")
    assert summary.samples == 3 and summary.images == 3  # each question gets keyframe:1, the only one left
    assert "keyframe:0 left out" in caplog.text
