"""GUI traces: loaders for known layouts into the canonical GuiTrace, and their anchors.

Each layout is a registered input format of kind `gui_trace` (declared in `tools/formats/gui.py`, which
also holds `load_trace`, the loader for any of them).
"""

from .trace import FORMAT, GuiAction, GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen

__all__ = ["FORMAT", "GuiAction", "GuiElement", "GuiStep", "GuiTrace", "GuiTraceWarning", "Screen"]
