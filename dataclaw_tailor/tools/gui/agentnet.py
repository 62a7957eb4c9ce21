"""Loader for OpenCUA / AgentNet-style JSONL: one task per line, steps carrying pyautogui code.

Mapping: `instruction` (else `natural_language_task`, `task`) -> task; `traj[i].value.code` is parsed
with `ast` (never executed): click / doubleClick / rightClick / tripleClick(x, y) -> click kinds;
dragTo(x, y) -> drag from the last pointer position; write / typewrite(text) -> type; press(key) and
hotkey(k1, k2, ...) -> key; scroll(n) / hscroll(n) -> scroll (n > 0 up / right, at x, y when given, else
at the pointer); terminate -> done; wait / sleep -> wait; moveTo only moves the pointer. Coordinates in
[0, 1] are fractions of the screenshot the step was taken on (OpenCUA normalises by the recorded screen,
and the screenshots are that screen scaled), so pixels = fraction x screenshot size.
Screenshots: `traj[i].image` beside the file or in its `images/` folder (OpenCUA's layout). Screen size:
the first screenshot's size, else the line's `width`/`height`, else 1920x1080 with a GuiTraceWarning.
`t` = the step's `index` (AgentNet records no times). `traj[i].value.thought` -> subtask. Select a line
with `#episode=N` (default 0). System: a line's `os` / `system` when it names one, else the one system
the file name names (AgentNet ships `agentnet_ubuntu_5k.jsonl`; `agentnet_win_mac_18k.jsonl` names two,
so none).
"""

from __future__ import annotations

import ast
import json
import math
import re
import warnings
from pathlib import Path

from ...core.errors import InputError
from .. import files
from .trace import GuiAction, GuiStep, GuiTrace, GuiTraceWarning, Screen, system_name


def is_agentnet(path: Path) -> bool:
    if not path.is_file() or path.suffix != ".jsonl":
        return False
    try:
        with path.open("rb") as fh:
            line = fh.readline(MAX_LINE_BYTES)
    except OSError:
        return False
    try:
        first = json.loads(line)
    except (ValueError, RecursionError) as exc:  # not JSON, too deep, a 5,000-digit number
        if b'"traj"' in line[:1 << 16]:
            raise InputError(path, f"AgentNet JSONL whose line 1 is cut short or corrupt ({str(exc)[:200]})") from None
        return False
    return isinstance(first, dict) and isinstance(first.get("traj"), list)


MAX_CODE_CHARS = 100_000
MAX_LINE_BYTES = 64 << 20
MAX_FILE_BYTES = 256 << 20


def _const(node: ast.AST) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None


def parse_code(code: str, w: int, h: int, last: list[float | None], where: str) -> list[GuiAction]:
    """Actions from a pyautogui snippet; `last` carries the pointer position between calls."""
    if len(code) > MAX_CODE_CHARS:
        raise InputError(where, f"action code of {len(code)} characters (more than {MAX_CODE_CHARS}); not parsed")
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise InputError(where, f"unparseable action code {code!r}: {exc.msg}") from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise InputError(where, f"unparseable action code ({type(exc).__name__}: nested too deeply or "
                                f"invalid)") from exc
    actions = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        args = [_const(a) for a in node.args]
        kw = {k.arg: _const(k.value) for k in node.keywords if k.arg}

        def point() -> tuple[float | None, float | None]:
            x, y = kw.get("x", args[0] if args else None), kw.get("y", args[1] if len(args) > 1 else None)
            if isinstance(x, int | float) and isinstance(y, int | float) and math.isfinite(x) and math.isfinite(y):
                if 0 <= x <= 1 and 0 <= y <= 1:
                    x, y = x * w, y * h
                last[:] = [round(float(x), 1), round(float(y), 1)]
                return last[0], last[1]
            return last[0], last[1]

        if name in ("scroll", "hscroll") and ("x" in kw or len(args) >= 3):
            kw.setdefault("x", args[1] if len(args) > 1 else None)
            kw.setdefault("y", args[2] if len(args) > 2 else None)
            args = args[:1]
            point()
        if name in ("click", "doubleClick", "rightClick", "tripleClick", "leftClick"):
            x, y = point()
            kind = {"doubleClick": "double_click", "rightClick": "right_click"}.get(name, "click")
            actions.append(GuiAction(type=kind, x=x, y=y, button="right" if kind == "right_click" else "left"))
        elif name == "moveTo":
            point()
        elif name == "dragTo":
            sx, sy = last[0], last[1]
            x, y = point()
            actions.append(GuiAction(type="drag", x=sx, y=sy, to_x=x, to_y=y))
        elif name in ("write", "typewrite"):
            text = kw.get("message", args[0] if args else "")
            actions.append(GuiAction(type="type", text="".join(text) if isinstance(text, list) else str(text)))
        elif name in ("press", "hotkey"):
            keys = kw.get("keys", args if name == "hotkey" else args[0] if args else [])
            keys = keys if isinstance(keys, list) else [keys]
            actions.append(GuiAction(type="key", keys=[str(k) for k in keys]))
        elif name in ("scroll", "hscroll"):
            amount = kw.get("clicks", args[0] if args else 0) or 0
            amount = amount if isinstance(amount, int | float) and math.isfinite(amount) else 0
            horizontal = name == "hscroll"
            direction = ("right" if amount > 0 else "left") if horizontal else ("up" if amount > 0 else "down")
            actions.append(GuiAction(type="scroll", x=last[0], y=last[1], direction=direction, amount=abs(int(amount))))
        elif name == "terminate":
            actions.append(GuiAction(type="done"))
        elif name in ("wait", "sleep"):
            actions.append(GuiAction(type="wait"))
    return actions


