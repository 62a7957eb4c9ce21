"""Shared test fixtures: paths to the project's examples and the optional real devset."""

from __future__ import annotations

from .sandbox import SANDBOX  # first: every cache and state location moves before any library reads it

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from dataclaw_tailor.evals.cases import find_devset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
# The package's own lookup (DATACLAW_DEVSET, else shared/devset beside an ancestor); the fallback only names it in skips.
DEVSET = find_devset(ROOT) or Path(os.environ.get("DATACLAW_DEVSET", ROOT.parent / "shared" / "devset"))


def pytest_unconfigure(config) -> None:
    shutil.rmtree(SANDBOX, ignore_errors=True)


@pytest.fixture
def devset() -> Path:
    if not DEVSET.is_dir():
        pytest.skip(f"real devset not present at {DEVSET}")
    return DEVSET


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """One random tiny Qwen2 checkpoint per session, built locally (no downloads)."""
    from dataclaw_tailor.model.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def tiny_vl_model(tmp_path_factory) -> Path:
    from .model.tiny_vl import build_tiny_vl_model

    return build_tiny_vl_model(tmp_path_factory.mktemp("tiny-vl") / "model")


@pytest.fixture(scope="session")
def nano_model() -> Path:
    """The packaged nano model (SmolLM2-135M-Instruct) as a transformers checkpoint, converted once per session."""
    from dataclaw_tailor.core import BackendError
    from dataclaw_tailor.model.nano import NANO_INSTALL, nano_checkpoint

    try:
        return nano_checkpoint()  # into DATACLAW_MODEL_DIR, which tests/sandbox.py points at the session's sandbox
    except BackendError as exc:
        pytest.skip(f"the nano model is not installed ({NANO_INSTALL}): {exc}")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def run_claw(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real console entry point in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "dataclaw_tailor.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_model(model: Path | None, *args: str, log: Path, startup_s: float = 60) -> Iterator[str]:
    """`claw serve-model --engine transformers` on a free loopback port, as a real subprocess; yields its /v1 URL.

    `model` None: no `--model`, so the server serves its default (the packaged nano model)."""
    port = free_port()
    named = [] if model is None else ["--model", str(model)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dataclaw_tailor.cli", "serve-model", "--engine", "transformers", *named,
             "--port", str(port), *args],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy(),
        )
        url = f"http://127.0.0.1:{port}/v1"
        try:
            deadline = time.monotonic() + startup_s
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"serve-model exited: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
                if time.monotonic() > deadline:
                    pytest.fail(f"serve-model did not come up in {startup_s:.0f} s")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)
