"""Shared test fixtures: paths to the project's examples and the optional real devset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dataclaw_tailor.evals.cases import find_devset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
# The package's own lookup (DATACLAW_DEVSET, else shared/devset beside an ancestor); the fallback only names it in skips.
DEVSET = find_devset(ROOT) or Path(os.environ.get("DATACLAW_DEVSET", ROOT.parent / "shared" / "devset"))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Keep anchor caches and thread checkpoints out of the user's home during tests."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("DATACLAW_CACHE_DIR", str(base / "anchor-cache"))
    monkeypatch.setenv("DATACLAW_STATE_DIR", str(base / "state"))


@pytest.fixture
def devset() -> Path:
    if not DEVSET.is_dir():
        pytest.skip(f"real devset not present at {DEVSET}")
    return DEVSET


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def run_claw(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real console entry point in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "dataclaw_tailor.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
