"""The application service every surface calls: one backend per service, clarification, validation."""

import asyncio
import json
import logging

import pytest

from dataclaw_tailor.core import BackendError, DataClawError, InputError, Intent
from dataclaw_tailor.model.sampling import SamplingBackend
from dataclaw_tailor.service import Settings, TailorService, default_state_dir

from ..conftest import EXAMPLES

TRACE = EXAMPLES / "gui" / "login-trace"
VIDEO = EXAMPLES / "video" / "three_shots.mp4"
FUZZY = "make this useful for training"


def records(caplog, logger: str, start: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and r.getMessage().startswith(start)]


def test_one_backend_serves_every_call(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="dataclaw_tailor")
    service = TailorService(Settings(state_dir=tmp_path))

    async def twice():
        return [await service.tailor(TRACE, "GUI-agent SFT steps"), await service.tailor(VIDEO, "dense captions")]

    first, second = asyncio.run(twice())
    assert (first.status, second.status) == ("ok", "ok")
    assert len(records(caplog, "dataclaw_tailor.service.tailoring", "built backend rules")) == 1
    assert first.provenance.backend == second.provenance.backend == "rules"


def test_ask_answers_the_threads_questions_in_the_same_call(tmp_path):
    service = TailorService(Settings(state_dir=tmp_path))
    asked = []

    async def pick(questions):
        asked.append([q.id for q in questions])
        return {"task": "daily.dense_captions"}

    async def silent(questions):
        return None

    done = asyncio.run(service.tailor(VIDEO, FUZZY, ask=pick))
    assert done.status == "ok" and done.task == "daily.dense_captions" and asked == [["task"]]
    assert done.intent.answers == {"task": "daily.dense_captions"}
    waiting = asyncio.run(service.tailor(VIDEO, FUZZY, ask=silent))
    assert waiting.status == "needs_clarification" and waiting.questions[0].options
    assert asyncio.run(service.answer(waiting.thread_id, "1")).status == "ok"  # by number, in a later call
    with pytest.raises(DataClawError, match="no clarification is pending"):
        asyncio.run(service.answer(waiting.thread_id, "1"))


def test_clarify_routes_once_and_tailors_nothing(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="dataclaw_tailor")
    service = TailorService(Settings(state_dir=tmp_path))
    fuzzy = asyncio.run(service.clarify(VIDEO, FUZZY))
    assert fuzzy.fuzzy and fuzzy.thread_id and fuzzy.route.confidence < 0.6 and fuzzy.source.kind == "video"
    assert "daily.dense_captions" in [o.value for o in fuzzy.questions[0].options]
    assert len(records(caplog, "dataclaw_tailor.graph.nodes", "routed to")) == 1
    clear = asyncio.run(service.clarify(TRACE, "GUI-agent SFT steps"))
    assert not clear.fuzzy and clear.thread_id is None and clear.route.task == "gui.trajectory"
    assert not records(caplog, "dataclaw_tailor.graph.nodes", "record ")  # nothing was synthesised or validated
    done = asyncio.run(service.answer(fuzzy.thread_id, {"task": "daily.dense_captions"}))
    assert done.status == "ok" and done.thread_id == fuzzy.thread_id


def test_validate_checks_schema_choice_and_grounding(tmp_path):
    service = TailorService(Settings(state_dir=tmp_path))
    good = asyncio.run(service.tailor(VIDEO, Intent(text="captions", task="daily.dense_captions"))).record
    checked = asyncio.run(service.validate(good, task="daily.dense_captions", source=VIDEO))
    assert checked.report.valid, checked.report.errors
    good["events"][0]["end_s"] = 99.0
    strict = asyncio.run(service.validate(json.dumps(good), task="daily.dense_captions", source=VIDEO, repair=False))
    assert not strict.report.valid and any(e.code == "time_range" for e in strict.report.errors)
    custom = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    own = asyncio.run(service.validate('{"n": "3"', task="custom", schema=custom))
    assert own.report.valid and own.record == {"n": 3}
    with pytest.raises(DataClawError, match="give `task`"):
        asyncio.run(service.validate({}))
    with pytest.raises(InputError, match="schema: not a valid JSON Schema"):
        asyncio.run(service.validate({}, schema={"type": 5}))
    with pytest.raises(InputError, match="has its own schema"):
        asyncio.run(service.validate({}, task="daily.vqa", schema=custom))


def test_settings_from_flags_check_options_in_one_place(tmp_path, monkeypatch):
    with pytest.raises(BackendError, match="backend 'rules' does not take --model"):
        Settings.from_flags("rules", model="x")
    assert dict(Settings.from_flags("local").backend_options) == {}  # no --model: the packaged nano model (model/nano.py)
    eval_style = Settings.from_flags("openai", extra={"base_url": "http://gpu:8000/v1", "concurrency": 2})
    assert dict(eval_style.backend_options) == {"base_url": "http://gpu:8000/v1", "concurrency": 2}
    monkeypatch.setenv("DATACLAW_STATE_DIR", str(tmp_path / "threads"))
    assert Settings.from_flags().state_dir == default_state_dir() == tmp_path / "threads"


def test_a_request_bound_backend_is_built_per_caller(tmp_path):
    service = TailorService(Settings(backend="sampling", state_dir=tmp_path))
    with pytest.raises(BackendError, match="only available inside the MCP server"):
        service.backend  # noqa: B018  (nothing to sample with outside a request)

    async def sample(**options):
        return "{}"

    bound = service.bound(sample=sample)
    assert isinstance(bound.backend, SamplingBackend) and bound.backend.sample is sample
    assert bound.settings is service.settings and service.bound(sample=sample).backend is not bound.backend
