import os
import subprocess
import sys

import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from dataclaw_tailor.server.auth import TOKEN_ENV, AuthConfigError, is_loopback, require_token_for

from ..conftest import EXAMPLES, ROOT, free_port
from .conftest import claw_mcp_args, wait_for_port


def test_loopback_detection():
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.4", "::", "example.com"))


def test_non_loopback_bind_needs_a_token():
    require_token_for("127.0.0.1", None)
    require_token_for("0.0.0.0", "s3cret")
    with pytest.raises(AuthConfigError, match=TOKEN_ENV):
        require_token_for("0.0.0.0", None)


def test_claw_mcp_refuses_to_start_beyond_loopback_without_a_token():
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    proc = subprocess.run(
        [sys.executable, *claw_mcp_args("--http", "--host", "0.0.0.0", "--port", str(free_port()))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert "refusing to serve MCP over HTTP on 0.0.0.0" in proc.stderr and TOKEN_ENV in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.anyio
async def test_token_protected_server_rejects_missing_and_wrong_tokens(tmp_path):
    import httpx2

    port = free_port()
    env = {**os.environ, TOKEN_ENV: "s3cret-token"}
    log = tmp_path / "server.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, *claw_mcp_args("--http", "--host", "0.0.0.0", "--port", str(port), "--root", str(EXAMPLES),
                                            "--state-dir", str(tmp_path))],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, proc, log)
        url = f"http://127.0.0.1:{port}/mcp"
        hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            reply = httpx.post(url, json=hello, headers={"Accept": "application/json, text/event-stream", **headers})
            assert reply.status_code == 401
            assert reply.headers["www-authenticate"].startswith("Bearer")
        async with httpx2.AsyncClient(headers={"Authorization": "Bearer s3cret-token"}) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                names = {t.name for t in (await client.list_tools()).tools}
        assert "tailor" in names
    finally:
        proc.terminate()
        proc.wait(timeout=10)
