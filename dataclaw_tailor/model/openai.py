"""Any OpenAI-compatible chat server: the GPU-hosted DataClaw model on vLLM, other VLMs, our own `serve-model`.

Requests use structured outputs (`response_format: {"type": "json_schema", ...}`), so a server with
constrained decoding (vLLM + xgrammar, `claw serve-model --engine transformers`) returns text that
conforms to the specialised schema. Images travel as base64 data URLs. Transient failures (429, 5xx,
refused or dropped connections, timeouts) are retried with exponential backoff, honouring
`Retry-After`; a bounded number of requests run at once. For the Expert paradigm (one LoRA adapter
per domain behind one server), `expert_models` maps a domain to the served adapter name, and the
request's task (`gui.trajectory` -> `gui`) picks it.
"""

from __future__ import annotations

import asyncio
import base64
import mimetypes
import os
import random
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from ..core import BackendError, GenerationRequest, ImagePart, Message, TextPart
from .options import parse_pairs

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"


def parse_expert_models(value: Mapping[str, str] | list[str] | str | None) -> dict[str, str]:
    """`{"gui": "gui-lora"}`, `["gui=gui-lora", ...]` or `"gui=gui-lora,embodied=emb-lora"` -> dict."""
    return parse_pairs(value, "openai backend: expert model", "DOMAIN=MODEL")


class OpenAIBackend:
    """An async client for `/chat/completions` with retries, timeouts and a concurrency limit."""

    name = "openai"
    reads_prompt = True

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        *,
        api_key: str | None = None,
        expert_models: Mapping[str, str] | list[str] | str | None = None,
        timeout: float = 300.0,
        connect_timeout: float = 5.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        concurrency: int = 8,
        structured: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        base = base_url or os.environ.get("DATACLAW_BASE_URL") or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = base.rstrip("/")
        self.model = model
        self.api_key = api_key or os.environ.get("DATACLAW_API_KEY") or os.environ.get("OPENAI_API_KEY")
        self.expert_models = parse_expert_models(expert_models)
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.concurrency = concurrency
        self.structured = structured
        self.transport = transport
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._default_model: str | None = None

    @property
    def model_id(self) -> str:
        return self.model or self._default_model or ""

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _session(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        """One client and semaphore per event loop (the sync graph runner may start a new loop per call)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._semaphore is None or self._loop is not loop:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            self._client = httpx.AsyncClient(timeout=self.timeout, headers=headers, transport=self.transport)
            self._semaphore = asyncio.Semaphore(self.concurrency)
            self._loop = loop
        return self._client, self._semaphore

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def model_for(self, task: str) -> str | None:
        """The served model for a task: its domain's expert adapter if one is configured, else `model`."""
        return self.expert_models.get(task.split(".", 1)[0], self.model)

    def payload(self, request: GenerationRequest, model: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "messages": [_wire_message(m) for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if self.structured and request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(request.task), "schema": request.json_schema, "strict": True},
            }
        return body

    async def generate(self, request: GenerationRequest) -> str:
        model = self.model_for(request.task) or await self._served_model()
        body = self.payload(request, model)
        data = await self._post(body)
        return _content(data, self.url)

    async def _served_model(self) -> str:
        """With no model configured, use the first model the server lists (what `serve-model` serves)."""
        if self._default_model is None:
            data = await self._request("GET", f"{self.base_url}/models", None)
            try:
                self._default_model = str(data["data"][0]["id"])
            except (KeyError, IndexError, TypeError) as exc:
                raise BackendError(f"openai backend: {self.base_url}/models lists no model; pass --model") from exc
        return self._default_model

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", self.url, body)

    async def _request(self, method: str, url: str, body: dict[str, Any] | None) -> dict[str, Any]:
        client, semaphore = self._session()
        last = ""
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            try:
                async with semaphore:
                    response = await client.request(method, url, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                last = f"cannot connect ({exc.__class__.__name__}: {exc or 'refused'}); is the server running?"
            except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as exc:
                last = f"timed out ({exc.__class__.__name__})"
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                last = f"connection dropped ({exc.__class__.__name__}: {exc})"
            else:
                if response.status_code < 400:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise BackendError(f"openai backend: {url}: response is not JSON: {response.text[:200]!r}") from exc
                detail = _error_text(response)
                if response.status_code not in RETRY_STATUS:
                    raise BackendError(f"openai backend: {url}: HTTP {response.status_code}: {detail}")
                last = f"HTTP {response.status_code}: {detail}"
                retry_after = _retry_after(response)
            if attempt < self.max_retries:
                delay = min(self.max_backoff, self.backoff * 2**attempt) * (1 + random.random() * 0.1)
                await asyncio.sleep(min(self.max_backoff, retry_after) if retry_after is not None else delay)
        raise BackendError(f"openai backend: {url}: {last} (gave up after {self.max_retries + 1} attempts)")


def _schema_name(task: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", task)[:64] or "record"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
        message = data.get("error", {}).get("message") if isinstance(data.get("error"), dict) else data.get("error")
        if message:
            return str(message)[:300]
    except (ValueError, AttributeError):
        pass
    return response.text[:300] or response.reason_phrase


def _content(data: Any, url: str) -> str:
    """The assistant text of the first choice; a reply without one is a backend error, not a record."""
    try:
        message = data["choices"][0]["message"]
    except (KeyError, IndexError, TypeError) as exc:
        raise BackendError(f"openai backend: {url}: malformed response, no choices[0].message: {str(data)[:200]}") from exc
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str) or not content:
        refusal = message.get("refusal") if isinstance(message, dict) else None
        raise BackendError(f"openai backend: {url}: empty reply" + (f" (refusal: {refusal})" if refusal else ""))
    return content


def data_url(path: str | Path) -> str:
    """An image file as a `data:` URL (what OpenAI-compatible servers accept inline).

    `claw export --format openai` uses it too, so exported samples carry images exactly as they are served.
    """
    path = Path(path)
    mime = mimetypes.guess_type(path.name)[0] or "image/jpeg"
    try:
        payload = base64.b64encode(path.read_bytes()).decode()
    except OSError as exc:
        raise BackendError(f"openai backend: image {path}: {exc.strerror or exc}") from exc
    return f"data:{mime};base64,{payload}"


def _wire_message(message: Message) -> dict[str, Any]:
    if all(isinstance(p, TextPart) for p in message.content):
        return {"role": message.role, "content": message.plain_text()}
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            parts.append({"type": "image_url", "image_url": {"url": data_url(part.path)}})
    return {"role": message.role, "content": parts}


def create_openai(base_url: str | None = None, model: str | None = None, **options: Any) -> OpenAIBackend:
    """Any OpenAI-compatible chat-completions server (vLLM, SGLang, llama.cpp, OpenAI) with structured outputs."""
    return OpenAIBackend(base_url, model, **options)
