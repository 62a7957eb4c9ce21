"""The canonical GUI trace (`dataclaw.gui_trace/v1`) every GUI loader normalises into.

A trace is a task, a platform, a screen size and time-ordered steps; each step has the screenshot seen
before acting, one action, and optionally the element acted on. See tools/README.md for the file format.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

FORMAT = "dataclaw.gui_trace/v1"
ActionType = Literal["click", "double_click", "right_click", "type", "key", "scroll", "drag", "wait", "done"]
Platform = Literal["web", "desktop", "android", "ios"]


class GuiTraceWarning(UserWarning):
    """A trace was loaded with a documented fallback (e.g. an off-screen point clamped to the screen)."""


class Screen(BaseModel):
    width: int = Field(gt=0, description="Screen width in pixels.")
    height: int = Field(gt=0, description="Screen height in pixels.")


class GuiAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ActionType = Field(description="What the user did.")
    x: float | None = Field(default=None, description="Pixel x of the pointer (click, scroll, drag start).")
    y: float | None = Field(default=None, description="Pixel y of the pointer.")
    text: str | None = Field(default=None, description="Typed text (type).")
    keys: list[str] | None = Field(default=None, description="Pressed keys, a chord in order (key).")
    direction: Literal["up", "down", "left", "right"] | None = Field(default=None, description="Scroll direction.")
    amount: int | None = Field(default=None, description="Scroll repeat count, when known.")
    button: Literal["left", "right", "middle"] | None = Field(default=None, description="Mouse button.")
    to_x: float | None = Field(default=None, description="Drag end x in pixels.")
    to_y: float | None = Field(default=None, description="Drag end y in pixels.")


class GuiElement(BaseModel):
    text: str | None = Field(default=None, description="Visible text or accessible name of the element.")
    bbox: list[float] | None = Field(default=None, description="[x1, y1, x2, y2] in pixels.")


class GuiStep(BaseModel):
    t: float = Field(ge=0, description="Seconds from the start of the trace.")
    screenshot: str | None = Field(default=None, description="Screenshot path relative to the trace folder.")
    action: GuiAction = Field(description="The action taken in this step.")
    element: GuiElement | None = Field(default=None, description="The element acted on, when the trace knows it.")
    subtask: str | None = Field(default=None, description="Sub-task or plan text the recorder attached (context).")
    elements: list[GuiElement] | None = Field(
        default=None, description="UI elements visible in this step (DOM / accessibility / detected), when known.")


class GuiTrace(BaseModel):
    format: Literal["dataclaw.gui_trace/v1"] = FORMAT
    task: str = Field(description="The task the user was doing, in words.")
    platform: Platform = Field(description="web, desktop, android or ios.")
    screen: Screen = Field(description="Screen (or viewport) size in pixels.")
    steps: list[GuiStep] = Field(description="Time-ordered steps.")
    source_format: str = Field(default="dataclaw", description="Layout the trace was loaded from.")
    _root: Path = PrivateAttr(default=Path("."))
    _origin: str = PrivateAttr(default="")

    def screenshot_path(self, step: GuiStep) -> Path | None:
        """Absolute path of a step's screenshot, or None when it has none or the file is missing."""
        if not step.screenshot:
            return None
        path = self._root / step.screenshot
        return path if path.is_file() else None

    def bind(self, root: Path, origin: str) -> GuiTrace:
        """Attach the folder screenshots are relative to and the file the trace came from, then check points."""
        self._root = root
        self._origin = origin
        self._clamp_points()
        return self

    def _clamp_points(self) -> None:
        """Off-screen pointer coordinates are clamped to the screen edge with a GuiTraceWarning (documented)."""
        w, h = self.screen.width, self.screen.height
        for i, step in enumerate(self.steps):
            a = step.action
            for xk, yk in (("x", "y"), ("to_x", "to_y")):
                x, y = getattr(a, xk), getattr(a, yk)
                if x is None or y is None:
                    continue
                cx, cy = min(max(x, 0.0), w - 1.0), min(max(y, 0.0), h - 1.0)
                if (cx, cy) != (x, y):
                    warnings.warn(f"{self._origin}: step {i}: point ({x}, {y}) is off the {w}x{h} screen; "
                                  f"clamped to ({cx}, {cy})", GuiTraceWarning, stacklevel=3)
                    setattr(a, xk, cx)
                    setattr(a, yk, cy)

    def to_file(self, path: str | Path) -> None:
        Path(path).write_text(self.model_dump_json(indent=1, exclude_none=True))
