"""Serving the tailoring model: the vLLM command line for GPU hosts, and a small OpenAI-compatible server.

Two deployment paradigms from the paper: **Omni**, one unified model for every domain, and
**Expert**, one base model plus one LoRA adapter per domain. vLLM serves both from one process
(`--enable-lora --lora-modules gui=/path ...`: each adapter is a model name clients select), with
xgrammar structured outputs so `response_format: json_schema` is enforced while decoding. vLLM pins
its own torch and transformers, so it lives in its own environment: `vllm_command` only composes and
runs its command line.

Machines without a GPU (CI, laptops, this project's tests) serve a transformers checkpoint through
`create_app`: the same `/v1/chat/completions` and `/v1/models` endpoints, backed by `LocalBackend`
(xgrammar-constrained decoding honours `response_format`). Concurrent requests are gathered into
micro-batches for one padded `generate` call.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import shlex
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import BackendError, GenerationRequest, ImagePart, Message, TextPart
from .local import LocalBackend, create_local
from .options import parse_pairs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VllmOptions:
    """The vLLM flags a DataClaw deployment sets; everything else keeps vLLM's defaults."""

    host: str = "0.0.0.0"
    port: int = 8000
    served_model_name: str = "dataclaw"
    max_model_len: int = 32768
    max_lora_rank: int = 64
    images_per_prompt: int = 8
    structured_backend: str = "xgrammar"
    tensor_parallel_size: int = 1
    gpu_memory_utilization: float = 0.90
    dtype: str = "auto"
    api_key_env: str | None = None
    extra: tuple[str, ...] = field(default_factory=tuple)


def parse_experts(items: Sequence[str] | Mapping[str, str] | None) -> dict[str, str]:
    """`["gui=/ckpt/gui-lora", ...]` -> `{"gui": "/ckpt/gui-lora"}`; the name is what clients send as `model`."""
    return parse_pairs(items, "serve-model: --expert", "NAME=ADAPTER_PATH")


def vllm_command(base: str, experts: Mapping[str, str] | None = None, options: VllmOptions = VllmOptions()) -> list[str]:
    """The `vllm serve` argv for Omni (no experts) or Expert (one LoRA module per domain).

    Flags as documented for current vLLM (`vllm serve --help`): structured outputs are configured
    with `--structured-outputs-config` (the older `--guided-decoding-backend` was removed), with JSON
    whitespace disabled (a grammar that allows any whitespace lets a model pad forever), and
    `--limit-mm-per-prompt` takes a JSON object.
    """
    cmd = [
        "vllm", "serve", base,
        "--host", options.host,
        "--port", str(options.port),
        "--served-model-name", options.served_model_name,
        "--max-model-len", str(options.max_model_len),
        "--dtype", options.dtype,
        "--tensor-parallel-size", str(options.tensor_parallel_size),
        "--gpu-memory-utilization", str(options.gpu_memory_utilization),
        "--limit-mm-per-prompt", json.dumps({"image": options.images_per_prompt}),
        "--structured-outputs-config", json.dumps({"backend": options.structured_backend, "disable_any_whitespace": True}),
    ]
    if experts:
        cmd += ["--enable-lora", "--max-loras", str(len(experts)), "--max-lora-rank", str(options.max_lora_rank)]
        cmd += ["--lora-modules", *(f"{name}={path}" for name, path in experts.items())]
    if options.api_key_env:
        cmd += ["--api-key", f"${{{options.api_key_env}}}"]
    return cmd + list(options.extra)


def render(cmd: Sequence[str]) -> str:
    """A copy-pasteable shell line (an `${ENV}` placeholder stays expandable)."""
    return " ".join(c if c.startswith("${") else shlex.quote(c) for c in cmd)


def exec_vllm(cmd: Sequence[str]) -> None:
    """Replace this process with vLLM, when it is installed in this environment."""
    import os
    import shutil

    exe = shutil.which("vllm")
    if exe is None:
        raise BackendError("serve-model: vllm is not installed in this environment; use --dry-run and run the command where it is")
    argv = [os.path.expandvars(c) for c in cmd]
    os.execv(exe, [exe, *argv[1:]])


class _Batcher:
    """Collect requests that arrive within `window_s` into one `generate_batch` call (same temperature)."""

    def __init__(self, backend: LocalBackend, max_batch: int = 8, window_s: float = 0.01):
        self.backend = backend
        self.max_batch = max_batch
        self.window_s = window_s
        self.queue: asyncio.Queue[tuple[GenerationRequest, asyncio.Future]] | None = None
        self.worker: asyncio.Task | None = None

    async def submit(self, request: GenerationRequest) -> Any:
        if self.queue is None:
            self.queue = asyncio.Queue()
            self.worker = asyncio.create_task(self._work())
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((request, future))
        return await future

    async def _work(self) -> None:
        assert self.queue is not None
        while True:
            batch = [await self.queue.get()]
            deadline = time.monotonic() + self.window_s
            while len(batch) < self.max_batch:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self.queue.get(), timeout))
                except TimeoutError:
                    break
            groups: dict[float, list[tuple[GenerationRequest, asyncio.Future]]] = {}
            for item in batch:
                groups.setdefault(item[0].temperature, []).append(item)
            for items in groups.values():
                try:
                    results = await asyncio.to_thread(self.backend.generations, [r for r, _ in items])
                except Exception as exc:  # surfaced to every waiting request as an HTTP error
                    for _, fut in items:
                        if not fut.done():
                            fut.set_exception(exc)
                    continue
                for (_, fut), result in zip(items, results):
                    if not fut.done():
                        fut.set_result(result)


