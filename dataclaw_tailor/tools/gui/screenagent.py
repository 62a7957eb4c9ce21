"""Loader for ScreenAgent sessions (one `<timestamp>_translate.json` per step plus images/).

Mapping: the executed trajectory is the `*_translate.json` files in timestamp order (the `_neg_plan` /
`_neg_eval` variants are deliberately wrong and skipped). MouseAction click/double_click/right_click ->
that action at `mouse_position` {width: x, height: y}; scroll_up/scroll_down -> scroll with `amount` =
`scroll_repeat`; KeyboardAction text -> type, press -> key. PlanAction and EvaluateSubTaskAction are not
actions: the current sub-task text becomes each step's `subtask`. A file's actions share its timestamp
and screenshot (the screen the agent saw before acting). System: the one the session's prompt names
("You are familiar with the Linux operating system", `send_prompt_en`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

from ...core.errors import InputError
from ..files import read_json
from .trace import GuiAction, GuiStep, GuiTrace, Screen, system_name

MAX_STEP_BYTES = 64 << 20
_SYSTEM = re.compile(r"familiar with the (\w+) operating system", re.IGNORECASE)
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}-\d{6})_translate\.json$")


def step_files(folder: Path) -> list[tuple[datetime, Path]]:
    found = []
    for p in folder.iterdir():
        if m := _NAME.match(p.name):
            found.append((datetime.strptime(m.group(1), "%Y-%m-%d_%H-%M-%S-%f"), p))
    return sorted(found)


def is_screenagent(path: Path) -> bool:
    return path.is_dir() and bool(step_files(path))


def _count(value: object) -> int:
    """A whole number from the JSON (a repeat count, a screen side); 0 when it is none (NaN, text, 1e308)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0
    return int(value) if 0 <= value <= 1_000_000 else 0


def _action(raw: object, file: Path) -> GuiAction | None:
    if not isinstance(raw, dict):
        raise InputError(file, f"an action is a JSON {type(raw).__name__}, not an object")
    kind = raw.get("action_type")
    if kind == "MouseAction":
        mtype = raw.get("mouse_action_type", "")
        pos = raw.get("mouse_position")
        pos = pos if isinstance(pos, dict) else {}
        x, y = pos.get("width"), pos.get("height")
        if mtype in ("click", "double_click", "right_click"):
            if x is None or y is None:
                raise InputError(file, f"MouseAction {mtype} without mouse_position")
            return GuiAction(type=mtype, x=x, y=y, button="right" if mtype == "right_click" else raw.get(
                "mouse_button", "left"))
        if mtype in ("scroll_up", "scroll_down"):
            return GuiAction(type="scroll", x=x, y=y, direction=mtype.split("_")[1],
                             amount=_count(raw.get("scroll_repeat")) or 1)
        if mtype == "move":
            return None
        raise InputError(file, f"unknown MouseAction type '{mtype}'")
    if kind == "KeyboardAction":
        ktype = raw.get("keyboard_action_type")
        if ktype == "text":
            return GuiAction(type="type", text=raw.get("keyboard_text", ""))
        if ktype == "press":
            key = raw.get("keyboard_key", "")
            if not isinstance(key, str):
                raise InputError(file, f"KeyboardAction press with keyboard_key {str(key)[:40]!r}, not a key name")
            return GuiAction(type="key", keys=[k for k in re.split(r"[+ ]", key) if k] or [key])
        raise InputError(file, f"unknown KeyboardAction type '{ktype}'")
    if kind == "WaitAction":
        return GuiAction(type="wait")
    return None


def load(folder: Path) -> GuiTrace:
    files = step_files(folder)
    if not files:
        raise InputError(folder, "no ScreenAgent *_translate.json step files")
    t0 = files[0][0]
    steps: list[GuiStep] = []
    task, width, height, system = "", 0, 0, None
    for stamp, file in files:
        data = read_json(file, "ScreenAgent step JSON", MAX_STEP_BYTES)
        if not isinstance(data, dict):
            raise InputError(file, f"ScreenAgent step JSON is a {type(data).__name__}, not an object")
        task = task or data.get("task_prompt_en") or data.get("task_prompt", "")
        width, height = width or _count(data.get("video_width")), height or _count(data.get("video_height"))
        prompt = data.get("send_prompt_en")
        if system is None and isinstance(prompt, str) and (m := _SYSTEM.search(prompt[:4096])):
            system = system_name(m.group(1))
        image = data.get("saved_image_name")
        shot = f"images/{image}" if image else None
        actions = data.get("actions")
        for raw in actions if isinstance(actions, list) else []:
            action = _action(raw, file)
            if action is not None:
                steps.append(GuiStep(t=round((stamp - t0).total_seconds(), 3), screenshot=shot, action=action,
                                     subtask=data.get("current_task")))
    if not width or not height:
        raise InputError(folder, "ScreenAgent steps carry no video_width/video_height")
    trace = GuiTrace(task=task, platform="desktop", system=system, screen=Screen(width=width, height=height),
                     steps=steps, source_format="screenagent")
    return trace.bind(folder, str(folder))
