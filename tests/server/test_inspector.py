"""The official MCP Inspector CLI (npm) against `claw mcp` over stdio."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from ..conftest import EXAMPLES, ROOT
from ..sandbox import SANDBOX_ENV
from .conftest import TRACE, claw_mcp_args

INSPECTOR = ROOT / "node_modules" / ".bin" / "mcp-inspector"


def inspector(*method: str, tmp_path) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not INSPECTOR.exists():
        pytest.skip("MCP Inspector not installed: npm install --no-save @modelcontextprotocol/inspector@2.12.0")
    # The Inspector starts the server with a minimal environment: hand it the test's cache and state
    # locations (and import path, when one is set) so it runs the same code against the same isolated dirs.
    passed = [f"{k}={v}" for k, v in os.environ.items() if k.startswith("DATACLAW_") or k in SANDBOX_ENV or k == "PYTHONPATH"]
    env_flags = [flag for kv in passed for flag in ("-e", kv)]
    server = [sys.executable, *claw_mcp_args("--root", str(EXAMPLES), "--state-dir", str(tmp_path))]
    proc = subprocess.run(
        [str(INSPECTOR), "--cli", *env_flags, *server, *method], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MCP_CATALOG_PATH": str(tmp_path / "inspector-catalog.json")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_inspector_lists_the_tools(tmp_path):
    listed = inspector("--method", "tools/list", "--strict", tmp_path=tmp_path)
    assert {t["name"] for t in listed["tools"]} >= {"tailor", "validate_record", "list_tasks", "tailor_corpus"}


def test_inspector_calls_tailor(tmp_path):
    called = inspector(
        "--method", "tools/call", "--tool-name", "tailor",
        "--tool-arg", f"path={TRACE}", "intent=GUI-agent SFT steps", tmp_path=tmp_path,
    )
    assert called.get("isError") in (None, False), called
    assert called["structuredContent"]["status"] == "ok"
    assert called["structuredContent"]["task"] == "gui.trajectory"