def _error(status: int, message: str, kind: str = "invalid_request_error") -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse({"error": {"message": message, "type": kind, "code": status}}, status_code=status)


def _request_from_openai(body: dict[str, Any], image_dir: Path) -> GenerationRequest:
    """Map an OpenAI chat body onto our request type; data-URL images become files for the backend."""
    messages = []
    for i, m in enumerate(body.get("messages") or []):
        role = m.get("role")
        if role not in ("system", "user", "assistant"):
            raise ValueError(f"messages[{i}].role {role!r} is not system, user or assistant")
        content = m.get("content")
        parts: list[TextPart | ImagePart] = []
        if isinstance(content, str):
            parts.append(TextPart(text=content))
        elif isinstance(content, list):
            for j, part in enumerate(content):
                if part.get("type") == "text":
                    parts.append(TextPart(text=str(part.get("text", ""))))
                elif part.get("type") == "image_url":
                    url = (part.get("image_url") or {}).get("url", "")
                    parts.append(ImagePart(path=str(_save_data_url(url, image_dir, f"messages[{i}].content[{j}]"))))
        else:
            raise ValueError(f"messages[{i}].content must be a string or a list of parts")
        messages.append(Message(role=role, content=parts))
    if not messages:
        raise ValueError("messages is empty")
    schema = None
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            raise ValueError("response_format.json_schema.schema must be an object")
    elif fmt.get("type") == "json_object":
        schema = {"type": "object"}
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or 1024
    temperature = body.get("temperature")
    return GenerationRequest(
        messages=messages,
        json_schema=schema,
        task=str((fmt.get("json_schema") or {}).get("name", "chat")),
        max_tokens=int(max_tokens),
        temperature=1.0 if temperature is None else float(temperature),
    )


def _save_data_url(url: str, folder: Path, where: str) -> Path:
    if not url.startswith("data:") or ";base64," not in url:
        raise ValueError(f"{where}: only base64 data: URLs are accepted (this server cannot fetch URLs)")
    header, payload = url.split(",", 1)
    suffix = {"image/png": ".png", "image/webp": ".webp"}.get(header[5:].split(";")[0], ".jpg")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{where}: bad base64 image: {exc}") from exc
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    return path


def create_app(
    backend: LocalBackend, served_names: Sequence[str] = ("dataclaw",), *, max_batch: int = 8, api_key: str | None = None
) -> Any:
    """A Starlette app with `/v1/models` and `/v1/chat/completions` over a local checkpoint.

    With `api_key`, every request must carry `Authorization: Bearer <api_key>` (as OpenAI clients send it).
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    names = list(served_names) or ["dataclaw"]
    batcher = _Batcher(backend, max_batch=max_batch)
    image_dir = Path(tempfile.mkdtemp(prefix="dataclaw-serve-"))

    def denied(request: Request) -> Any:
        if api_key is None or hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {api_key}"):
            return None
        return _error(401, "missing or wrong API key (Authorization: Bearer ...)", "authentication_error")

    async def models(request: Request) -> JSONResponse:
        if (refused := denied(request)) is not None:
            return refused
        now = int(time.time())
        return JSONResponse({"object": "list", "data": [{"id": n, "object": "model", "created": now, "owned_by": "dataclaw-tailor"} for n in names]})

    async def chat(request: Request) -> Any:
        if (refused := denied(request)) is not None:
            return refused
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "request body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "request body must be a JSON object")
        model = body.get("model") or names[0]
        if model not in names:
            return _error(404, f"model {model!r} is not served here; served: {', '.join(names)}", "not_found_error")
        if body.get("stream"):
            return _error(400, "stream=true is not supported by this server")
        try:
            gen_request = _request_from_openai(body, image_dir)
        except (ValueError, TypeError, AttributeError) as exc:
            return _error(400, str(exc))
        try:
            result = await batcher.submit(gen_request)
        except BackendError as exc:
            return _error(400 if "grammar" in str(exc) else 500, str(exc), "server_error")
        return JSONResponse({
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result.text}, "finish_reason": result.finish_reason}],
            "usage": {
                "prompt_tokens": result.prompt_tokens,
                "completion_tokens": result.completion_tokens,
                "total_tokens": result.prompt_tokens + result.completion_tokens,
            },
        })

    return Starlette(routes=[Route("/v1/models", models), Route("/v1/chat/completions", chat, methods=["POST"])])


def serve_transformers(
    model: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    served_names: Sequence[str] = ("dataclaw",),
    max_batch: int = 8,
    api_key: str | None = None,
    log: Callable[[str], None] = logger.info,
    **backend_options: Any,
) -> None:
    """Serve a local checkpoint (`model.local.create_local`: the packaged nano model unless one is named)
    over the OpenAI chat API until interrupted.

    Binding beyond loopback requires an API key: the endpoint runs a model on this machine for anyone
    who can reach it.
    """
    import uvicorn

    if not is_loopback(host) and not api_key:
        raise BackendError(f"serve-model: binding {host} (beyond loopback) needs an API key (--api-key-env NAME)")
    backend = create_local(model, **backend_options)
    log(f"serving {backend.path} as {', '.join(served_names)} on http://{host}:{port}/v1")
    backend.warm_up()
    app = create_app(backend, served_names, max_batch=max_batch, api_key=api_key)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def api_key_from_env(name: str | None) -> str | None:
    """The key in environment variable `name` (never on the command line, where `ps` would show it)."""
    import os

    if name is None:
        return None
    key = os.environ.get(name)
    if not key:
        raise BackendError(f"serve-model: environment variable {name} (--api-key-env) is unset or empty")
    return key


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
