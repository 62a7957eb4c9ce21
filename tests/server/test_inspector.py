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
from .scenarios import TOOLS

INSPECTOR = ROOT / "node_modules" / ".bin" / "mcp-inspector"


def run_inspector(*method: str, tmp_path) -> subprocess.CompletedProcess:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not INSPECTOR.exists():
        pytest.skip("MCP Inspector not installed: npm install --no-save @modelcontextprotocol/inspector@2.12.0")
    # The Inspector starts the server with a minimal environment: hand it the test's cache and state
    # locations (and import path, when one is set) so it runs the same code against the same isolated dirs.
    passed = [f"{k}={v}" for k, v in os.environ.items() if k.startswith("DATACLAW_") or k in SANDBOX_ENV or k == "PYTHONPATH"]
    env_flags = [flag for kv in passed for flag in ("-e", kv)]
    server = [sys.executable, *claw_mcp_args("--root", str(EXAMPLES), "--root", str(tmp_path), "--state-dir", str(tmp_path / "state"))]
    return subprocess.run(
        [str(INSPECTOR), "--cli", *env_flags, *server, *method], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MCP_CATALOG_PATH": str(tmp_path / "inspector-catalog.json")},
    )


def inspector(*method: str, tmp_path) -> dict:
    proc = run_inspector(*method, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_inspector_lists_the_tools(tmp_path):
    listed = inspector("--method", "tools/list", "--strict", tmp_path=tmp_path)
    assert {t["name"] for t in listed["tools"]} == TOOLS


def call_args(tool: str, **args) -> list[str]:
    """A tools/call through the Inspector CLI, arguments as JSON."""
    return ["--method", "tools/call", "--tool-name", tool, "--tool-arg", *(f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in args.items())]


def call(tool: str, tmp_path, **args) -> dict:
    return inspector(*call_args(tool, **args), tmp_path=tmp_path)


@pytest.mark.slow
def test_inspector_calls_every_tool(tmp_path):
    """Each tool once, through the Inspector CLI, with the arguments a user would type; threads and files
    carry over between calls through the shared state dir and root."""
    import shutil

    shutil.copytree(TRACE, tmp_path / "corpus" / "a-trace")
    records, intent = tmp_path / "records.jsonl", "GUI-agent SFT steps"
    results = {
        "list_tasks": call("list_tasks", tmp_path, kind="gui_trace"),
        "validate_record": call("validate_record", tmp_path, record={"n": 1}, task="custom", schema={"type": "object"}),
        "extract_anchors": call("extract_anchors", tmp_path, path=str(TRACE), kinds=["gui_event"]),
        "clarify_intent": call("clarify_intent", tmp_path, path=str(TRACE), intent=intent),
        "tailor": call("tailor", tmp_path, path=str(TRACE), intent=intent, out=str(records)),
        "tailor_corpus": call("tailor_corpus", tmp_path, folder=str(tmp_path / "corpus"), intent=intent, task="gui.trajectory"),
        "export_dataset": call("export_dataset", tmp_path, records=str(records), format="openai", out=str(tmp_path / "sft.jsonl")),
        "view_record": call("view_record", tmp_path, records=str(records)),
        "brief": call("brief", tmp_path, path=str(TRACE), intent=intent),
    }
    tailored = results["tailor"]["structuredContent"]
    results["submit_record"] = call("submit_record", tmp_path, thread_id=results["brief"]["structuredContent"]["thread_id"], record=tailored["record"])
    results["refine_record"] = call("refine_record", tmp_path, thread_id=tailored["thread_id"], request="at most 2 steps")
    # The Inspector CLI declares no sampling: the SDK answers the call with a protocol error naming what is missing.
    sampled = run_inspector(*call_args("tailor_by_sampling", path=str(TRACE), intent=intent), tmp_path=tmp_path)
    assert set(results) | {"tailor_by_sampling"} == TOOLS
    for name, result in results.items():
        assert result.get("isError") in (None, False) and result.get("structuredContent") is not None, (name, result)
    assert results["submit_record"]["structuredContent"]["accepted"] and results["tailor_corpus"]["structuredContent"]["ok"] == 1
    assert sampled.returncode != 0 and "Client did not declare the sampling capability" in sampled.stderr + sampled.stdout


def test_inspector_calls_tailor(tmp_path):
    called = inspector(
        "--method", "tools/call", "--tool-name", "tailor",
        "--tool-arg", f"path={TRACE}", "intent=GUI-agent SFT steps", tmp_path=tmp_path,
    )
    assert called.get("isError") in (None, False), called
    assert called["structuredContent"]["status"] == "ok"
    assert called["structuredContent"]["task"] == "gui.trajectory"
