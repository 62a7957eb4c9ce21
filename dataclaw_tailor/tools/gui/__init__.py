"""GUI traces: loaders for known layouts into the canonical GuiTrace, and their anchors.

Each layout is a registered input format of kind `gui_trace` (declared in `tools/formats/gui.py`).
"""

from __future__ import annotations

from pathlib import Path

from ...core.errors import InputError, UnsupportedFormat
from ...core.source import SourceKind
from .trace import FORMAT, GuiAction, GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen

__all__ = ["FORMAT", "GuiAction", "GuiElement", "GuiStep", "GuiTrace", "GuiTraceWarning", "Screen", "load_trace",
           "sniff_trace"]


def sniff_trace(path: Path) -> str | None:
    """The GUI layout at `path` ('dataclaw', 'screenagent', 'miniwob', 'agentnet', 'agentnetbench', 'aitz', 'aitw',
    or another registered GUI format) or None."""
    from ..formats import sniff

    fmt = sniff(path, SourceKind.gui_trace)
    return fmt.name if fmt else None


def load_trace(path: str | Path) -> GuiTrace:
    """Load any known GUI trace layout into the canonical GuiTrace (errors name the file and problem).

    Multi-episode files (AitW TFRecord, AgentNet JSONL) take a `#episode=N` suffix.
    """
    from ..formats import sniff, titles
    from ..robot.episode import split_episode

    p, episode = split_episode(path)
    if not p.exists():
        raise InputError(p, "no such file or folder")
    fmt = sniff(p, SourceKind.gui_trace)
    if fmt is None:
        raise UnsupportedFormat(p, f"not a GUI trace layout we know ({titles(SourceKind.gui_trace)})")
    return fmt.load(p, episode)
