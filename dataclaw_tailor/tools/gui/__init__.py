"""GUI traces: loaders for known layouts into the canonical GuiTrace, and their anchors."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import InputError, UnsupportedFormat
from . import agentnet, agentnetbench, android, canonical, miniwob, screenagent
from .trace import FORMAT, GuiAction, GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen

__all__ = ["FORMAT", "GuiAction", "GuiElement", "GuiStep", "GuiTrace", "GuiTraceWarning", "Screen", "load_trace",
           "sniff_trace"]


def sniff_trace(path: Path) -> str | None:
    """The GUI layout at `path` ('dataclaw', 'screenagent', 'miniwob', 'aitw', 'aitz', 'agentnet',
    'agentnetbench') or None."""
    if canonical.trace_file(path):
        return "dataclaw"
    if screenagent.is_screenagent(path):
        return "screenagent"
    if miniwob.is_miniwob(path):
        return "miniwob"
    if agentnet.is_agentnet(path):
        return "agentnet"
    if agentnetbench.is_agentnetbench(path):
        return "agentnetbench"
    if android.is_aitz(path):
        return "aitz"
    if android.is_aitw(path):
        return "aitw"
    return None


def load_trace(path: str | Path) -> GuiTrace:
    """Load any known GUI trace layout into the canonical GuiTrace (errors name the file and problem).

    Multi-episode files (AitW TFRecord, AgentNet JSONL) take a `#episode=N` suffix.
    """
    from ..robot.episode import split_episode

    p, episode = split_episode(path)
    if not p.exists():
        raise InputError(p, "no such file or folder")
    fmt = sniff_trace(p)
    if fmt is None:
        raise UnsupportedFormat(p, "not a GUI trace layout we know (dataclaw trace.json, ScreenAgent, MiniWoB++, "
                                   "AitW/AitZ, AgentNet JSONL, AgentNetBench JSON)")
    if fmt == "aitw":
        return android.load_aitw(p, episode)
    if fmt == "agentnet":
        return agentnet.load(p, episode)
    return {"dataclaw": canonical.load, "screenagent": screenagent.load, "miniwob": miniwob.load,
            "aitz": android.load_aitz, "agentnetbench": agentnetbench.load}[fmt](p)
