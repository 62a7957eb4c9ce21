"""Ways to reach the real server: in-process, over stdio (a `claw mcp` subprocess) and over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mcp import StdioServerParameters
from mcp_types import ElicitResult

from ..conftest import EXAMPLES, ROOT, free_port

TRACE = EXAMPLES / "gui" / "login-trace"
VIDEO = EXAMPLES / "video" / "three_shots.mp4"
FUZZY = "make this useful for training"
MODES = ["auto", "legacy"]


def claw_mcp_args(*args: str) -> list[str]:
    return ["-m", "dataclaw_tailor.cli", "mcp", *args]


def stdio_server(*args: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=claw_mcp_args(*args), env=dict(os.environ), cwd=str(ROOT))


class Answerer:
    """An elicitation callback standing in for the user: picks a fixed option and records what it was asked."""

    def __init__(self, answer: str = "daily.dense_captions", action: str = "accept"):
        self.answer, self.action = answer, action
        self.asked: list[dict] = []

    async def __call__(self, context, params) -> ElicitResult:
        self.asked.append({"message": params.message, "schema": params.requested_schema})
        if self.action != "accept":
            return ElicitResult(action=self.action)
        return ElicitResult(action="accept", content={"task": self.answer})


@contextmanager
def serving_http(tmp_path: Path, *flags: str, host: str = "127.0.0.1", env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`claw mcp --http FLAGS` on a free port of `host`: (its /mcp URL, the process); stopped on exit."""
    port = free_port()
    log = tmp_path / f"server-{port}.log"
    with log.open("w") as sink:  # a file, not a pipe: nobody drains a pipe while tests run
        proc = subprocess.Popen(
            [sys.executable, *claw_mcp_args("--http", "--host", host, "--port", str(port), *flags)],
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, env=env,
        )
    try:
        wait_for_port(port, proc, log, host=host)
        yield f"http://{host}:{port}/mcp", proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`claw mcp --http` on a free loopback port, rooted at the examples and a folder for the tests' files:
    (its /mcp URL, that folder). One server per module, as one serves many clients: its start-up (a process,
    the imports, the tailoring graph) is paid once; each test writes under its own subfolder of the root."""
    root = tmp_path_factory.mktemp("http-root")
    with serving_http(root, "--root", str(EXAMPLES), "--root", str(root), "--state-dir", str(root / "state")) as (url, _):
        yield url, root


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 90, host: str = "127.0.0.1") -> None:
    """Wait until `proc` listens on `port`: a server start takes seconds when idle, far longer on a loaded machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"server did not listen on {port}")
