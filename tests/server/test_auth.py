import os
import subprocess
import sys

import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from dataclaw_tailor.server.auth import TOKEN_ENV, AuthConfigError, is_loopback, require_token_for, transport_security

from ..conftest import EXAMPLES, ROOT, free_port
from .conftest import claw_mcp_args, serving_http, wait_for_port


def test_loopback_detection():
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2", "127.255.0.9", "::ffff:127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.4", "::", "example.com", "localhost.example.com"))


def test_every_loopback_bind_gets_host_and_origin_allow_lists():
    odd = transport_security("127.0.0.2", 8123)
    assert odd.enable_dns_rebinding_protection
    assert odd.allowed_hosts == ["127.0.0.2:8123"] and odd.allowed_origins == ["http://127.0.0.2:8123"]
    usual = transport_security("localhost", 80)
    assert {"localhost:80", "127.0.0.1:80", "[::1]:80", "localhost"} <= set(usual.allowed_hosts)
    assert "http://[::1]:80" in usual.allowed_origins
    assert transport_security("0.0.0.0", 8000) is None  # beyond loopback the token keeps strangers out


@pytest.mark.anyio
async def test_a_server_on_127_0_0_2_refuses_a_foreign_host_or_origin(tmp_path):
    """DNS rebinding: a page on evil.example re-pointed at 127.0.0.2 reaches a token-less loopback server."""
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    with serving_http(tmp_path, "--root", str(EXAMPLES), "--state-dir", str(tmp_path / "state"), host="127.0.0.2", env=env) as (url, _):
        hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "browser", "version": "0"}}}
        accept = {"Accept": "application/json, text/event-stream"}
        evil_host = httpx.post(url, json=hello, headers={**accept, "Host": "evil.example"})
        evil_origin = httpx.post(url, json=hello, headers={**accept, "Origin": "http://evil.example"})
        own_origin = httpx.post(url, json=hello, headers={**accept, "Origin": url.removesuffix("/mcp")})
        async with Client(url) as client:
            names = {t.name for t in (await client.list_tools()).tools}
    assert evil_host.status_code == 421 and evil_origin.status_code == 403
    assert own_origin.status_code == 200 and "tailor" in names


def test_trusting_client_roots_is_refused_over_http():
    proc = subprocess.run(
        [sys.executable, *claw_mcp_args("--http", "--trust-client-roots", "--port", str(free_port()))],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2 and "--trust-client-roots is for a single user's stdio server" in proc.stderr


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
