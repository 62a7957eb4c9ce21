"""GUI trace formats: our canonical trace.json, ScreenAgent, MiniWoB++, AgentNet, AgentNetBench, AgentNetTool,
AitZ and AitW.

All load into the canonical `GuiTrace` (loaders in `tools/gui/`) and are described alike.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ...core.source import GuiTraceMeta, Source, SourceKind
from ..gui import agentnet, agentnetbench, agentnettool, android, canonical, miniwob, screenagent
from ..gui.trace import GuiTrace
from ..hashing import content_hash, sources_hash
from ..robot.episode import split_episode
from .spec import InputFormat


def describe_trace(fmt: InputFormat, given: str, path: Path) -> Source:
    """Screen size, steps, duration, platform and task of the trace. The hash covers the screenshots
    (beside a trace file, or inside its folder) and a `#episode=N` suffix."""
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
                                    duration_s=duration, platform=trace.platform, task=trace.task))


def _gui(name: str, title: str, priority: int, takes, sniff, load, description: str) -> InputFormat:
    return InputFormat(name=name, title=title, kind=SourceKind.gui_trace, priority=priority, takes=takes,
                       sniff=sniff, load=load, describe=describe_trace, description=description)


DATACLAW = _gui("dataclaw", "dataclaw trace.json", 10, "either", lambda p: canonical.trace_file(p) is not None,
                lambda p, episode: canonical.load(p),
                "Our canonical GUI trace: a trace.json (or a folder holding one) with screenshots.")
SCREENAGENT = _gui("screenagent", "ScreenAgent", 20, "folder", screenagent.is_screenagent,
                   lambda p, episode: screenagent.load(p),
                   "ScreenAgent session folders: timestamped step JSON files with screenshots.")
MINIWOB = _gui("miniwob", "MiniWoB++", 30, "file", miniwob.is_miniwob, lambda p, episode: miniwob.load(p),
               "MiniWoB++ demonstration JSON (states with DOM and actions, an utterance).")
AGENTNET = _gui("agentnet", "AgentNet JSONL", 40, "file", agentnet.is_agentnet, agentnet.load,
                "AgentNet (OpenCUA) trajectories: JSONL, one task per line with pyautogui code per step (#episode=N).")
AGENTNETBENCH = _gui("agentnetbench", "AgentNetBench JSON", 45, "file", agentnetbench.is_agentnetbench,
                     lambda p, episode: agentnetbench.load(p),
                     "AgentNetBench (OpenCUA offline benchmark) task JSON with images/.")
AGENTNETTOOL = _gui("agentnettool", "AgentNetTool recording", 47, "folder", agentnettool.is_agentnettool,
                    lambda p, episode: agentnettool.load(p),
                    "Raw AgentNetTool (OpenCUA annotator) recordings: metadata, reduced actions and the screen video.")
AITZ = _gui("aitz", "AitZ", 50, "either", android.is_aitz, lambda p, episode: android.load_aitz(p),
            "Android-in-the-Zoo episode JSON with screenshots and UI elements.")
AITW = _gui("aitw", "AitW TFRecord", 60, "file", android.is_aitw, android.load_aitw,
            "Android-in-the-Wild TFRecord episodes (#episode=N).")
