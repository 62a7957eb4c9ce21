"""Loader for raw AgentNetTool recordings (OpenCUA's annotator: one folder per task, a screen video beside
the event logs).

The folder holds `metadata.json` (screen_width/height, `video_start_timestamp` on the event clock),
`task_name.json`, `events.jsonl` (every pynput event), `reduced_events_complete.jsonl` (the events merged
into actions: the actions, one per line) and the screen recording (`*.mp4`). Mapping of each reduced
action: `click` -> click / right_click / double_click (`button`, "Double" in `description`) at
`coordinate`; `drag` -> drag from `coordinate` to the last `drag_trace` point; `scroll` -> scroll at the
first `trace` point, `amount` = its notches (sum of |dy|, |dx|), direction from the description's
arrows (e.g. "Scroll ⬇️×3"), else the sign of dy (negative = wheel down, as pynput reports it); `type` /
`write` -> type (`text`); `press` / `hotkey` -> key (`keys`). Other actions are left out with a
GuiTraceWarning. Coordinates are screen pixels (`metadata.json` screen size, the true screen; the video
may be scaled).

The annotator's words for each action (`reduced_events_vis.jsonl`, same lines: "Click on Power & sleep")
-> subtask. The element acted on: the one those words name ("Click on X" -> X), else the UI Automation
target the tool recorded (`target.title` when `mark`ed). The annotator's words come first because the
recorded target can be stale: in the published sample, after a display change, clicks on "Keep changes"
and "5 hours" carry the targets "Settings" (the window) and a taskbar button. The accessibility tree
captured with the action (`axtree`: Name, BoundingRectangle, Children) becomes the step's `elements`,
and gives the element its box when a node of that name holds the point.
`t` = the action's `start_time` - `video_start_timestamp`: its time in the video. Screenshots are video
frames, referenced as `<video>#t=<seconds>`: the frame just before the action (OpenCUA takes the screen
half a second before one), extracted when an extractor needs it (`GuiTrace.frames_in`). Platform desktop;
the system is `metadata.json`'s `system` ("Windows"; "Darwin" is macOS).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

from ...core.errors import InputError
from .trace import GuiAction, GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen, system_name

ACTIONS = "reduced_events_complete.jsonl"
DESCRIBED = "reduced_events_vis.jsonl"
BEFORE_S = 0.5
MAX_BYTES = 256 << 20
_ARROWS = {"⬇": "down", "⬆": "up", "⬅": "left", "➡": "right"}
_CLICK_ON = re.compile(r"^\s*(?:(?:left|right|double)[- ]?)?click(?:ed)?\s+(?:on\s+)?(?:the\s+)?(?P<name>\S.*?)[\s.]*$",
                       re.IGNORECASE)
MAX_TREE_NODES = 5000


def _clicked(words: str) -> str | None:
    """The element an annotator's "Click on X" names, or None."""
    m = _CLICK_ON.match(words)
    name = m.group("name")[:80] if m else None
    return name if name and name.casefold() not in ("on", "the", "it", "here", "there") else None


def _tree(node: object, out: list[GuiElement], depth: int = 0) -> list[GuiElement]:
    """Named accessibility nodes with a box on screen, depth first (bounded)."""
    if not isinstance(node, dict) or depth > 100 or len(out) >= MAX_TREE_NODES:
        return out
    name, rect = node.get("Name"), node.get("BoundingRectangle")
    if isinstance(name, str) and name.strip() and isinstance(rect, dict):
        box = [_number(rect.get(k)) for k in ("left", "top", "right", "bottom")]
        if None not in box and box[2] > box[0] and box[3] > box[1]:
            out.append(GuiElement(text=name.strip()[:200], bbox=box))
    children = node.get("Children")
    for child in children if isinstance(children, list) else []:
        _tree(child, out, depth + 1)
    return out


def _element(name: str | None, elements: list[GuiElement], x: float | None, y: float | None) -> GuiElement | None:
    """The named element, with the box of the smallest tree node of that name holding the point."""
    if not name:
        return None
    holding = [e for e in elements if e.text.casefold() == name.casefold() and x is not None and y is not None
               and e.bbox[0] <= x <= e.bbox[2] and e.bbox[1] <= y <= e.bbox[3]]
    best = min(holding, key=lambda e: (e.bbox[2] - e.bbox[0]) * (e.bbox[3] - e.bbox[1]), default=None)
    return GuiElement(text=name, bbox=best.bbox if best else None)


def is_agentnettool(path: Path) -> bool:
    return path.is_dir() and (path / "metadata.json").is_file() and (path / ACTIONS).is_file()


