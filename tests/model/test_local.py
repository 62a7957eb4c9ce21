import json

import pytest

from dataclaw_tailor.core import BackendError, GenerationRequest, Message
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.registry import get_task, list_tasks
from dataclaw_tailor.model.base import create_backend
from dataclaw_tailor.model.local import LocalBackend
from dataclaw_tailor.model.prompt import PromptBudget, build_request
from dataclaw_tailor.model.schema import specialise

from .contexts import context_for

SAMPLES = 20


@pytest.fixture(scope="module")
def backend(tiny_model):
    # Short strings and lists keep each record within ~450 tokens on the random tiny model; one torch
    # thread is several times faster than two oversubscribed cores on a shared CI box.
    return LocalBackend(tiny_model, max_chars=12, max_items=2, seed=0, threads=1)


@pytest.mark.slow
@pytest.mark.parametrize("task", [t.name for t in list_tasks()])
def test_every_sample_parses_and_validates_for_every_task(backend, task):
    ctx = context_for(task)
    spec = get_task(task)
    schema = specialise(spec.json_schema(ctx.intent.schema_), ctx.source, ctx.anchors)
    request = build_request(ctx, spec, schema, budget=PromptBudget(output_tokens=640)).model_copy(update={"temperature": 1.0})
    generations = backend.generations([request] * SAMPLES)
    assert len(generations) == SAMPLES
    for g in generations:
        checked = check_record(g.text, schema, ctx.anchors, ctx.source, repair=False)
        assert g.finish_reason == "stop", g.text[-200:]
        assert checked.report.parsed and checked.report.schema_valid, (g.text, checked.report.errors)
        assert not [p for p in checked.report.errors if p.code == "unknown_anchor"]  # ids come from the enum


@pytest.mark.anyio
async def test_async_generate_and_free_decoding(backend):
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}, "n": {"type": "integer"}}, "required": ["ok", "n"]}
    request = GenerationRequest(messages=[Message.text("user", "JSON please")], json_schema=schema, task="t", max_tokens=40, temperature=1.0)
    texts = await backend.generate_batch([request] * 3)
    assert all(set(json.loads(t)) == {"ok", "n"} for t in texts)
    assert set(json.loads(await backend.generate(request))) == {"ok", "n"}
    free = backend.generations([request.model_copy(update={"json_schema": None})] * 4)
    assert all(g.completion_tokens <= 40 for g in free)
    parsed = 0
    for g in free:
        try:
            parsed += isinstance(json.loads(g.text), dict)
        except json.JSONDecodeError:
            pass
    assert parsed == 0  # the random model cannot write JSON on its own: the grammar does the work


def test_errors_are_clear(tiny_model, tmp_path):
    with pytest.raises(BackendError, match="config.json missing"):
        LocalBackend(tmp_path)
    with pytest.raises(BackendError, match="needs --model|pass --model"):
        create_backend("local")
    backend = LocalBackend(tiny_model, threads=1)
    bad = GenerationRequest(messages=[Message.text("user", "x")], task="t", max_tokens=8,
                            json_schema={"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}, "required": ["a"]})
    with pytest.raises(BackendError, match="does not compile"):
        backend.generations([bad])
