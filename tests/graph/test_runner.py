"""The tailoring graph end to end, driven through the service that every surface calls."""

import asyncio
import json

import pytest

from dataclaw_tailor.core import GenerationRequest, Intent
from dataclaw_tailor.service import Settings, TailorService

from ..conftest import EXAMPLES

TRACE = EXAMPLES / "gui" / "login-trace"
VIDEO = EXAMPLES / "video" / "three_shots.mp4"


def tailor(source, intent, *, state_dir, backend=None, max_repairs=2, thread_id=None, answers=None):
    service = TailorService(Settings(state_dir=state_dir, max_repairs=max_repairs), backend=backend)
    if thread_id is not None:
        return asyncio.run(service.answer(thread_id, answers))
    return asyncio.run(service.tailor(source, intent))


def _anchor_ids_exist(result) -> None:
    known = {a.id for a in result.anchors}
    cited = []

    def walk(node):
        if isinstance(node, dict):
            cited.extend(node.get("anchor_ids", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(result.record)
    assert cited, "the record cites no anchors"
    assert set(cited) <= known


def test_example_trace_becomes_a_grounded_gui_trajectory(tmp_path):
    result = tailor(TRACE, "turn this screen recording into GUI-agent SFT steps", state_dir=tmp_path)
    assert result.status == "ok", result.validation
    assert result.task == "gui.trajectory"
    _anchor_ids_exist(result)
    actions = [s["action"] for s in result.record["steps"]]
    trace = json.loads((TRACE / "trace.json").read_text())
    assert [a["type"] for a in actions] == [s["action"]["type"] for s in trace["steps"]]
    clicks = [(a["x"], a["y"]) for a in actions if a["type"] == "click"]
    assert clicks == [(s["action"]["x"], s["action"]["y"]) for s in trace["steps"] if s["action"]["type"] == "click"]
    assert result.provenance.backend == "rules" and result.provenance.anchors_digest


def test_the_graph_takes_a_source_and_an_intent_and_returns_no_working_state():
    from dataclaw_tailor.graph import build_graph

    graph = build_graph().compile()
    given = graph.get_input_jsonschema()
    assert set(given["required"]) == {"source_path", "intent"} and set(given["properties"]) <= {"source_path", "intent", "roots"}
    returned = set(graph.get_output_jsonschema()["properties"])
    assert {"source", "intent", "task", "anchors", "record", "report", "status", "questions", "timings"} <= returned
    assert not returned & {"source_path", "roots", "schema", "draft", "attempts", "messages"}


def test_example_video_becomes_dense_captions_with_the_known_cuts(tmp_path):
    result = tailor(VIDEO, "dense captions for this video", state_dir=tmp_path)
    assert result.status == "ok", result.validation
    assert result.task == "daily.dense_captions"
    _anchor_ids_exist(result)
    cuts = json.loads((EXAMPLES / "video" / "cuts.json").read_text())["cuts_s"]
    starts = [e["start_s"] for e in result.record["events"]]
    assert len(starts) == len(cuts) + 1
    for found, known in zip(starts[1:], cuts):
        assert abs(found - known) <= 1 / 25 + 1e-6


def test_fuzzy_intent_asks_and_the_answer_completes_the_same_thread(tmp_path):
    first = tailor(VIDEO, "make this useful for training", state_dir=tmp_path)
    assert first.status == "needs_clarification"
    options = [o.value for o in first.questions[0].options]
    assert "daily.dense_captions" in options and len(options) >= 2
    done = tailor(None, None, thread_id=first.thread_id, answers=["daily.dense_captions"], state_dir=tmp_path)
    assert done.status == "ok" and done.task == "daily.dense_captions"
    assert done.thread_id == first.thread_id


class ScriptedModel:
    """Replays fixed drafts: a stand-in for a remote model emitting broken output (the validator is under test)."""

    name, model_id, reads_prompt = "scripted", "scripted-v1", True

    def __init__(self, drafts: list[str]):
        self.drafts = list(drafts)
        self.requests: list[GenerationRequest] = []

    async def generate(self, request: GenerationRequest) -> str:
        self.requests.append(request)
        return self.drafts.pop(0)


def test_broken_model_output_is_repaired_or_reported_with_paths(tmp_path):
    bad = '{"summary": "x", "events": [{"start_s": "0", "end_s": 99, "caption": "c", "objects": [], "anchor_ids": ["shot:0", "shot:77"]}'
    model = ScriptedModel([bad])
    result = tailor(VIDEO, Intent(text="captions", task="daily.dense_captions"), backend=model, state_dir=tmp_path, max_repairs=0)
    actions = {r.action for r in result.validation.repairs}
    assert {"json_repair", "coerce", "drop_unknown_anchor", "clamp"} <= actions
    if result.status == "invalid":
        assert all(e.path.startswith("$") for e in result.validation.errors)


def test_a_prompt_reading_backend_gets_the_served_prompt(tmp_path, monkeypatch, caplog):
    """The counterpart of the rules path (tests/test_cli.py): a model backend is sent the full prompt,
    built once per request, with its screenshots resized into the temp folder."""
    import logging
    import tempfile

    caplog.set_level(logging.DEBUG, logger="dataclaw_tailor.model.prompt")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    (tmp_path / "tmp").mkdir()
    intent = Intent(text="GUI-agent SFT steps", task="gui.trajectory")
    good = tailor(TRACE, intent, state_dir=tmp_path).record
    assert not [r for r in caplog.records if r.getMessage().startswith("built prompt")]
    assert list((tmp_path / "tmp").iterdir()) == []
    model = ScriptedModel([json.dumps(good)])
    assert tailor(TRACE, intent, backend=model, state_dir=tmp_path).status == "ok"
    assert len([r for r in caplog.records if r.getMessage().startswith("built prompt")]) == 1
    assert "## JSON Schema" in model.requests[0].messages[1].plain_text() and model.requests[0].context is not None
    assert list((tmp_path / "tmp").rglob("*.jpg"))


def test_invalid_draft_is_reasked_with_located_errors(tmp_path):
    good = tailor(VIDEO, Intent(text="captions", task="daily.dense_captions"), state_dir=tmp_path).record
    model = ScriptedModel(['{"summary": 5}', json.dumps(good)])
    result = tailor(VIDEO, Intent(text="captions", task="daily.dense_captions"), backend=model, state_dir=tmp_path)
    assert result.status == "ok"
    assert len(model.requests) == 2
    assert "$" in model.requests[1].messages[-1].plain_text()


def test_bounded_repairs_return_the_invalid_record_with_its_report(tmp_path):
    model = ScriptedModel(['{"summary": 5}'] * 3)
    result = tailor(VIDEO, Intent(text="captions", task="daily.dense_captions"), backend=model, state_dir=tmp_path, max_repairs=2)
    assert result.status == "invalid"
    assert result.record == {"summary": "5"}
    assert result.validation.errors
    assert len(model.requests) == 3


@pytest.mark.devset
def test_screenagent_trajectory_matches_human_corrected_actions(devset, tmp_path):
    result = tailor(devset / "gui" / "screenagent-task101", Intent(text="GUI agent SFT steps", task="gui.trajectory"), state_dir=tmp_path)
    assert result.status == "ok", result.validation
    got = [
        (a["type"], a.get("x"), a.get("y"), a.get("text"), tuple(a.get("keys") or ()))
        for a in (s["action"] for s in result.record["steps"])
        if a["type"] != "done"
    ]
    assert got[:6] == [
        ("double_click", 459, 215, None, ()),
        ("click", 350, 75, None, ()),
        ("type", None, None, "www.bing.com", ()),
        ("key", None, None, None, ("Return",)),
        ("click", 512, 230, None, ()),
        ("type", None, None, "How to bake a chocolate cake", ()),
    ]
    assert got[6] == ("key", None, None, None, ("Return",))
    assert got[7][0] == "scroll"


def test_concurrent_runs_share_a_fresh_state_file(tmp_path):
    """Several runs opening a new threads.sqlite at once (corpus/construct concurrency) must all get through setup."""
    service = TailorService(Settings(state_dir=tmp_path / "state"))

    async def burst() -> list:
        return await asyncio.gather(*(service.tailor(VIDEO, "dense captions") for _ in range(8)), return_exceptions=True)

    results = asyncio.run(burst())
    assert [getattr(r, "status", repr(r)) for r in results] == ["ok"] * 8
