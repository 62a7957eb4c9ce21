"""Stage-2 construction through the real graph: the rules teacher offline, and a real OpenAI-compatible
teacher over loopback HTTP (`claw serve-model --engine transformers` on a tiny local model)."""

import json
from pathlib import Path

import pytest

from dataclaw_tailor.core import InputError
from dataclaw_tailor.training.construct import IntentEntry, construct, read_intents
from dataclaw_tailor.training.triplets import read_triplets

from ..conftest import ROOT, serve_model

VIDEO = ROOT / "examples" / "video" / "three_shots.mp4"
TRACE = ROOT / "examples" / "gui" / "login-trace"
INTENTS = [
    IntentEntry(text="Write dense time-stamped captions for this video.", task="daily.dense_captions", source_kinds=["video"]),
    IntentEntry(text="Turn this GUI recording into agent trajectory steps.", task="gui.trajectory", source_kinds=["gui_trace"]),
]


def test_rules_teacher_writes_grounded_triplets_clarifications_and_a_dataset_then_resumes(tmp_path):
    out = tmp_path / "out"
    first = construct([VIDEO, TRACE, tmp_path / "missing.mp4"], INTENTS, out, backend="rules")
    assert (first.written, first.invalid, first.skipped_kind, first.failed) == (2, 0, 2, 1)
    assert first.clarify >= 1
    failure = json.loads((out / "failures.jsonl").read_text().splitlines()[0])
    assert failure["kind"] == "detect" and "missing.mp4" in failure["reason"]
    rows = list(read_triplets(out))
    tailor = {t.task: t for t in rows if t.kind == "tailor"}
    assert set(tailor) == {"daily.dense_captions", "gui.trajectory"}
    for t in tailor.values():
        assert t.valid and t.anchors and t.record and t.teacher == "rules" and t.json_schema
        assert t.source.content_hash and Path(t.source.path).exists()
    clarify = [t for t in rows if t.kind == "clarify"]
    assert all(t.questions and t.questions[0]["options"] and not t.intent.task for t in clarify)

    from datasets import load_from_disk

    ds = load_from_disk(first.dataset_path)
    assert ds.num_rows == len(rows) and set(json.loads(ds[0]["anchors"])[0]) == {"id", "kind", "t", "p", "c"}

    again = construct([VIDEO, TRACE], INTENTS, out, backend="rules")
    assert (again.written, again.clarify, again.skipped_done, again.total_triplets) == (0, 0, len(rows), len(rows))


def test_intents_file_formats_and_errors(tmp_path):
    f = tmp_path / "i.yaml"
    f.write_text("- caption this video\n- {text: steps please, task: gui.trajectory, source_kinds: [gui_trace]}\n")
    entries = read_intents(f)
    assert entries[0].text == "caption this video" and entries[1].source_kinds == ["gui_trace"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task": "x"}\n')
    with pytest.raises(InputError, match="intent 0"):
        read_intents(bad)


@pytest.mark.slow
def test_openai_teacher_over_loopback_http(tiny_model, tmp_path):
    with serve_model(tiny_model, "--max-chars", "12", log=tmp_path / "serve.log") as url:
        schema = {"type": "object", "required": ["shots"], "additionalProperties": False, "properties": {"shots": {
            "type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "object", "additionalProperties": False,
                "required": ["start_s", "end_s", "anchor_ids"], "properties": {
                    "start_s": {"type": "number"}, "end_s": {"type": "number"},
                    "anchor_ids": {"type": "array", "minItems": 1, "maxItems": 1, "items": {"type": "string"}}}}}}}
        intent = IntentEntry(text="List the shots of this video.", task="custom", schema=schema)
        summary = construct([VIDEO], [intent], tmp_path / "out", backend="openai", fuzzy=False,
                            backend_options={"base_url": url, "model": "dataclaw"}, max_repairs=0)
    assert summary.written == 1 and summary.failed == 0
    [t] = read_triplets(tmp_path / "out")
    assert t.teacher == "openai:dataclaw" and t.task == "custom" and t.json_schema == schema
    # the random tiny teacher decodes under the source-specialised schema: shape and anchor ids hold
    assert t.record["shots"] and all(a["anchor_ids"][0] in {x.id for x in t.anchors} for a in t.record["shots"])
