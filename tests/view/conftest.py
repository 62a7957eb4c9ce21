"""Envelopes from real `claw tailor` runs on the examples, and a real headless Chromium to open pages in."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import EXAMPLES, run_claw

TRACE = EXAMPLES / "gui" / "login-trace"
VIDEO = EXAMPLES / "video" / "three_shots.mp4"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}


def tailor_to(out: Path, source: Path, intent: str, task: str, base: Path) -> Path:
    """`claw tailor --out` in a fresh process, threads under the test session's temp folder; anchors come from
    the session's anchor cache (tests/sandbox.py), which earlier tests of the same examples have filled."""
    proc = run_claw("tailor", str(source), "-i", intent, "--task", task, "--out", str(out),
                    env={"DATACLAW_STATE_DIR": str(base / "state")}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def gui_envelope(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return tailor_to(tmp_path_factory.mktemp("gui") / "login.json", TRACE, "GUI agent trajectory", "gui.trajectory", base)


@pytest.fixture(scope="session")
def video_envelope(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return tailor_to(tmp_path_factory.mktemp("video") / "three_shots.json", VIDEO, "dense captions", "daily.dense_captions", base)


def load(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's chromium driven by Playwright's bundled driver (no browser download), one profile per module.

    Module scope: Playwright's sync API keeps an asyncio loop running while it is open, which would make
    `asyncio.run` in later test modules fail. Reduced motion: the page then scrolls a selected card into view at
    once; during a smooth scroll the sticky inspector moves, and a click aimed at one of its chips could land
    beside it (seen once in a fresh-clone CI run with two workers)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")
    with playwright_api.sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="claw-view-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                        args=CHROMIUM_FLAGS, viewport=VIEWPORT,
                                                        reduced_motion="reduce")
        try:
            yield context
        finally:
            context.close()


class Opened:
    """A page opened in the browser, with every console error and uncaught exception it produced."""

    def __init__(self, context, path: Path, scripted: bool = True):
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri())
        if scripted:
            self.page.wait_for_function("window.viewReady !== undefined")

    def ids(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.id || e.dataset.ref)")


@pytest.fixture
def open_page(browser):
    opened: list[Opened] = []

    def _open(path: Path, scripted: bool = True) -> Opened:
        opened.append(Opened(browser, path, scripted))
        return opened[-1]

    yield _open
    for o in opened:
        o.page.close()
