"""Loader for MiniWoB++ human demonstrations (`<task>_<stamp>.json`, possibly gzipped).

A demo is `utterance` (-> task) and `states[]`, each `{time ms, action, dom}`, where `action` is one raw
browser event. Browsers report one user action as several events, and the recorder stored most of them
twice, so events are folded into actions (one user action = one step):

- Each event is recorded in the capture phase (`timing` 1) and again in the bubble phase (`timing` 3);
  a timing-3 event that repeats a timing-1 event is dropped (some `scroll` events exist only once).
- `mousedown` ... `mouseup` (+ `click`) is one press: a click, or a drag when the pointer moved more than
  DRAG_PX between down and up. A `click` with no press recorded is a click; `dblclick` turns the two
  clicks before it into one double_click. Modifier keys held during a press are its `keys`.
- `scroll` events during a press, or just after it (a scrollbar arrow scrolls again on release), belong
  to that press: a press that scrolled without moving is a `scroll` at the press point (a scrollbar
  arrow or track); a drag that scrolled is a drag (the scrollbar thumb). Other scroll bursts are one
  `scroll` each. `amount` is the number of scroll events, and `direction` comes from the DOM: element
  boxes moving up between the states around the action mean the view scrolled down.
- Printable `keypress` characters are typed into the focused field: one `type` step per field, ended
  by a click, Tab, Enter or any other action; Backspace edits the pending text. Enter, Tab, Escape,
  arrows, Delete and chords with Ctrl/Alt/Meta are `key` steps.

`t` = (event time - first state time) / 1000. The state's DOM (`dom` tree with left/top/width/height
and text) becomes the step's `elements`. The recorder marks the node an event went to
(`recordingTarget`): that node is the pointer step's `element`, named by its own text, else its label
(an enclosing or sibling LABEL), else the text beside it in its parent (an icon's caption), else its id,
else its kind ("text field"). So the clicked element comes from the DOM, never OCR. There are
no screenshots. The screen is the page: the DOM root's box, which holds every recorded point (the task
canvas is only its top-left 160x210).
"""

from __future__ import annotations

import json
import math
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ...core.errors import InputError
from .. import files
from .trace import GuiAction, GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen

KEYS = {13: "Enter", 9: "Tab", 27: "Escape", 37: "Left", 38: "Up", 39: "Right", 40: "Down", 46: "Delete",
        33: "PageUp", 34: "PageDown", 35: "End", 36: "Home"}
BACKSPACE = 8
MODIFIERS = {16: "Shift", 17: "Control", 18: "Alt", 91: "Meta", 92: "Meta", 93: "Meta", 224: "Meta"}
DRAG_PX = 5.0
SCROLL_AFTER_RELEASE_MS = 150.0
SCROLL_BURST_MS = 300.0
DOUBLE_CLICK_MS = 600.0
CANVAS = (160, 210)
MAX_PAGE_PX = 100_000
MAX_DEMO_BYTES = 32 << 20
"""A demo inflated (the published ones are 0.1-2 MB): a gzip bomb stops here, not at its claimed size."""


def _looks_like_demo(head: bytes) -> bool:
    return b'"states"' in head and (b'"utterance"' in head or b'"taskName"' in head)


def _gzip_head(path: Path) -> bytes:
    """The first 64 KiB a gzip file inflates to (what is there of a cut-short one)."""
    try:
        with path.open("rb") as fh:
            return zlib.decompressobj(31).decompress(fh.read(1 << 16), 1 << 16)
    except (OSError, zlib.error):
        return b""


def read_json(path: Path) -> object:
    try:
        raw = files.read_bytes(path, "JSON file", MAX_DEMO_BYTES, gunzip=True)
    except InputError as exc:
        if "gzip" in exc.problem and _looks_like_demo(_gzip_head(path)):
            what = "cut short or corrupt" if "truncated" in exc.problem or "corrupt" in exc.problem else "too large"
            raise InputError(path, f"MiniWoB++ demo {what} ({exc.problem})") from None
        raise
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also 5,000-digit numbers
        if _looks_like_demo(raw[:1 << 16]):
            raise InputError(path, f"MiniWoB++ demo cut short or corrupt (malformed JSON: {str(exc)[:200]})") from None
        raise InputError(path, f"malformed JSON: {str(exc)[:200]}") from None


def is_miniwob(path: Path) -> bool:
    """A MiniWoB++ demo by content; one that clearly is one but is cut short raises InputError saying so."""
    if not path.is_file() or not (path.name.endswith(".json") or path.name.endswith(".json.gz")):
        return False
    try:
        data = read_json(path)
    except InputError as exc:
        if "MiniWoB++ demo" in exc.problem:
            raise
        return False
    return isinstance(data, dict) and "states" in data and "utterance" in data


