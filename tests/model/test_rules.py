import json

import anyio
import pytest

from dataclaw_tailor.core import BackendError, GenerationRequest, Message, UnknownTask
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.examples import example_context
from dataclaw_tailor.experts.registry import get_task, list_tasks
from dataclaw_tailor.model.base import backend_names, create_backend


def generate(request: GenerationRequest, **options) -> str:
    backend = create_backend("rules", **options)
    return anyio.run(backend.generate, request)


def test_rules_is_registered():
    assert "rules" in backend_names()
    backend = create_backend("rules")
    assert (backend.name, backend.model_id) == ("rules", "rules-v1")


@pytest.mark.parametrize("task", [t.name for t in list_tasks()])
def test_every_task_yields_valid_grounded_json(task):
    spec = get_task(task)
    ctx = example_context(spec.domain, task)
    schema = spec.json_schema(ctx.intent.schema_)
    text = generate(GenerationRequest(messages=[], json_schema=schema, task=task, context=ctx, synthesize=spec.synthesize))
    report = check_record(text, schema, ctx.anchors, ctx.source, repair=False).report
    assert report.valid, report.errors
    assert report.repairs == []
    assert json.loads(text) == spec.synthesize(ctx), "deterministic"


def test_missing_context_is_a_backend_error():
    with pytest.raises(BackendError, match="needs request.context"):
        generate(GenerationRequest(messages=[Message.text("user", "hi")], task="daily.vqa"))
    ctx = example_context("daily", "daily.vqa")
    with pytest.raises(BackendError, match="request.synthesize"):
        generate(GenerationRequest(messages=[], task="daily.vqa", context=ctx))


def test_unknown_task_and_options_are_reported():
    with pytest.raises(UnknownTask, match="daily.captions"):  # the caller hands the synthesiser down from the task
        get_task("daily.captions")
    with pytest.raises(BackendError, match="takes no options, got temperature"):
        create_backend("rules", temperature=0.2)


def test_unknown_backend_is_a_backend_error_naming_the_choices():
    with pytest.raises(BackendError, match="unknown backend 'nope'; choose one of .*rules"):
        create_backend("nope")
