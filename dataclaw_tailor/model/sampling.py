"""The MCP client's own model, reached through MCP sampling (`sampling/createMessage`).

When DataClaw runs as an MCP server inside an assistant (an IDE agent, a desktop chat app), the
assistant's model can do the tailoring: no GPU server, no API key. The MCP server injects the
sampling call; this module knows nothing about sessions, so it stays testable and transport-free.

Contract: `SamplingBackend(sample=fn)` where `fn` has the keyword signature of
`ServerSession.create_message` in the MCP SDK (`messages`, `max_tokens`, `system_prompt`,
`temperature`, ...) and returns a `CreateMessageResult` (or plain text). A tool passes
`ctx.session.create_message`, which only the 2025 protocol carries (a request in the middle of a call);
under both protocol generations the server's tools return the SDK's `Sample` marker from a resolver
instead, built from the same `sampling_params` and read back with `sampled_text` / `sampled_model`
(`server/hosted.py`). There is no structured-output parameter in MCP sampling, so the schema travels
in the prompt (the prompt builder puts it there) and validation + repair do the rest.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..core import BackendError, GenerationRequest, ImagePart, TextPart

SampleFn = Callable[..., Awaitable[Any]]


class SamplingBackend:
    name = "sampling"
    reads_prompt = True

    def __init__(self, sample: SampleFn, *, model_hint: str | None = None):
        self.sample = sample
        self.model_hint = model_hint
        self.model_id = model_hint or "mcp-client"

    async def generate(self, request: GenerationRequest) -> str:
        try:
            result = await self.sample(**sampling_params(request, self.model_hint))
        except Exception as exc:  # the client may lack sampling, refuse, or fail in its own model
            raise BackendError(f"sampling backend: the MCP client could not sample: {exc}") from exc
        return sampled_text(result)


def sampling_params(request: GenerationRequest, model_hint: str | None = None) -> dict[str, Any]:
    """A request as the keyword arguments of `sampling/createMessage` (system prompt apart, images inline)."""
    from mcp import types

    system = "\n\n".join(m.plain_text() for m in request.messages if m.role == "system") or None
    messages = [
        types.SamplingMessage(role=m.role, content=_blocks([_content(p) for p in m.content]))
        for m in request.messages
        if m.role != "system"
    ]
    options: dict[str, Any] = {
        "messages": messages,
        "max_tokens": request.max_tokens,
        "system_prompt": system,
        "temperature": request.temperature,
    }
    if model_hint:
        options["model_preferences"] = types.ModelPreferences(hints=[types.ModelHint(name=model_hint)])
    return options


def sampled_model(result: Any) -> str | None:
    """The model name the client reports in its sampling result, if any."""
    return getattr(result, "model", None) or None


def _blocks(blocks: list[Any]) -> Any:
    """A single block as itself (every client accepts that), several as a list (multimodal clients)."""
    return blocks[0] if len(blocks) == 1 else blocks


def _content(part: TextPart | ImagePart) -> Any:
    from mcp import types

    if isinstance(part, TextPart):
        return types.TextContent(text=part.text)
    path = Path(part.path)
    try:
        data = base64.b64encode(path.read_bytes()).decode()
    except OSError as exc:
        raise BackendError(f"sampling backend: image {path}: {exc.strerror or exc}") from exc
    return types.ImageContent(data=data, mime_type=mimetypes.guess_type(path.name)[0] or "image/jpeg")


def sampled_text(result: Any) -> str:
    """The text of a sampling result (a `CreateMessageResult`, or plain text)."""
    if isinstance(result, str):
        return result
    content = getattr(result, "content", None)
    blocks = content if isinstance(content, list) else [content]
    text = "".join(getattr(b, "text", "") or "" for b in blocks if getattr(b, "type", None) == "text")
    if not text:
        raise BackendError(f"sampling backend: the MCP client returned no text ({type(result).__name__})")
    return text


def create_sampling(sample: SampleFn | None = None, **options: Any) -> SamplingBackend:
    """The MCP client's own model, through MCP sampling (only inside the MCP server)."""
    if sample is None:
        raise BackendError("sampling backend: only available inside the MCP server (it needs the client's session)")
    return SamplingBackend(sample, **options)