def _finite(value: object) -> float | None:
    """A finite number, else None (a missing coordinate, NaN or infinity is never used as a point)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _elements(node: object, out: list[GuiElement]) -> list[GuiElement]:
    if not isinstance(node, dict):
        return out
    box = [_finite(node.get(k)) for k in ("left", "top", "width", "height")]
    raw = node.get("text") or node.get("value") or ""
    text = raw.strip() if isinstance(raw, str) else ""
    tag = node.get("tag") if isinstance(node.get("tag"), str) else None
    if None not in box and box[2] and box[3] and (text or (tag or "").lower() in ("button", "input", "a", "select",
                                                                                   "textarea")):
        x, y, w, h = box
        out.append(GuiElement(text=text or tag, bbox=[x, y, x + w, y + h]))
    children = node.get("children")
    for child in children if isinstance(children, list) else []:
        _elements(child, out)
    return out


ROLES = {"input_text": "text field", "input_password": "password field", "textarea": "text area",
         "input_checkbox": "checkbox", "input_radio": "radio button", "select": "list", "button": "button"}
INTERACTIVE = ("button", "a", "select", "textarea", "option")
CAPTION_CHARS = 40
"""Text beside a node longer than this is content around it (a list, a paragraph), not its caption."""


def _interactive(node: dict) -> bool:
    tag = str(node.get("tag") or "").lower()
    return tag in INTERACTIVE or tag.startswith("input")


def _own_text(node: dict) -> str:
    text = node.get("text")
    return " ".join(text.split()) if isinstance(text, str) else ""


def _all_text(node: object, depth: int = 0) -> str:
    if not isinstance(node, dict) or depth > 50:
        return ""
    children = node.get("children") if isinstance(node.get("children"), list) else []
    return " ".join(t for t in [_own_text(node), *(_all_text(c, depth + 1) for c in children)] if t)


def _target_path(node: object, path: tuple = (), depth: int = 0) -> tuple | None:
    """The DOM nodes from the root to the recorder's `recordingTarget`, or None."""
    if not isinstance(node, dict) or depth > 200:
        return None
    path = (*path, node)
    if node.get("recordingTarget"):
        return path
    children = node.get("children")
    for child in children if isinstance(children, list) else []:
        if (found := _target_path(child, path, depth + 1)) is not None:
            return found
    return None


def _target(dom: object) -> GuiElement | None:
    """The node the event went to, with the name a person would give it (see the module docstring)."""
    path = _target_path(dom)
    if path is None:
        return None
    node = path[-1]
    tag = str(node.get("tag") or "").lower()
    name = _own_text(node)
    label = next((n for n in reversed(path[:-1]) if str(n.get("tag") or "").lower() == "label"), None)
    if not name and label is not None:
        name = _all_text(label)
    siblings = [c for c in path[-2].get("children") or [] if isinstance(c, dict) and c is not node] if len(path) > 1 else []
    if not name:
        name = next((_all_text(c) for c in siblings if str(c.get("tag") or "").lower() == "label" and _all_text(c)), "")
    if not name:
        caption = " ".join(t for c in siblings if not _interactive(c) and (t := _all_text(c)))
        name = caption if len(caption) <= CAPTION_CHARS else ""
    if not name and isinstance(node.get("id"), str) and len(node["id"]) >= 3:
        name = node["id"]
    name = name[:80].strip() or ROLES.get(tag, "")
    box = [_finite(node.get(k)) for k in ("left", "top", "width", "height")]
    bbox = [box[0], box[1], box[0] + box[2], box[1] + box[3]] if None not in box and box[2] and box[3] else None
    return GuiElement(text=name or None, bbox=bbox) if name or bbox else None


def _tops(node: object, out: dict) -> dict:
    """`ref` -> (left, top) of every DOM node that has both: what moves when the page scrolls."""
    if isinstance(node, dict):
        ref, left, top = node.get("ref"), _finite(node.get("left")), _finite(node.get("top"))
        if ref is not None and left is not None and top is not None and isinstance(ref, int | str):
            out[ref] = (left, top)
        children = node.get("children")
        for child in children if isinstance(children, list) else []:
            _tops(child, out)
    return out