def screenshot(root: Path, name: object) -> str | None:
    """A step's screenshot path relative to `root`: beside the file, else in `images/` (OpenCUA's layout)."""
    if not isinstance(name, str) or not name:
        return None
    for rel in (name, f"images/{name}"):
        if (root / rel).is_file():
            return rel
    return None


def image_size(path: Path) -> tuple[int, int]:
    return files.image_size(path, "screenshot")


def _system(task: dict, path: Path) -> str | None:
    for key in ("os", "system"):
        if named := system_name(task.get(key)):
            return named
    named = {n for word in re.split(r"[\W_]+", path.stem) if (n := system_name(word))}
    return named.pop() if len(named) == 1 else None


def load(path: Path, episode: int | None = None) -> GuiTrace:
    lines = [ln for ln in files.read_bytes(path, "AgentNet JSONL", MAX_FILE_BYTES).decode("utf-8", "replace").splitlines()
             if ln.strip()]
    index = episode or 0
    if index >= len(lines):
        raise InputError(path, f"episode {index} not found (the file holds {len(lines)} lines)")
    task = files.parse_json(lines[index], path, "AgentNet JSONL", f"line {index + 1}")
    if not isinstance(task, dict) or not isinstance(task.get("traj"), list):
        raise InputError(path, f"line {index + 1} is not an AgentNet task (no 'traj' list)")
    traj = [s for s in task["traj"] if isinstance(s, dict)]
    root = path.parent
    shots = [screenshot(root, s.get("image")) for s in traj]
    first = next((s for s in shots if s), None)
    assumed = False
    if first:
        w, h = image_size(root / first)
    elif isinstance(task.get("width"), int) and isinstance(task.get("height"), int) and task["width"] > 0 \
            and task["height"] > 0:
        w, h = task["width"], task["height"]
    else:
        w, h, assumed = 1920, 1080, True
        warnings.warn(f"{path}: line {index + 1} has no screenshots or screen size; assuming 1920x1080",
                      GuiTraceWarning, stacklevel=2)
    last: list[float | None] = [None, None]
    steps = []
    for i, (step, shot) in enumerate(zip(traj, shots)):
        value = step.get("value") if isinstance(step.get("value"), dict) else {}
        number = step.get("index")
        t = float(number) if isinstance(number, int) and number >= 0 else float(i)
        thought = value.get("thought") if isinstance(value.get("thought"), str) else None
        for action in parse_code(str(value.get("code") or ""), w, h, last, f"{path}:{index + 1}: step {i}"):
            steps.append(GuiStep(t=t, screenshot=shot, action=action, subtask=thought))
    text = task.get("instruction") or task.get("natural_language_task") or task.get("task") or ""
    trace = GuiTrace(task=str(text), platform="desktop", system=_system(task, path),
                     screen=Screen(width=w, height=h, assumed=assumed or None),
                     steps=steps, source_format="agentnet")
    return trace.bind(root, str(path))
