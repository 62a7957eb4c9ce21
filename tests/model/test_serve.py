import json
import shlex

import httpx
import pytest

from dataclaw_tailor.core import Anchor, BackendError, GenerationRequest, Message, Source
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.model.openai import OpenAIBackend
from dataclaw_tailor.model.schema import specialise
from dataclaw_tailor.model.serve import VllmOptions, parse_experts, vllm_command

from ..conftest import ROOT, free_port, run_claw, serve_model


def flag(cmd, name):
    return cmd[cmd.index(name) + 1]


def test_vllm_dry_run_omni():
    done = run_claw("serve-model", "--engine", "vllm", "--base", "/ckpt/dataclaw-omni", "--port", "9000", "--dry-run")
    assert done.returncode == 0, done.stderr
    cmd = shlex.split(done.stdout.strip())
    assert cmd[:3] == ["vllm", "serve", "/ckpt/dataclaw-omni"]
    assert flag(cmd, "--port") == "9000" and flag(cmd, "--served-model-name") == "dataclaw"
    assert json.loads(flag(cmd, "--structured-outputs-config")) == {"backend": "xgrammar", "disable_any_whitespace": True}
    assert json.loads(flag(cmd, "--limit-mm-per-prompt")) == {"image": 8}
    assert flag(cmd, "--max-model-len") == "32768"
    assert "--enable-lora" not in cmd and "--guided-decoding-backend" not in cmd


def test_vllm_dry_run_expert_with_several_adapters():
    done = run_claw("serve-model", "--engine", "vllm", "--base", "Qwen/Qwen2.5-VL-7B-Instruct", "--dry-run",
                    "--expert", "gui=/ckpt/gui-lora", "--expert", "embodied=/ckpt/emb lora", "--expert", "daily=/ckpt/daily-lora",
                    "--max-lora-rank", "32", "--images", "4", "--api-key-env", "DATACLAW_API_KEY")
    assert done.returncode == 0, done.stderr
    cmd = shlex.split(done.stdout.strip())
    assert "--enable-lora" in cmd and flag(cmd, "--max-loras") == "3" and flag(cmd, "--max-lora-rank") == "32"
    start = cmd.index("--lora-modules") + 1
    assert cmd[start:start + 3] == ["gui=/ckpt/gui-lora", "embodied=/ckpt/emb lora", "daily=/ckpt/daily-lora"]
    assert json.loads(flag(cmd, "--limit-mm-per-prompt")) == {"image": 4}
    assert "${DATACLAW_API_KEY}" in done.stdout  # expanded by the shell that runs it, never printed


def test_vllm_errors_are_one_line():
    bad = run_claw("serve-model", "--engine", "vllm", "--base", "m", "--expert", "gui", "--dry-run")
    assert bad.returncode == 1 and "NAME=ADAPTER_PATH" in bad.stderr and "Traceback" not in bad.stderr
    with pytest.raises(BackendError, match="given twice"):
        parse_experts(["gui=a", "gui=b"])
    assert vllm_command("m", {}, VllmOptions(extra=("--seed", "1")))[-2:] == ["--seed", "1"]


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    with serve_model(tiny_model, "--served-model-name", "dataclaw", "--served-model-name", "gui-lora", "--max-chars", "12",
                     "--max-items", "3", "--threads", "1", log=tmp_path_factory.mktemp("serve") / "serve.log") as url:
        yield url


