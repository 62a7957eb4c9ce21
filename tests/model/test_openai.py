"""The openai backend against real HTTP servers on loopback.

`Scripted` is a tiny stdlib HTTP server that replays canned responses (429, 503, malformed JSON ...):
it stands in for a remote GPU server misbehaving, which cannot exist in a test. The end-to-end path
against a real model server is in test_serve.py.
"""

import base64
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dataclaw_tailor.core import Anchor, BackendError, GenerationRequest, ImagePart, Message, Source, TextPart
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.model.openai import OpenAIBackend, parse_expert_models

SCHEMA = {"type": "object", "properties": {"caption": {"type": "string"}, "start_s": {"type": "number"}}, "required": ["caption", "start_s"]}


def reply(content):
    return 200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


class Scripted:
    """Serve `script` (a list of (status, json body or raw str, headers)) in order; record every request."""

    def __init__(self, script, delay=0.0):
        self.script = list(script)
        self.requests = []
        self.active = self.peak = 0
        lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body) if body else None})
                with lock:
                    owner.active += 1
                    owner.peak = max(owner.peak, owner.active)
                time.sleep(delay)
                with lock:
                    owner.active -= 1
                status, payload, *headers = owner.script.pop(0) if owner.script else (500, {"error": "script exhausted"})
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in (headers[0] if headers else {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted():
    servers = []

    def make(script, delay=0.0):
        servers.append(Scripted(script, delay))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def request(task="daily.dense_captions", **kw):
    return GenerationRequest(messages=[Message.text("system", "be brief"), Message.text("user", "caption it")],
                             json_schema=SCHEMA, task=task, **kw)


@pytest.mark.anyio
async def test_structured_request_shape_and_api_key(scripted, monkeypatch):
    monkeypatch.setenv("DATACLAW_API_KEY", "sekret")
    server = scripted([reply('{"caption": "a cat", "start_s": 1.5}')])
    backend = OpenAIBackend(server.url, "dataclaw")
    text = await backend.generate(request(max_tokens=64, temperature=0.2))
    assert json.loads(text) == {"caption": "a cat", "start_s": 1.5}
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sekret"
    body = sent["body"]
    assert body["model"] == "dataclaw" and body["max_tokens"] == 64 and body["temperature"] == 0.2
    assert body["response_format"] == {"type": "json_schema", "json_schema": {"name": "daily_dense_captions", "schema": SCHEMA, "strict": True}}
    assert body["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "caption it"}]


@pytest.mark.anyio
async def test_429_and_5xx_are_retried_with_backoff(scripted):
    server = scripted([
        (429, {"error": {"message": "slow down"}}, {"retry-after": "0"}),
        (503, {"error": "warming up"}),
        (502, "<html>bad gateway</html>"),
        reply('{"caption": "ok", "start_s": 0}'),
    ])
    backend = OpenAIBackend(server.url, "m", backoff=0.01)
    assert json.loads(await backend.generate(request())) == {"caption": "ok", "start_s": 0}
    assert len(server.requests) == 4


@pytest.mark.anyio
async def test_retries_exhausted_and_client_errors_are_clear(scripted):
    server = scripted([(503, {"error": "busy"})] * 3)
    with pytest.raises(BackendError, match=r"HTTP 503: busy \(gave up after 3 attempts\)"):
        await OpenAIBackend(server.url, "m", max_retries=2, backoff=0.01).generate(request())
    server = scripted([(400, {"error": {"message": "schema too large"}})])
    with pytest.raises(BackendError, match="HTTP 400: schema too large"):
        await OpenAIBackend(server.url, "m", backoff=0.01).generate(request())
    assert len(server.requests) == 1  # a 4xx other than 408/409/429 is not retried


@pytest.mark.anyio
async def test_slow_server_times_out_and_is_retried(scripted):
    server = scripted([reply("{}")] * 2, delay=0.5)
    backend = OpenAIBackend(server.url, "m", timeout=0.1, max_retries=1, backoff=0.01)
    with pytest.raises(BackendError, match=r"timed out \(ReadTimeout\) \(gave up after 2 attempts\)"):
        await backend.generate(request())
    assert len(server.requests) == 2


@pytest.mark.anyio
async def test_server_down_names_the_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", "m", max_retries=1, backoff=0.01)
    with pytest.raises(BackendError) as err:
        await backend.generate(request())
    message = str(err.value)
    assert f"http://127.0.0.1:{port}/v1/chat/completions" in message and "cannot connect" in message


@pytest.mark.anyio
async def test_malformed_reply_goes_through_the_repair_path(scripted):
    src = Source(path="v.mp4", kind="video", content_hash="h", meta={"duration_s": 10.0})
    anchors = [Anchor(id="shot:0", kind="shot", t=(0.0, 10.0))]
    server = scripted([reply('{"caption": "a dog runs", "start_s": "2.5",}'), (200, {"unexpected": True})])
    backend = OpenAIBackend(server.url, "m")
    text = await backend.generate(request())
    checked = check_record(text, SCHEMA, anchors, src)
    assert not checked.report.parsed and checked.report.parsed_after_repair and checked.report.valid
    assert checked.record == {"caption": "a dog runs", "start_s": 2.5}
    assert {r.action for r in checked.report.repairs} == {"json_repair", "coerce"}
    with pytest.raises(BackendError, match="malformed response"):
        await backend.generate(request())


@pytest.mark.anyio
async def test_expert_adapter_is_chosen_by_domain_and_images_are_data_urls(scripted, tmp_path):
    image = tmp_path / "frame.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    server = scripted([reply("{}"), (200, {"object": "list", "data": [{"id": "omni"}]}), reply("{}")])
    backend = OpenAIBackend(server.url, expert_models=["gui=gui-lora", "embodied=embodied-lora"])
    assert backend.expert_models == {"gui": "gui-lora", "embodied": "embodied-lora"}
    multimodal = GenerationRequest(task="gui.trajectory", json_schema=SCHEMA, messages=[
        Message(role="user", content=[TextPart(text="look"), ImagePart(path=str(image), detail="screenshot")])])
    await backend.generate(multimodal)
    await backend.generate(request(task="daily.vqa"))  # no expert for daily: the server's first model
    gui_body, models_call, daily_body = server.requests[0]["body"], server.requests[1], server.requests[2]["body"]
    assert gui_body["model"] == "gui-lora"
    assert gui_body["messages"][0]["content"][1] == {
        "type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(image.read_bytes()).decode()}}
    assert models_call["path"] == "/v1/models" and daily_body["model"] == "omni"
    with pytest.raises(BackendError, match="DOMAIN=MODEL"):
        parse_expert_models(["gui"])


@pytest.mark.anyio
async def test_concurrency_is_bounded(scripted):
    import asyncio

    server = scripted([reply('{"caption": "x", "start_s": 0}')] * 6, delay=0.2)
    backend = OpenAIBackend(server.url, "m", concurrency=2)
    await asyncio.gather(*(backend.generate(request()) for _ in range(6)))
    assert server.peak == 2 and len(server.requests) == 6
