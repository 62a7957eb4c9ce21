"""The logging capability: the package's log records, forwarded to the client whose request caused them.

A host shows a server's log messages beside the call (what was detected, how it was routed, what a
repair changed); stderr is the server operator's, not the client's. Every record a `dataclaw_tailor`
logger emits while a request runs (in the request's task, in the graph's tasks, in worker threads: they
all inherit the request's context) goes to that request's client as `notifications/message`, at or above
the level the client chose:

- 2025 protocol: `logging/setLevel` sets the level for the connection (until then: warning and above);
- 2026 protocol: each request opts in with the `io.modelcontextprotocol/logLevel` key of its `_meta`
  (no key, no messages), as the SDK's `allowed_log_levels` reads it.

Messages never name a path outside the server's roots (`boundary.scrub`). The stderr handler of `claw`
keeps its own level, so a client asking for debug messages does not change what the operator sees.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from contextvars import ContextVar
from typing import Any

import anyio
from mcp.server.connection import allowed_log_levels
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp_types import EmptyResult, LoggingLevel, LoggingMessageNotification, LoggingMessageNotificationParams, SetLevelRequestParams
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from .boundary import scrub

PACKAGE = "dataclaw_tailor"
LEVELS: dict[str, int] = {"debug": 10, "info": 20, "notice": 25, "warning": 30, "error": 40, "critical": 50, "alert": 60, "emergency": 70}
"""MCP (syslog) levels as Python level numbers."""
DEFAULT_LEVEL = "warning"
"""What a 2025-protocol client gets before it sends `logging/setLevel`."""
FORWARDED = ("tools/call", "resources/read", "prompts/get")
LEVEL_KEY = "dataclaw.log_level"
"""Where a connection's `logging/setLevel` choice is kept (the SDK's per-connection `state`)."""


def mcp_level(levelno: int) -> LoggingLevel:
    """The MCP level of a Python record: the highest MCP level at or below its number."""
    return max((name for name, n in LEVELS.items() if n <= levelno), key=LEVELS.__getitem__, default="debug")  # type: ignore[return-value]


def _connection_state(ctx: ServerRequestContext[Any, Any]) -> dict[str, Any]:
    """The connection's scratch state. The SDK documents `Connection.state` for handlers and middleware but
    hands a request only its `ServerSession`, which keeps the connection private."""
    return ctx.session._connection.state  # noqa: SLF001


class _Sink:
    """One request's queue of records, filled from any thread, drained in the request's event loop."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.loop = asyncio.get_running_loop()
        self.loop_thread = threading.get_ident()
        self.send, self.receive = anyio.create_memory_object_stream[logging.LogRecord](max_buffer_size=1000)

    def put(self, record: logging.LogRecord) -> None:
        if threading.get_ident() == self.loop_thread:
            self._put(record)
        else:
            self.loop.call_soon_threadsafe(self._put, record)

    def _put(self, record: logging.LogRecord) -> None:
        try:
            self.send.send_nowait(record)
        except (anyio.WouldBlock, anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass  # a flood beyond the buffer, or a record after the request ended: dropped, never blocking the work

    async def drain(self, ctx: ServerRequestContext[Any, Any]) -> None:
        """Send the records in order; a client gone mid-call ends the forwarding, never the call."""
        roots = ctx.lifespan_context.config.roots
        async with self.receive:
            async for record in self.receive:
                params = LoggingMessageNotificationParams(level=mcp_level(record.levelno), logger=record.name,
                                                          data=scrub(record.getMessage(), roots))
                try:
                    await ctx.session.send_notification(LoggingMessageNotification(params=params), related_request_id=ctx.request_id)
                except Exception:  # noqa: BLE001 - a closed stream or a broken pipe: the call goes on without its log
                    self.send.close()
                    return


_sink: ContextVar[_Sink | None] = ContextVar("dataclaw_client_log", default=None)


class ClientLogHandler(logging.Handler):
    """Hands each record to the sink of the request running in this context, if it wants that level."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = _sink.get()
        if sink is not None and record.levelno >= sink.threshold:
            sink.put(record)


def _threshold(ctx: ServerRequestContext[Any, Any]) -> int | None:
    """The lowest level this request's client wants, as a Python level number; None for no messages."""
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        allowed = allowed_log_levels(ctx.protocol_version, ctx.meta)
        return min((LEVELS[level] for level in allowed), default=None)
    return LEVELS[_connection_state(ctx).get(LEVEL_KEY, DEFAULT_LEVEL)]


async def forward_logs(ctx: ServerRequestContext[Any, Any], call_next: Any) -> Any:
    """Server middleware: run a request with its records forwarded to its client."""
    if ctx.method not in FORWARDED or ctx.request_id is None:
        return await call_next(ctx)
    threshold = _threshold(ctx)
    if threshold is None:
        return await call_next(ctx)
    sink = _Sink(threshold)
    token = _sink.set(sink)
    _LEVELS.want(threshold)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(sink.drain, ctx)
            try:
                return await call_next(ctx)
            finally:
                await anyio.sleep(0)  # let records queued from worker threads land first
                sink.send.close()
    finally:
        _LEVELS.done(threshold)
        _sink.reset(token)


class _PackageLevel:
    """The package logger's level while requests want records below the operator's level (`-v`): lowered to
    the lowest level a running request wants (a record must exist to be forwarded), restored after the last."""

    def __init__(self) -> None:
        self.wanted: list[int] = []
        self.base = self.ceiling = logging.NOTSET

    def want(self, threshold: int) -> None:
        package = logging.getLogger(PACKAGE)
        if not self.wanted:
            self.base, self.ceiling = package.level, package.getEffectiveLevel()
        self.wanted.append(threshold)
        package.setLevel(min(self.ceiling, *self.wanted))

    def done(self, threshold: int) -> None:
        self.wanted.remove(threshold)
        logging.getLogger(PACKAGE).setLevel(min(self.ceiling, *self.wanted) if self.wanted else self.base)


_LEVELS = _PackageLevel()


async def set_level(ctx: ServerRequestContext[Any, Any], params: SetLevelRequestParams) -> EmptyResult:
    """`logging/setLevel` (2025 protocol): the connection's level from now on."""
    _connection_state(ctx)[LEVEL_KEY] = params.level
    return EmptyResult()


_HANDLER = ClientLogHandler()


def enable_client_logging(server: MCPServer) -> None:
    """Declare the logging capability on `server` and forward the package's records to clients."""
    # The SDK's MCPServer has no public hook for this 2025-era method; its docs point at the low-level server.
    server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)  # noqa: SLF001
    server.middleware.append(forward_logs)
    package = logging.getLogger(PACKAGE)
    if _HANDLER not in package.handlers:
        package.addHandler(_HANDLER)
