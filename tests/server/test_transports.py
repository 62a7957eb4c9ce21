"""`claw mcp` as a real subprocess: over stdio and over streamable HTTP, in both protocol modes."""

from __future__ import annotations

import json
import os
import shlex
import sys

import anyio
import pytest
from mcp import Client, StdioServerParameters

from ..conftest import EXAMPLES, ROOT
from . import scenarios
from .conftest import MODES, TRACE, Answerer, stdio_server

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", MODES)
async def test_stdio_session(tmp_path, mode):
    answerer = Answerer()
    params = stdio_server("--root", str(EXAMPLES), "--root", str(tmp_path), "--state-dir", str(tmp_path / "state"))
    async with Client(params, mode=mode, elicitation_callback=answerer) as client:
        await scenarios.lists_tools(client)
        await scenarios.reads_schema_resources(client)
        await scenarios.tailors_the_examples(client)
        await scenarios.clarifies_by_elicitation(client, answerer)
        await scenarios.reports_corpus_progress(client, tmp_path)


@pytest.mark.parametrize("mode", MODES)
async def test_http_session(http_server, mode):
    url, root = http_server
    answerer = Answerer()
    async with Client(url, mode=mode, elicitation_callback=answerer) as client:
        await scenarios.lists_tools(client)
        await scenarios.reads_schema_resources(client)
        await scenarios.tailors_the_examples(client)
        await scenarios.clarifies_by_elicitation(client, answerer)
        (work := root / f"session-{mode}").mkdir()
        await scenarios.reports_corpus_progress(client, work)


async def test_fifty_concurrent_tailor_calls_over_http(http_server):
    """Fifty at once, half of them appending to one JSONL file: all succeed, every line whole."""
    url, root = http_server
    results: list = [None] * 50
    out = root / "fifty" / "runs" / "all.jsonl"
    async with Client(url) as client:

        async def one(i: int) -> None:
            args = {"path": str(TRACE), "intent": "GUI-agent SFT steps", "max_items": 1 + i % 5}
            results[i] = await client.call_tool("tailor", args | ({"out": str(out)} if i % 2 else {}))

        async with anyio.create_task_group() as tg:
            for i in range(50):
                tg.start_soon(one, i)
        bad = await client.call_tool("tailor", {"path": "/etc/passwd", "intent": "x"})
        again = await client.call_tool("list_tasks", {})
    assert all(not r.is_error and r.structured_content["status"] == "ok" for r in results), [r.content for r in results if r.is_error]
    assert len({r.structured_content["thread_id"] for r in results}) == 50
    assert sorted(json.loads(line)["thread_id"] for line in out.read_text().splitlines()) == sorted(
        r.structured_content["thread_id"] for r in results[1::2])
    assert bad.is_error and "outside the allowed roots" in bad.content[0].text
    assert not again.is_error


async def test_stdio_server_logs_to_stderr_never_stdout(tmp_path):
    """`claw -v mcp` logs each step; on stdio the records must go to stderr, stdout carries only the protocol."""
    log = tmp_path / "stderr.log"
    command = [sys.executable, "-m", "dataclaw_tailor.cli", "-v", "mcp", "--root", str(EXAMPLES), "--state-dir", str(tmp_path / "state")]
    params = StdioServerParameters(command="bash", args=["-c", f"exec {shlex.join(command)} 2>{shlex.quote(str(log))}"],
                                   env=dict(os.environ), cwd=str(ROOT))
    async with Client(params) as client:
        result = await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps"})
    assert not result.is_error and result.structured_content["status"] == "ok", result.content
    written = log.read_text()
    assert "dataclaw_tailor.server.app: serving with backend rules" in written
    assert "dataclaw_tailor.service.tailoring: built backend rules" in written and "routed to gui.trajectory" in written