def test_models_and_request_errors(server):
    listed = httpx.get(f"{server}/models").json()
    assert [m["id"] for m in listed["data"]] == ["dataclaw", "gui-lora"]
    missing = httpx.post(f"{server}/chat/completions", json={"model": "nope", "messages": [{"role": "user", "content": "x"}]})
    assert missing.status_code == 404 and "not served" in missing.json()["error"]["message"]
    garbled = httpx.post(f"{server}/chat/completions", content=b"{not json")
    assert garbled.status_code == 400 and garbled.json()["error"]["message"] == "request body is not JSON"
    remote = httpx.post(f"{server}/chat/completions", json={"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "http://example.com/a.png"}}]}]})
    assert remote.status_code == 400 and "data: URLs" in remote.json()["error"]["message"]


def test_claw_tailor_end_to_end_over_openai_backend(server, tmp_path):
    """`claw tailor --backend openai` against the served tiny model: a full graph run over real HTTP."""
    done = run_claw("tailor", str(ROOT / "examples" / "gui" / "login-trace"), "--intent", "GUI-agent SFT steps",
                    "--backend", "openai", "--base-url", server, "--model", "dataclaw", "--json",
                    env={"DATACLAW_STATE_DIR": str(tmp_path)}, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    assert result["task"] == "gui.trajectory"
    assert result["provenance"]["backend"] == "openai" and result["provenance"]["model_id"] == "dataclaw"
    assert not [e for e in result["validation"]["errors"] if e["code"] in ("parse", "schema")]  # constrained decoding
    assert result["status"] == ("ok" if result["validation"]["valid"] else "invalid")
    assert len(result["record"]["steps"]) <= 3


def test_claw_tailor_with_server_down_is_one_clear_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    done = run_claw("tailor", str(ROOT / "examples" / "gui" / "login-trace"), "--intent", "GUI-agent SFT steps",
                    "--backend", "openai", "--base-url", url, "--model", "dataclaw", env={"DATACLAW_STATE_DIR": str(tmp_path)})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: openai backend: ") and f"{url}/chat/completions" in done.stderr


@pytest.mark.anyio
async def test_openai_backend_gets_constrained_grounded_json(server):
    src = Source(path="trace", kind="gui_trace", content_hash="h", meta={"width": 800, "height": 600, "duration_s": 9.0})
    anchors = [Anchor(id=f"gui_event:{i}", kind="gui_event", t=float(i), p=[100.0 * i, 80.0 * i]) for i in range(4)]
    schema = specialise({
        "type": "object", "required": ["steps"],
        "properties": {"steps": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["t", "x", "y", "anchor_ids", "thought"],
            "properties": {"t": {"type": "number"}, "x": {"type": "number"}, "y": {"type": "number"},
                           "thought": {"type": "string"},
                           "anchor_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}}}}},
    }, src, anchors)
    backend = OpenAIBackend(server, expert_models={"gui": "gui-lora"}, backoff=0.05)
    request = GenerationRequest(messages=[Message.text("user", "steps please")], json_schema=schema,
                                task="gui.trajectory", max_tokens=400, temperature=1.0)
    import asyncio

    texts = await asyncio.gather(*(backend.generate(request) for _ in range(4)))
    for text in texts:
        checked = check_record(text, schema, anchors, src, repair=False)
        assert checked.report.parsed and checked.report.schema_valid, (text, checked.report.errors)
        for step in checked.record["steps"]:
            assert 0 <= step["x"] <= 800 and 0 <= step["t"] <= 9.0
            assert set(step["anchor_ids"]) <= {a.id for a in anchors}


@pytest.mark.anyio
async def test_api_key_is_required_when_configured(tiny_model):
    from dataclaw_tailor.model.local import LocalBackend
    from dataclaw_tailor.model.serve import create_app

    app = create_app(LocalBackend(tiny_model, max_chars=8, threads=1), ["dataclaw"], api_key="k3y")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/v1/models")).status_code == 401
        wrong = await client.get("/v1/models", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "authentication_error"
    backend = OpenAIBackend("http://test/v1", api_key="k3y", transport=transport)
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    text = await backend.generate(GenerationRequest(messages=[Message.text("user", "x")], json_schema=schema, task="t", max_tokens=16))
    assert set(json.loads(text)) == {"ok"} and backend.model_id == "dataclaw"


def test_transformers_engine_refuses_open_binding_without_key(tiny_model):
    done = run_claw("serve-model", "--engine", "transformers", "--model", str(tiny_model), "--host", "0.0.0.0")
    assert done.returncode == 1 and "beyond loopback" in done.stderr and "Traceback" not in done.stderr
    unset = run_claw("serve-model", "--engine", "transformers", "--model", str(tiny_model), "--host", "0.0.0.0",
                     "--api-key-env", "DATACLAW_TEST_UNSET_KEY")
    assert unset.returncode == 1 and "DATACLAW_TEST_UNSET_KEY" in unset.stderr
    open_vllm = run_claw("serve-model", "--engine", "vllm", "--base", "m", "--host", "0.0.0.0", "--dry-run")
    assert open_vllm.returncode == 0 and "without an API key" in open_vllm.stderr