def _scroll_direction(before: object, after: object) -> str | None:
    """The way the view scrolled between two DOM snapshots: boxes moving up mean the view went down."""
    a, b = _tops(before, {}), _tops(after, {})
    moves = [(b[k][0] - a[k][0], b[k][1] - a[k][1]) for k in a.keys() & b.keys() if a[k] != b[k]]
    if not moves:
        return None
    dx = sorted(m[0] for m in moves)[len(moves) // 2]
    dy = sorted(m[1] for m in moves)[len(moves) // 2]
    if abs(dy) >= abs(dx):
        return "down" if dy < 0 else "up" if dy > 0 else None
    return "right" if dx < 0 else "left"


def _screen(states: list[dict], path: Path) -> Screen:
    """The page size from the DOM roots (the largest seen), else the MiniWoB canvas with a warning."""
    width = height = 0.0
    for state in states:
        root = state.get("dom")
        if isinstance(root, dict):
            left, top = _finite(root.get("left")) or 0.0, _finite(root.get("top")) or 0.0
            right, bottom = left + (_finite(root.get("width")) or 0.0), top + (_finite(root.get("height")) or 0.0)
            if 0 < right <= MAX_PAGE_PX and 0 < bottom <= MAX_PAGE_PX:  # a page, not a corrupt number
                width, height = max(width, right), max(height, bottom)
    if width >= 1 and height >= 1:
        return Screen(width=math.ceil(width), height=math.ceil(height))
    warnings.warn(f"{path}: no DOM with a size in any state; assuming the {CANVAS[0]}x{CANVAS[1]} MiniWoB canvas",
                  GuiTraceWarning, stacklevel=3)
    return Screen(width=CANVAS[0], height=CANVAS[1])


def _events(states: list[dict], path: Path) -> list[tuple[int, float, dict]]:
    """(state index, time ms, event) with bubble-phase repeats of capture-phase events dropped."""
    pending: dict[tuple, int] = {}
    out = []
    for i, state in enumerate(states):
        act = state.get("action")
        if not isinstance(act, dict) or not isinstance(act.get("type"), str):
            continue
        time = _finite(state.get("time"))
        if time is None:
            raise InputError(path, f"state {i} has no numeric 'time' (got {state.get('time')!r})")
        key = tuple(act.get(k) for k in ("type", "x", "y", "keyCode", "charCode"))
        timing = act.get("timing")
        if timing == 3 and pending.get(key):
            pending[key] -= 1
            continue
        if timing == 1:
            pending[key] = pending.get(key, 0) + 1
        out.append((i, time, act))
    return out


@dataclass
class _Press:
    """One mouse press being assembled from its mousedown, mouseup, click and scroll events."""

    state: int
    time: float
    x: float | None
    y: float | None
    keys: list[str]
    to: tuple[float | None, float | None] | None = None
    released: float | None = None
    end_state: int = 0
    scrolls: int = 0
    button: str = "left"


@dataclass
class _Builder:
    states: list[dict]
    t0: float
    steps: list[GuiStep] = field(default_factory=list)
    press: _Press | None = None
    typed: list[str] = field(default_factory=list)
    typed_at: tuple[float, int] | None = None
    held: dict[int, str] = field(default_factory=dict)
    burst: tuple[int, float, int, int] | None = None  # (step index, last time, first state, last state)

    def t(self, time: float) -> float:
        return round(max(0.0, (time - self.t0) / 1000), 3)

    def elements(self, state: int) -> list[GuiElement] | None:
        return _elements(self.states[state].get("dom"), []) or None

    def add(self, time: float, state: int, action: GuiAction) -> None:
        target = _target(self.states[state].get("dom")) if action.x is not None else None
        self.steps.append(GuiStep(t=self.t(time), action=action, element=target, elements=self.elements(state)))

    def flush_typing(self) -> None:
        if self.typed and self.typed_at is not None:
            self.add(self.typed_at[0], self.typed_at[1], GuiAction(type="type", text="".join(self.typed)))
        self.typed, self.typed_at = [], None

    def flush_press(self) -> None:
        """Emit the open press as a click, drag or scroll."""
        p, self.press = self.press, None
        if p is None:
            return
        to_x, to_y = p.to if p.to is not None else (p.x, p.y)
        moved = None not in (p.x, p.y, to_x, to_y) and math.hypot(to_x - p.x, to_y - p.y) > DRAG_PX
        direction = None
        if p.scrolls:
            after = min(p.end_state + 1, len(self.states) - 1)
            direction = _scroll_direction(self.states[max(p.state - 1, 0)].get("dom"), self.states[after].get("dom"))
        keys = p.keys or None
        if moved:
            action = GuiAction(type="drag", x=p.x, y=p.y, to_x=to_x, to_y=to_y, button=p.button, keys=keys,
                               direction=direction, amount=p.scrolls or None)
        elif p.scrolls:
            action = GuiAction(type="scroll", x=p.x, y=p.y, direction=direction, amount=p.scrolls, keys=keys)
        else:
            kind = "right_click" if p.button == "right" else "click"
            action = GuiAction(type=kind, x=p.x, y=p.y, button=p.button, keys=keys)
        self.add(p.time, p.state, action)
        self.burst = None

    def double_click(self, time: float) -> None:
        """`dblclick` follows two clicks at one point: they become one double_click step."""
        last = [s for s in self.steps[-2:] if s.action.type == "click"]
        if len(last) == 2 and (last[0].action.x, last[0].action.y) == (last[1].action.x, last[1].action.y) and \
                (time - self.t0) / 1000 - last[0].t <= DOUBLE_CLICK_MS / 1000 * 2:
            self.steps.pop()
            self.steps[-1].action.type = "double_click"
        elif last:
            last[-1].action.type = "double_click"

    def scroll(self, state: int, time: float) -> None:
        p = self.press
        if p is not None and (p.released is None or time - p.released <= SCROLL_AFTER_RELEASE_MS):
            p.scrolls += 1
            p.end_state = state
            return
        self.flush_press()
        self.flush_typing()
        if self.burst is not None and time - self.burst[1] <= SCROLL_BURST_MS:
            index, _, first, _ = self.burst
            step = self.steps[index]
            step.action.amount = (step.action.amount or 1) + 1
            step.action.direction = _scroll_direction(self.states[max(first - 1, 0)].get("dom"),
                                                      self.states[min(state + 1, len(self.states) - 1)].get("dom"))
            self.burst = (index, time, first, state)
            return
        direction = _scroll_direction(self.states[max(state - 1, 0)].get("dom"),
                                      self.states[min(state + 1, len(self.states) - 1)].get("dom"))
        self.add(time, state, GuiAction(type="scroll", direction=direction, amount=1))
        self.burst = (len(self.steps) - 1, time, state, state)


def load(path: Path) -> GuiTrace:
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("states"), list):
        raise InputError(path, "MiniWoB demo has no 'states' list")
    states = [s for s in data["states"] if isinstance(s, dict)]
    if not states:
        raise InputError(path, "MiniWoB demo has no states")
    events = _events(states, path)
    t0 = _finite(states[0].get("time"))
    t0 = t0 if t0 is not None else (events[0][1] if events else 0.0)
    b = _Builder(states, t0)
    for state, time, act in events:
        kind = act["type"]
        x, y = _finite(act.get("x")), _finite(act.get("y"))
        code = int(_finite(act.get("keyCode")) or 0)
        char = int(_finite(act.get("charCode")) or 0)
        if kind == "scroll":
            b.scroll(state, time)
            continue
        if kind == "keyup":
            b.held.pop(code, None)
            continue
        if kind == "keypress":
            if char >= 32 and not ({"Control", "Alt", "Meta"} & set(b.held.values())):
                b.flush_press()
                b.burst = None
                b.typed.append(chr(char))
                b.typed_at = b.typed_at or (time, state)
            continue
        if kind == "keydown":
            if code in MODIFIERS:
                b.held[code] = MODIFIERS[code]
                continue
            chord = [m for m in dict.fromkeys(b.held.values()) if m != "Shift"]
            if code == BACKSPACE and b.typed and not chord:
                b.typed.pop()
                continue
            name = KEYS.get(code) or ("Backspace" if code == BACKSPACE else None)
            if chord and name is None and 48 <= code <= 90:
                name = chr(code).lower()
            if name is not None:
                b.flush_press()
                b.flush_typing()
                b.add(time, state, GuiAction(type="key", keys=[*chord, name]))
                b.burst = None
            continue
        if kind == "mousedown":
            b.flush_press()
            b.flush_typing()
            keys = list(dict.fromkeys(b.held.values()))
            button = {1: "middle", 2: "right"}.get(int(_finite(act.get("button")) or 0), "left")
            b.press = _Press(state=state, time=time, x=x, y=y, keys=keys, end_state=state, button=button)
        elif kind == "mouseup" and b.press is not None and b.press.released is None:
            b.press.to, b.press.released, b.press.end_state = (x, y), time, state
        elif kind in ("click", "contextmenu"):
            if b.press is not None and b.press.released is not None:
                if kind == "contextmenu":
                    b.press.button = "right"
                b.flush_press()
            elif kind == "click":
                b.flush_press()
                b.flush_typing()
                keys = list(dict.fromkeys(b.held.values())) or None
                b.add(time, state, GuiAction(type="click", x=x, y=y, button="left", keys=keys))
        elif kind == "dblclick":
            b.flush_press()
            b.double_click(time)
    b.flush_press()
    b.flush_typing()
    trace = GuiTrace(task=str(data.get("utterance") or data.get("taskName") or ""), platform="web",
                     screen=_screen(states, path), steps=b.steps, source_format="miniwob")
    return trace.bind(path.parent, str(path))
