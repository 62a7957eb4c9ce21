"""GUI trace formats: our canonical trace.json, ScreenAgent, MiniWoB++, AgentNet, AgentNetBench, AgentNetTool,
AitZ and AitW.

All load into the canonical `GuiTrace` (loaders in `tools/gui/`) and are described alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from ...core.source import GuiTraceMeta, Source, SourceKind
from ..gui import agentnet, agentnetbench, agentnettool, android, canonical, miniwob, screenagent
from ..gui.trace import GuiTrace
from ..hashing import content_hash, sources_hash
from ..robot.episode import split_episode
from .spec import InputFormat


def describe_trace(fmt: InputFormat, given: str, path: Path) -> Source:
    """Screen size (`screen_assumed` when the recording states none), steps, duration, platform and task of
    the trace. The hash covers the screenshots (beside a trace file, or inside its folder) and a
    `#episode=N` suffix."""
    trace: GuiTrace = fmt.load(path, split_episode(given)[1])
    duration = max((s.t for s in trace.steps), default=0.0)
    shots = sorted({p for p in (trace.screenshot_path(s) for s in trace.steps) if p is not None})
    outside = [] if path.is_dir() else shots  # a folder's hash already covers its screenshots
    digest = sources_hash(content_hash(path), outside)
    if given != str(path):
        digest = hashlib.sha256(f"{digest}{given[len(str(path)):]}".encode()).hexdigest()
    files = sorted({str(p) for p in (path.rglob("*") if path.is_dir() else [path]) if p.is_file()} |
                   {str(p) for p in shots})
    return Source(path=given, kind=SourceKind.gui_trace, content_hash=digest, format=fmt.name, files=files,
                  meta=GuiTraceMeta(width=trace.screen.width, height=trace.screen.height, n_steps=len(trace.steps),
                                    duration_s=duration, platform=trace.platform, task=trace.task,
                                    **({"screen_assumed": True} if trace.screen.assumed else {})))


def _one_trace(load: Callable[[Path], GuiTrace]) -> Callable[[Path, int | None], GuiTrace]:
    """The loader of a layout that holds one trace: there is no episode to choose."""
    return lambda path, episode: load(path)


DESCRIPTIONS = {
    "dataclaw": "Our canonical GUI trace: a trace.json (or a folder holding one) with screenshots.",
    "screenagent": "ScreenAgent session folders: timestamped step JSON files with screenshots.",
    "miniwob": "MiniWoB++ demonstration JSON (states with DOM and actions, an utterance).",
    "agentnet": "AgentNet (OpenCUA) trajectories: JSONL, one task per line with pyautogui code per step (#episode=N).",
    "agentnetbench": "AgentNetBench (OpenCUA offline benchmark) task JSON with images/.",
    "agentnettool": "Raw AgentNetTool (OpenCUA annotator) recordings: metadata, reduced actions and the screen video.",
    "aitz": "Android-in-the-Zoo episode JSON with screenshots and UI elements.",
    "aitw": "Android-in-the-Wild TFRecord episodes (#episode=N).",
}

GUI_FORMATS = tuple(
    InputFormat(name=name, title=title, kind=SourceKind.gui_trace, priority=priority, takes=takes, sniff=sniff,
                load=load, describe=describe_trace, description=DESCRIPTIONS[name])
    for name, title, priority, takes, sniff, load in (
        ("dataclaw", "dataclaw trace.json", 10, "either", canonical.is_trace, _one_trace(canonical.load)),
        ("screenagent", "ScreenAgent", 20, "folder", screenagent.is_screenagent, _one_trace(screenagent.load)),
        ("miniwob", "MiniWoB++", 30, "file", miniwob.is_miniwob, _one_trace(miniwob.load)),
        ("agentnet", "AgentNet JSONL", 40, "file", agentnet.is_agentnet, agentnet.load),
        ("agentnetbench", "AgentNetBench JSON", 45, "file", agentnetbench.is_agentnetbench, _one_trace(agentnetbench.load)),
        ("agentnettool", "AgentNetTool recording", 47, "folder", agentnettool.is_agentnettool, _one_trace(agentnettool.load)),
        ("aitz", "AitZ", 50, "either", android.is_aitz, _one_trace(android.load_aitz)),
        ("aitw", "AitW TFRecord", 60, "file", android.is_aitw, android.load_aitw),
    )
)
"""The GUI trace layouts, in the order `detect` asks them (priority): specific layouts before general ones."""
