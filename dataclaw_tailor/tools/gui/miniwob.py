"""Loader for MiniWoB++ human demonstrations (`<task>_<stamp>.json`, possibly gzipped).

Mapping: `utterance` -> task; each `states[i].action` is a raw browser event. `click` -> click and
`dblclick` -> double_click at (x, y) (a mousedown/mouseup pair stands in when a demo has no click
events: a pair more than 5 px apart is a drag); runs of `keypress` characters -> one `type` step;
`keydown` of Enter/Tab/Backspace/Escape/arrows -> `key`; `scroll` -> scroll by the sign of deltaY.
`t` = (event time - first state time) / 1000. The state's DOM (`dom` tree with left/top/width/height
and text) becomes the step's `elements`, so the clicked element comes from the DOM, not OCR. There are
no screenshots. The screen is the 160x210 MiniWoB canvas.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ...core.errors import InputError
from .trace import GuiAction, GuiElement, GuiStep, GuiTrace, Screen

KEYS = {13: "Enter", 9: "Tab", 8: "Backspace", 27: "Escape", 37: "Left", 38: "Up", 39: "Right", 40: "Down"}


def read_json(path: Path) -> object:
    raw = path.read_bytes()
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, EOFError) as exc:
        raise InputError(path, f"malformed JSON: {exc}") from exc


def is_miniwob(path: Path) -> bool:
    if not path.is_file() or not (path.name.endswith(".json") or path.name.endswith(".json.gz")):
        return False
    try:
        data = read_json(path)
    except InputError:
        return False
    return isinstance(data, dict) and "states" in data and "utterance" in data


def _elements(node: dict | None, out: list[GuiElement]) -> list[GuiElement]:
    if not isinstance(node, dict):
        return out
    try:
        x, y, w, h = (float(node[k]) for k in ("left", "top", "width", "height"))
    except (KeyError, TypeError, ValueError):
        x = y = w = h = None
    raw = node.get("text") or node.get("value") or ""
    text = raw.strip() if isinstance(raw, str) else ""
    if x is not None and w and h and (text or node.get("tag") in ("button", "input", "a", "select", "textarea")):
        out.append(GuiElement(text=text or node.get("tag"), bbox=[x, y, x + w, y + h]))
    for child in node.get("children") or []:
        _elements(child, out)
    return out


def load(path: Path) -> GuiTrace:
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("states"), list):
        raise InputError(path, "MiniWoB demo has no 'states' list")
    states = [s for s in data["states"] if isinstance(s, dict)]
    if not states:
        raise InputError(path, "MiniWoB demo has no states")
    t0 = float(states[0].get("time") or 0)
    has_click = any((s.get("action") or {}).get("type") == "click" for s in states)
    steps: list[GuiStep] = []
    typed: list[str] = []
    typed_at: tuple[float, list[GuiElement] | None] | None = None
    down: dict | None = None

    def flush() -> None:
        nonlocal typed, typed_at
        if typed and typed_at is not None:
            steps.append(GuiStep(t=typed_at[0], action=GuiAction(type="type", text="".join(typed)),
                                 elements=typed_at[1]))
        typed, typed_at = [], None

    for state in states:
        act = state.get("action")
        if not isinstance(act, dict):
            continue
        kind = act.get("type")
        t = round(max(0.0, (float(state.get("time") or t0) - t0) / 1000), 3)
        elements = _elements(state.get("dom"), []) or None
        if kind == "keypress" and act.get("charCode"):
            typed.append(chr(int(act["charCode"])))
            typed_at = typed_at or (t, elements)
            continue
        if kind in ("keyup", "keypress", "mousemove"):
            continue
        flush()
        x, y = act.get("x"), act.get("y")
        if kind == "click" or kind == "dblclick":
            steps.append(GuiStep(t=t, action=GuiAction(type="click" if kind == "click" else "double_click", x=x, y=y,
                                                       button="left"), elements=elements))
        elif kind == "mousedown" and not has_click:
            down = {"t": t, "x": x, "y": y, "elements": elements}
        elif kind == "mouseup" and not has_click and down is not None:
            moved = abs((x or 0) - (down["x"] or 0)) + abs((y or 0) - (down["y"] or 0)) > 5
            action = GuiAction(type="drag", x=down["x"], y=down["y"], to_x=x, to_y=y) if moved else \
                GuiAction(type="click", x=down["x"], y=down["y"], button="left")
            steps.append(GuiStep(t=down["t"], action=action, elements=down["elements"]))
            down = None
        elif kind == "keydown" and int(act.get("keyCode") or 0) in KEYS:
            steps.append(GuiStep(t=t, action=GuiAction(type="key", keys=[KEYS[int(act["keyCode"])]]),
                                 elements=elements))
        elif kind == "scroll":
            delta = float(act.get("deltaY") or act.get("dy") or 0)
            steps.append(GuiStep(t=t, action=GuiAction(type="scroll", x=x, y=y, direction="down" if delta >= 0
                                                       else "up"), elements=elements))
    flush()
    trace = GuiTrace(task=str(data.get("utterance") or data.get("taskName") or ""), platform="web",
                     screen=Screen(width=160, height=210), steps=steps, source_format="miniwob")
    return trace.bind(path.parent, str(path))
