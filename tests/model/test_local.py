import json

import pytest

from dataclaw_tailor.core import BackendError, GenerationRequest, Message
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.registry import get_task, list_tasks
from dataclaw_tailor.model.local import LocalBackend
from dataclaw_tailor.model.prompt import PromptBudget, build_prompt
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
    request = build_prompt(ctx, spec, schema, budget=PromptBudget(output_tokens=640)).request.model_copy(update={"temperature": 1.0})
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
    backend = LocalBackend(tiny_model, threads=1)
    bad = GenerationRequest(messages=[Message.text("user", "x")], task="t", max_tokens=8,
                            json_schema={"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}, "required": ["a"]})
    with pytest.raises(BackendError, match="does not compile"):
        backend.generations([bad])


def test_vision_language_checkpoint_sees_the_prompt_images(tiny_vl_model, tmp_path):
    from PIL import Image

    from dataclaw_tailor.core import ImagePart, TextPart

    frames = []
    for i, colour in enumerate([(200, 20, 20), (20, 200, 20)]):
        Image.new("RGB", (320, 240), colour).save(tmp_path / f"k{i}.jpg")
        frames.append(ImagePart(path=str(tmp_path / f"k{i}.jpg"), detail=f"keyframe shot:{i}"))
    schema = {"type": "object", "required": ["caption", "start_s"],
              "properties": {"caption": {"type": "string"}, "start_s": {"type": "number", "minimum": 0, "maximum": 5}}}
    backend = LocalBackend(tiny_vl_model, max_chars=12, threads=1, seed=0)
    assert backend.vision
    with_images = GenerationRequest(task="daily.dense_captions", json_schema=schema, max_tokens=60, temperature=1.0,
                                    messages=[Message(role="user", content=[TextPart(text="Caption these frames."), *frames])])
    one_image = with_images.model_copy(update={"messages": [Message(role="user", content=[TextPart(text="And this one."), frames[0]])]})
    generations = backend.generations([with_images, one_image, with_images])
    for g in generations:
        checked = check_record(g.text, schema, [], None, repair=False)
        assert checked.report.parsed and checked.report.schema_valid, g.text
    loaded = backend._load()
    assert loaded["processor"] is not None and type(loaded["model"]).__name__ == "LlavaForConditionalGeneration"
    # each 56x56 image expands to 17 vision tokens (16 patches + CLS) in the prompt
    assert generations[0].prompt_tokens - generations[1].prompt_tokens >= 12


def test_claw_tailor_with_the_local_backend(tiny_model, tmp_path):
    from ..conftest import EXAMPLES, run_claw

    state = {"DATACLAW_STATE_DIR": str(tmp_path)}
    done = run_claw("tailor", str(EXAMPLES / "gui" / "login-trace"), "--intent", "GUI-agent SFT steps",
                    "--backend", "local", "--model", str(tiny_model), "--json", env=state, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    assert result["provenance"]["backend"] == "local" and result["provenance"]["model_id"] == str(tiny_model)
    assert not [e for e in result["validation"]["errors"] if e["code"] in ("parse", "schema")]
    stray = run_claw("tailor", str(EXAMPLES / "gui" / "login-trace"), "--intent", "x", "--base-url", "http://h/v1", env=state)
    assert stray.returncode == 1 and "does not take --base-url" in stray.stderr