def _json(file: Path) -> object:
    try:
        if file.stat().st_size > MAX_BYTES:
            raise InputError(file, f"larger than {MAX_BYTES >> 20} MiB; not read")
        return json.loads(file.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(file, f"malformed JSON (truncated?): {exc}") from exc


def _lines(file: Path) -> list[dict]:
    if file.stat().st_size > MAX_BYTES:
        raise InputError(file, f"larger than {MAX_BYTES >> 20} MiB; not read")
    out = []
    for n, line in enumerate(file.read_bytes().decode("utf-8-sig", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(file, f"line {n} is not valid JSON (truncated?): {exc}") from exc
        if isinstance(record, dict):
            out.append(record)
    return out


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
        else None


def _point(value: object) -> tuple[float | None, float | None]:
    if isinstance(value, dict):
        return _number(value.get("x")), _number(value.get("y"))
    if isinstance(value, list | tuple) and len(value) >= 2:
        return _number(value[0]), _number(value[1])
    return None, None


def _scroll(event: dict) -> GuiAction:
    trace = [p for p in event.get("trace") or [] if isinstance(p, dict)]
    x, y = _point(trace[0]) if trace else _point(event.get("coordinate"))
    dy = sum(_number(p.get("dy")) or 0.0 for p in trace)
    dx = sum(_number(p.get("dx")) or 0.0 for p in trace)
    arrows = [d for arrow, d in _ARROWS.items() if arrow in str(event.get("description") or "")]
    if arrows:
        direction = arrows[0]
    elif abs(dy) >= abs(dx):
        direction = "down" if dy < 0 else "up"
    else:
        direction = "right" if dx > 0 else "left"
    notches = int(sum(abs(_number(p.get("dy")) or 0.0) + abs(_number(p.get("dx")) or 0.0) for p in trace))
    return GuiAction(type="scroll", x=x, y=y, direction=direction, amount=notches or None)


def _action(event: dict, where: str) -> GuiAction | None:
    kind = str(event.get("action") or "").lower()
    x, y = _point(event.get("coordinate"))
    description = str(event.get("description") or "")
    if kind in ("click", "mouse_press"):
        button = str(event.get("button") or "left")
        if button == "right":
            return GuiAction(type="right_click", x=x, y=y, button="right")
        double = "double" in description.lower() or event.get("click_type") == 2
        return GuiAction(type="double_click" if double else "click", x=x, y=y,
                         button="middle" if button == "middle" else "left")
    if kind == "drag":
        path = [p for p in event.get("drag_trace") or [] if isinstance(p, list | tuple | dict)]
        to_x, to_y = _point(path[-1]) if path else (None, None)
        return GuiAction(type="drag", x=x, y=y, to_x=to_x, to_y=to_y, button="left")
    if kind == "scroll":
        return _scroll(event)
    if kind in ("type", "write", "typing"):
        return GuiAction(type="type", text=str(event.get("text") or ""))
    if kind in ("press", "hotkey", "key"):
        keys = event.get("keys") or event.get("key") or event.get("name")
        keys = keys if isinstance(keys, list) else [keys] if keys else []
        return GuiAction(type="key", keys=[str(k) for k in keys]) if keys else None
    warnings.warn(f"{where}: action '{kind}' is not one we map; left out", GuiTraceWarning, stacklevel=3)
    return None


def load(folder: Path) -> GuiTrace:
    meta = _json(folder / "metadata.json")
    if not isinstance(meta, dict):
        raise InputError(folder / "metadata.json", "not a JSON object")
    width, height = meta.get("screen_width"), meta.get("screen_height")
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        raise InputError(folder / "metadata.json", f"no screen_width/screen_height (got {width!r}, {height!r})")
    start = _number(meta.get("video_start_timestamp"))
    videos = sorted(p.name for p in folder.glob("*.mp4") if p.is_file())
    if start is None and videos:
        raise InputError(folder / "metadata.json", "no numeric video_start_timestamp to place actions in the video")
    task_file = folder / "task_name.json"
    task = _json(task_file) if task_file.is_file() else {}
    actions = _lines(folder / ACTIONS)
    described = _lines(folder / DESCRIBED) if (folder / DESCRIBED).is_file() else []
    if len(described) != len(actions):
        described = [{}] * len(actions)  # OpenCUA's own pipeline drops a recording whose two files disagree
    steps = []
    for n, (event, seen) in enumerate(zip(actions, described), 1):
        action = _action(event, f"{folder / ACTIONS}:{n}")
        begin = _number(event.get("start_time"))
        if action is None:
            continue
        if begin is None:
            raise InputError(folder / ACTIONS, f"line {n}: no numeric start_time")
        t = begin - (start or begin)
        if t < 0:
            raise InputError(folder / ACTIONS, f"line {n}: action at {begin} precedes the video start {start}")
        shot = f"{videos[0]}#t={max(0.0, t - BEFORE_S):.3f}" if videos else None
        target = event.get("target") if isinstance(event.get("target"), dict) else {}
        title = target.get("title") if isinstance(target.get("title"), str) and target.get("mark") else None
        words = seen.get("action") if isinstance(seen.get("action"), str) else ""
        elements = _tree(event.get("axtree"), [])
        named = _clicked(words) if action.type in ("click", "double_click", "right_click") else None
        steps.append(GuiStep(t=round(t, 3), screenshot=shot, action=action,
                             element=_element(named or title, elements, action.x, action.y),
                             elements=elements or None, subtask=words if " " in words.strip() else None))
    text = task.get("task_name") if isinstance(task, dict) else None
    trace = GuiTrace(task=str(text or ""), platform="desktop", system=system_name(meta.get("system")),
                     screen=Screen(width=width, height=height), steps=steps, source_format="agentnettool")
    return trace.bind(folder, str(folder))
