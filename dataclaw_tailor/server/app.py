"""Build the DataClaw Tailor MCP server and serve it over stdio or streamable HTTP.

`build_server` wires tools, resources and the prompt onto one `MCPServer` whose lifespan context is
a `ServerState`: the `ServerConfig` (roots, state dir, backend) and the one `TailorService` of that
server run (built by the first call that needs it), so the backend is built once however many calls it
serves. Nothing here imports the tailoring machinery: a client's first `tools/list` comes within a few
tenths of a second of a bare SDK server's (bench/mcp_bench.py measures the ratio). The same object serves a
desktop host over stdio, a shared deployment over HTTP, and tests in-process. Logs go to stderr:
on stdio, stdout carries the protocol.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool
from mcp_types import ToolAnnotations

from .. import __version__
from . import hosted, prompts, resources, tools
from .auth import StaticTokenVerifier, auth_settings, require_token_for, transport_security
from .config import ServerConfig, ServerState
from .logs import enable_client_logging
from .schemas import describe
from .view import view_record

log = logging.getLogger(__name__)

INSTRUCTIONS = """DataClaw Tailor turns raw streams (screen recordings and GUI traces, videos, robot episodes,
image-edit sequences) into grounded, schema-valid JSON training records.
Start with `list_tasks`; use `tailor` for one source and `tailor_corpus` for a folder; `extract_anchors`
shows the facts records are grounded in; `validate_record` checks any record; `view_record` writes an
HTML page that shows records against their anchors and pictures. Paths must lie inside the allowed
roots. When `tailor` answers 'needs_clarification', ask the user its questions and call it again with
`answers` and the same `thread_id`. To write a record yourself: `brief`, then `submit_record` (fix what it
refuses and submit again); `tailor_by_sampling` lets your own model write it through sampling;
`refine_record` makes a new version of a finished result from a follow-up request."""

def annotations(*, writes: bool, replaces: bool = False, idempotent: bool, open_world: bool = False) -> ToolAnnotations:
    """What a host may assume before calling a tool (a host may auto-approve what it reads as harmless).

    Only files and folders the user can see count as the environment: a thread checkpoint or the anchor
    cache in the server's own state is no change a read-only tool has to declare. `replaces` is true for a
    tool that can replace an existing output (its own earlier one, or with `overwrite` a foreign data file);
    a tool that only creates or appends is not destructive. `open_world` is true when the call reaches a
    model server beyond this machine's files (the `openai` backend).
    """
    return ToolAnnotations(read_only_hint=not writes, destructive_hint=replaces, idempotent_hint=idempotent, open_world_hint=open_world)


def tool(fn: Callable[..., Any], title: str, hints: ToolAnnotations) -> Tool:
    """One tool as `tools/list` shows it: enums from the registries, a compact output schema (`schemas.py`)."""
    return describe(Tool.from_function(fn, title=title, annotations=hints))


def build_server(config: ServerConfig | None = None, *, token: str | None = None, host: str = "127.0.0.1", port: int = 8000) -> MCPServer:
    """The server with every tool, resource and prompt; `token` turns on bearer auth (HTTP only)."""
    config = config or ServerConfig()

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[ServerState]:
        config.state_dir.mkdir(parents=True, exist_ok=True)
        state = ServerState(config)
        log.info("serving with backend %s, threads in %s", config.backend, config.state_dir)
        try:
            yield state
        finally:
            await state.aclose()

    auth = {}
    if token is not None:
        auth = {"token_verifier": StaticTokenVerifier(token), "auth": auth_settings(host, port)}
    remote = config.backend == "openai"
    listed = [
        tool(tools.tailor, "Tailor one source", annotations(writes=True, replaces=True, idempotent=False, open_world=remote)),
        tool(tools.clarify_intent, "Clarify an intent", annotations(writes=False, idempotent=True)),
        tool(tools.extract_anchors, "Extract factual anchors", annotations(writes=False, idempotent=True)),
        tool(tools.validate_record, "Validate a record", annotations(writes=False, idempotent=True)),
        tool(tools.list_tasks, "List task schemas", annotations(writes=False, idempotent=True)),
        tool(tools.tailor_corpus, "Tailor a folder", annotations(writes=True, idempotent=True, open_world=remote)),
        tool(tools.export_dataset, "Export a fine-tuning dataset", annotations(writes=True, replaces=True, idempotent=True)),
        tool(view_record, "Write an audit page of records", annotations(writes=True, replaces=True, idempotent=True)),
        tool(hosted.brief, "Get a brief to write a record yourself", annotations(writes=False, idempotent=True)),
        tool(hosted.submit_record, "Submit a record you wrote", annotations(writes=True, replaces=True, idempotent=False)),
        tool(hosted.tailor_by_sampling, "Tailor with your own model (sampling)", annotations(writes=True, replaces=True, idempotent=False)),
        tool(hosted.refine_record, "Refine a finished record", annotations(writes=True, replaces=True, idempotent=False, open_world=remote)),
    ]
    server = MCPServer(
        "dataclaw-tailor", title="DataClaw Tailor", version=__version__, instructions=INSTRUCTIONS,
        lifespan=lifespan, tools=listed, **auth,
    )
    enable_client_logging(server)
    resources.register_resources(server)
    server.prompt(name="tailor_dataset", title="Tailor a dataset")(prompts.tailor_dataset)
    server.prompt(name="write_record", title="Write a record yourself")(hosted.write_record)
    return server


def serve_stdio(config: ServerConfig) -> None:
    build_server(config).run()


def serve_http(config: ServerConfig, host: str, port: int, token: str | None) -> None:
    """Streamable HTTP at `/mcp`; refuses a non-loopback bind without a token before opening a socket."""
    import uvicorn

    require_token_for(host, token)
    server = build_server(config, token=token, host=host, port=port)
    app = server.streamable_http_app(host=host, transport_security=transport_security(host, port))
    anyio.run(uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).serve)
