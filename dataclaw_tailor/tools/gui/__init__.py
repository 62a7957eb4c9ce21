"""GUI traces: loaders for known layouts into the canonical GuiTrace, and their anchors."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import InputError, UnsupportedFormat
from . import canonical, screenagent
from .trace import FORMAT, GuiAction, GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen

__all__ = ["FORMAT", "GuiAction", "GuiElement", "GuiStep", "GuiTrace", "GuiTraceWarning", "Screen", "load_trace",
           "sniff_trace"]


def sniff_trace(path: Path) -> str | None:
    """The GUI layout at `path` ('dataclaw', 'screenagent', ...) judged by content, or None."""
    if canonical.trace_file(path):
        return "dataclaw"
    if screenagent.is_screenagent(path):
        return "screenagent"
    return None


_LOADERS = {"dataclaw": canonical.load, "screenagent": screenagent.load}


def load_trace(path: str | Path) -> GuiTrace:
    """Load any known GUI trace layout into the canonical GuiTrace (errors name the file and problem)."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file or folder")
    fmt = sniff_trace(p)
    if fmt is None:
        raise UnsupportedFormat(p, "not a GUI trace layout we know (dataclaw trace.json, ScreenAgent, MiniWoB++, "
                                   "AitW/AitZ, AgentNet JSONL)")
    return _LOADERS[fmt](p)
