"""The canonical GUI trace (`dataclaw.gui_trace/v1`) every GUI loader normalises into.

A trace is a task, a platform, a screen size and time-ordered steps; each step has the screenshot seen
before acting, one action, and optionally the element acted on. See tools/README.md for the file format.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

FORMAT = "dataclaw.gui_trace/v1"
FRAME_REF = re.compile(r"#t=(\d+(?:\.\d+)?)$")  # a screenshot that is a frame of a video: <video>#t=<seconds>
ActionType = Literal["click", "double_click", "right_click", "type", "key", "scroll", "drag", "wait", "done"]
Platform = Literal["web", "desktop", "android", "ios"]


SYSTEMS = {"windows": "Windows", "win": "Windows", "darwin": "macOS", "macos": "macOS", "mac": "macOS",
           "osx": "macOS", "linux": "Linux", "ubuntu": "Ubuntu", "android": "Android", "ios": "iOS"}


def system_name(value: object) -> str | None:
    """An operating system as a trace names it, spelled the usual way ("Darwin" -> "macOS"); None when it
    names none we know (a loader never guesses one)."""
    return SYSTEMS.get(value.strip().casefold()) if isinstance(value, str) else None


class GuiTraceWarning(UserWarning):
    """A trace was loaded with a documented fallback or a doubtful value kept as recorded (e.g. a point
    off the screen, a NaN coordinate dropped, a screen size assumed)."""


class Screen(BaseModel):
    width: int = Field(gt=0, le=100_000, description="Screen width in pixels.")
    height: int = Field(gt=0, le=100_000, description="Screen height in pixels.")
    assumed: bool | None = Field(default=None, description="The recording states no screen size; this is the "
                                 "loader's documented default (pixel coordinates are approximate).")


class GuiAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ActionType = Field(description="What the user did.")
    x: float | None = Field(default=None, description="Pixel x of the pointer (click, scroll, drag start).")
    y: float | None = Field(default=None, description="Pixel y of the pointer.")
    text: str | None = Field(default=None, description="Typed text (type).")
    keys: list[str] | None = Field(default=None, description="Pressed keys, a chord in order (key); modifier keys "
                                                             "held during a pointer action.")
    direction: Literal["up", "down", "left", "right"] | None = Field(
        default=None, description="Scroll direction: where the view moves (down = content further down comes into "
                                  "view, as a mouse wheel turned down or a finger swiped up).")
    amount: int | None = Field(default=None, description="Scroll repeat count (notches or scroll events), when known.")
    button: Literal["left", "right", "middle"] | None = Field(default=None, description="Mouse button.")
    to_x: float | None = Field(default=None, description="Drag end x in pixels.")
    to_y: float | None = Field(default=None, description="Drag end y in pixels.")


class GuiElement(BaseModel):
    text: str | None = Field(default=None, description="Visible text or accessible name of the element.")
    bbox: list[float] | None = Field(default=None, description="[x1, y1, x2, y2] in pixels.")


class GuiStep(BaseModel):
    t: float = Field(ge=0, allow_inf_nan=False, description="Seconds from the start of the trace.")
    screenshot: str | None = Field(default=None, description="Screenshot path relative to the trace folder, or a frame "
                                                             "of a screen recording there: `<video>#t=<seconds>`.")
    action: GuiAction = Field(description="The action taken in this step.")
    element: GuiElement | None = Field(default=None, description="The element acted on, when the trace knows it.")
    subtask: str | None = Field(default=None, description="Sub-task or plan text the recorder attached (context).")
    observation: str | None = Field(default=None, description="What the recorder or its annotator said was on screen "
                                                              "before the action, when the trace says.")
    elements: list[GuiElement] | None = Field(
        default=None, description="UI elements visible in this step (DOM / accessibility / detected), when known.")


class GuiTrace(BaseModel):
    format: Literal["dataclaw.gui_trace/v1"] = FORMAT
    task: str = Field(description="The task the user was doing, in words.")
    platform: Platform = Field(description="web, desktop, android or ios.")
    system: str | None = Field(default=None, max_length=40, description="The operating system as the trace names it "
                                                                         "(e.g. 'Windows', 'macOS', 'Ubuntu', 'Linux'), "
                                                                         "when it does.")
    screen: Screen = Field(description="Screen (or viewport) size in pixels.")
    steps: list[GuiStep] = Field(description="Time-ordered steps.")
    source_format: str = Field(default="dataclaw", description="Layout the trace was loaded from.")
    _root: Path = PrivateAttr(default=Path("."))
    _origin: str = PrivateAttr(default="")
    _frames: Path | None = PrivateAttr(default=None)
    _frame_files: dict[str, Path] | None = PrivateAttr(default=None)

    def screenshot_path(self, step: GuiStep) -> Path | None:
        """Absolute path of a step's screenshot, or None when it has none or the file is missing.

        A screenshot may be a frame of a screen recording, `<video>#t=<seconds>`: it has a file only once
        `frames_in` named a folder to extract the frames to (all of them in one ffmpeg call)."""
        if not step.screenshot:
            return None
        if FRAME_REF.search(step.screenshot):
            return self._frame(step.screenshot)
        path = self._root / step.screenshot
        return path if path.is_file() else None

    def frames_in(self, folder: Path) -> GuiTrace:
        """Extract screenshots that are video frames into `folder` when first needed."""
        self._frames, self._frame_files = folder, None
        return self

    def _frame(self, ref: str) -> Path | None:
        if self._frames is None:
            return None
        if self._frame_files is None:
            from ..video import grab_frames

            self._frame_files = {}
            refs = sorted({s.screenshot for s in self.steps if s.screenshot and FRAME_REF.search(s.screenshot)})
            by_video: dict[str, list[str]] = {}
            for r in refs:
                by_video.setdefault(FRAME_REF.sub("", r), []).append(r)
            for i, (video, group) in enumerate(by_video.items()):
                if (self._root / video).is_file():
                    times = [float(FRAME_REF.search(r).group(1)) for r in group]
                    files = grab_frames(self._root / video, times, self._frames, prefix=f"screen{i}", full=True)
                    self._frame_files.update(zip(group, files))
        return self._frame_files.get(ref)

    def bind(self, root: Path, origin: str) -> GuiTrace:
        """Attach the folder screenshots are relative to and the file the trace came from, then check points."""
        self._root = root
        self._origin = origin
        self._check_points()
        return self

    def _check_points(self) -> None:
        """Non-finite numbers are dropped and points off the screen kept, each with a GuiTraceWarning.

        A point is never moved: a click clamped to the screen edge would be a click on another element.
        NaN or infinity has no JSON form, so a coordinate pair or box holding one is dropped.
        """
        w, h = self.screen.width, self.screen.height
        for i, step in enumerate(self.steps):
            a = step.action
            for xk, yk in (("x", "y"), ("to_x", "to_y")):
                x, y = getattr(a, xk), getattr(a, yk)
                if x is None and y is None:
                    continue
                if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
                    self._warn(i, f"point ({xk}={x}, {yk}={y}) is not a pair of finite numbers; dropped")
                    setattr(a, xk, None)
                    setattr(a, yk, None)
                elif not (0 <= x <= w and 0 <= y <= h):
                    self._warn(i, f"point ({x}, {y}) is off the {w}x{h} screen; kept as recorded")
            for element in [step.element, *(step.elements or [])]:
                if element is not None and element.bbox is not None and (
                        len(element.bbox) != 4 or not all(math.isfinite(v) for v in element.bbox)):
                    self._warn(i, f"element box {element.bbox} is not 4 finite numbers; dropped")
                    element.bbox = None

    def _warn(self, step: int, problem: str) -> None:
        warnings.warn(f"{self._origin}: step {step}: {problem}", GuiTraceWarning, stacklevel=4)

    def to_file(self, path: str | Path) -> None:
        Path(path).write_text(self.model_dump_json(indent=1, exclude_none=True))
