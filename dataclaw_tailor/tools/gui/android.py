"""Loaders for Android-in-the-Wild (TFRecord of per-step tf.train.Example) and Android-in-the-Zoo (JSON).

Mapping (both): touch/lift points are normalised [y, x]; pixels = value * screen size. A dual-point
action whose touch and lift are within 0.04 of the screen is a click at the touch point; otherwise a
swipe, recorded as `scroll` whose direction is the content's (finger up = scroll down) with `x, y` at the
touch point and `to_x, to_y` at the lift point. action_type 3 -> type (text), 5 -> key Back, 6 -> key
Home, 7 -> key Enter, 10 -> done, 11 -> done (task impossible, noted in subtask). UI annotations
(normalised [y, x, h, w] boxes with text) become the step's `elements`; their text is the dataset's own
OCR, so text that cannot name an element (`ocr.plausible`: single glyphs, symbol noise) is left out.
`t` = step index (seconds are not recorded). AitW: one episode per file selected with `#episode=N` (default the first episode id seen).
AitZ: a folder (or file) with `<episode>.json` = list of steps, screenshots from `image_path`.

Screen size: AitW's `image/width` and `image/height`, else the screenshot in `image/encoded` (a PNG or
JPEG header, or AitW's raw pixel buffer with one side and `image/channels`); AitZ's first screenshot.
A file that tells none gets DEFAULT_SCREEN with a GuiTraceWarning naming it, and the screen is marked
`assumed` (the source's `screen_assumed`), so no record takes its pixels for measured ones.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path

import numpy as np

from ...core.errors import InputError
from ..files import MAX_IMAGE_PIXELS, image_size, is_regular, read_json
from ..ocr import plausible
from .trace import GuiAction, GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen

CLICK_RADIUS = 0.04
# AitZ's `coat_action_desc` names a swipe by the finger's direction ("scroll up" = finger moved up, from
# CoAT's extract_gt_action); our direction is the view's, so the words are rewritten to agree with it.
_SCROLL_WORDS = re.compile(r"\b(?:scroll|swipe)\s+(?:up|down|left|right)\b", re.IGNORECASE)
KEY_ACTIONS = {5: "Back", 6: "Home", 7: "Enter"}
DEFAULT_SCREEN = (1080, 2400)  # (width, height) of a common Android phone: assumed when a file tells none


def _action(kind: int, touch: list[float], lift: list[float], text: str, w: int, h: int) -> tuple[GuiAction, str | None]:
    if kind == 4:
        ty, tx = touch
        ly, lx = lift
        if np.hypot(ty - ly, tx - lx) <= CLICK_RADIUS:
            return GuiAction(type="click", x=round(tx * w, 1), y=round(ty * h, 1)), None
        dy, dx = ly - ty, lx - tx
        if abs(dy) >= abs(dx):
            direction = "down" if dy < 0 else "up"
        else:
            direction = "right" if dx < 0 else "left"
        return GuiAction(type="scroll", x=round(tx * w, 1), y=round(ty * h, 1), to_x=round(lx * w, 1),
                         to_y=round(ly * h, 1), direction=direction), None
    if kind == 3:
        return GuiAction(type="type", text=text), None
    if kind in KEY_ACTIONS:
        return GuiAction(type="key", keys=[KEY_ACTIONS[kind]]), None
    if kind in (10, 11):
        return GuiAction(type="done"), "task impossible" if kind == 11 else None
    return GuiAction(type="wait"), None


def _numbers(value: object, size: int | None = None) -> np.ndarray | None:
    """Finite floats from a JSON list (or nested lists), `size` of them when given; None when it is not that."""
    try:
        arr = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError, OverflowError):  # ragged, text, a 5,000-digit number
        return None
    if not np.isfinite(arr).all() or (size is not None and arr.size != size) or arr.size % 4 and size is None:
        return None
    return arr


def _int(value: object) -> int | None:
    """A whole number from a JSON number or numeric string; None for anything else."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 12:
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value) or abs(value) > 2**31:
        return None
    return int(value)


def _elements(positions: np.ndarray | None, texts: list[str], w: int, h: int) -> list[GuiElement] | None:
    if positions is None or positions.size == 0:
        return None
    boxes = positions.reshape(-1, 4)
    norm = float(boxes.max()) <= 1.0
    out = []
    for (y, x, bh, bw), text in zip(boxes, texts + [""] * (len(boxes) - len(texts))):
        sx, sy = (w, h) if norm else (1, 1)
        out.append(GuiElement(text=text if text and plausible(text) else None,
                              bbox=[round(x * sx, 1), round(y * sy, 1), round((x + bw) * sx, 1), round((y + bh) * sy, 1)]))
    return out


def is_aitw(path: Path) -> bool:
    from ..robot.tfrecord import is_tfrecord, parse_example, records

    if not path.is_file() or not is_tfrecord(path):
        return False
    try:
        return "results/action_type" in parse_example(next(records(path)), path)
    except (StopIteration, InputError):  # no record, or not an Example: not an AitW file
        return False


def _first(ex: dict, key: str) -> object:
    """The feature's first value (a number or bytes), None when absent, empty or of another type."""
    value = ex.get(key)
    return value[0] if value is not None and len(value) else None


def _number(ex: dict, key: str) -> int | None:
    value = _first(ex, key)
    return _int(int(value)) if isinstance(value, np.integer | np.floating) and np.isfinite(value) else None


def _encoded_size(ex: dict) -> tuple[int, int] | None:
    """(width, height) of a step's `image/encoded` screenshot: a PNG or JPEG header (no pixels decoded),
    or AitW's raw uint8 buffer of height x width x channels when one side is recorded."""
    from PIL import Image

    data = _first(ex, "image/encoded")
    if not isinstance(data, bytes) or not data:
        return None
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
        try:
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            return None
        return (w, h) if 0 < w * h <= MAX_IMAGE_PIXELS else None
    w, h, channels = _number(ex, "image/width"), _number(ex, "image/height"), _number(ex, "image/channels") or 3
    side = w or h
    if not side or side <= 0 or channels <= 0 or len(data) % (side * channels):
        return None
    other = len(data) // (side * channels)
    return (side, other) if w else (other, side)


def _aitw_screen(rows: list[dict], path: Path, index: int) -> Screen:
    """The episode's screen: recorded sides, else its first screenshot's size, else DEFAULT_SCREEN (assumed)."""
    for ex in rows:
        w, h = _number(ex, "image/width"), _number(ex, "image/height")
        size = (w, h) if w and h and w > 0 and h > 0 else _encoded_size(ex)
        if size and 0 < size[0] <= 100_000 and 0 < size[1] <= 100_000:
            return Screen(width=size[0], height=size[1])
    return _assumed_screen(f"{path}: episode {index}")


def _assumed_screen(where: str) -> Screen:
    w, h = DEFAULT_SCREEN
    warnings.warn(f"{where} records no screen size and no screenshot to measure; assuming {w}x{h} (marked "
                  f"screen_assumed: pixel coordinates are approximate)", GuiTraceWarning, stacklevel=3)
    return Screen(width=w, height=h, assumed=True)


def load_aitw(path: Path, episode: int | None = None) -> GuiTrace:
    from ..robot.tfrecord import parse_example, records

    def text(ex: dict, key: str) -> str:
        value = ex.get(key)
        return b"".join(v for v in value if isinstance(v, bytes)).decode("utf-8", "replace") if isinstance(value, list) else ""

    episodes: dict[bytes, list[dict]] = {}
    for rec in records(path):
        ex = parse_example(rec, path)
        key = _first(ex, "episode_id")
        key = key if isinstance(key, bytes) else b"0"
        episodes.setdefault(key, []).append(ex)
    order = list(episodes)
    index = episode or 0
    if index >= len(order):
        raise InputError(path, f"episode {index} not found (the file holds {len(order)})")
    rows = sorted(episodes[order[index]], key=lambda ex: _number(ex, "step_id") or 0)
    screen = _aitw_screen(rows, path, index)
    w, h = screen.width, screen.height
    steps = []
    for i, ex in enumerate(rows):
        kind = _number(ex, "results/action_type")
        if kind is None:
            raise InputError(path, f"episode {index} step {i}: no results/action_type number")
        touch, lift = (_numbers(ex.get(k), 2) for k in ("results/yx_touch", "results/yx_lift"))
        action, note = _action(kind, list(touch) if touch is not None else [-1, -1],
                               list(lift) if lift is not None else [-1, -1], text(ex, "results/type_action"), w, h)
        names = ex.get("image/ui_annotations_text")
        texts = [t.decode("utf-8", "replace") for t in names if isinstance(t, bytes)] if isinstance(names, list) else []
        steps.append(GuiStep(t=float(i), action=action, subtask=note,
                             elements=_elements(_numbers(ex.get("image/ui_annotations_positions", [])), texts, w, h)))
    goal = text(rows[0], "goal_info")
    trace = GuiTrace(task=goal, platform="android", screen=screen, steps=steps, source_format="aitw")
    return trace.bind(path.parent, str(path))


def _aitz_file(path: Path) -> Path | None:
    files = [path] if path.is_file() else sorted(path.glob("*.json")) if path.is_dir() else []
    for f in files:
        if f.suffix != ".json" or not is_regular(f):
            continue
        try:
            with f.open("rb") as fh:
                head = fh.read(8192)
        except OSError:
            continue
        if b'"result_action_type"' in head and head.lstrip()[:1] == b"[":
            return f
    return None


def is_aitz(path: Path) -> bool:
    return _aitz_file(path) is not None


MAX_EPISODE_BYTES = 64 << 20


def _parse_list(value: object) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # not JSON, a 5,000-digit number, too deep
            return []
    return list(value) if isinstance(value, list | tuple) else []


def load_aitz(path: Path) -> GuiTrace:
    file = _aitz_file(path)
    if file is None:
        raise InputError(path, "no AitZ episode JSON (a list of steps with result_action_type)")
    rows = read_json(file, "AitZ episode JSON", MAX_EPISODE_BYTES)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InputError(file, "AitZ episode JSON is not a list of step objects")
    root = file.parent
    rows = sorted(rows, key=lambda r: _int(r.get("step_id")) or 0)
    shots = []
    for r in rows:
        rel = r.get("image_path")
        rel = rel if isinstance(rel, str) and 0 < len(rel) < 4096 and "\0" not in rel else None
        shot = rel if rel and (root / rel).is_file() else (Path(rel).name if rel and (root / Path(rel).name).is_file()
                                                           else None)
        shots.append(shot)
    first_shot = next((s for s in shots if s), None)
    if first_shot:
        screen = Screen(**dict(zip(("width", "height"), image_size(root / first_shot, "screenshot"))))
    else:
        screen = _assumed_screen(str(file))
    w, h = screen.width, screen.height
    steps = []
    for i, (r, shot) in enumerate(zip(rows, shots)):
        kind = _int(r.get("result_action_type"))
        if kind is None:
            raise InputError(file, f"step {i}: result_action_type {str(r.get('result_action_type'))[:40]!r} is no action code")
        touch, lift = (_numbers(_parse_list(r.get(k)), 2) for k in ("result_touch_yx", "result_lift_yx"))
        action, note = _action(kind, list(touch) if touch is not None else [-1, -1],
                               list(lift) if lift is not None else [-1, -1], str(r.get("result_action_text") or ""), w, h)
        texts = [str(t) for t in _parse_list(r.get("ui_text"))]
        desc = r.get("coat_action_desc") if isinstance(r.get("coat_action_desc"), str) else None
        if desc and action.type == "scroll" and action.direction:
            desc = _SCROLL_WORDS.sub(f"scroll {action.direction}", desc)
        steps.append(GuiStep(t=float(i), screenshot=shot, action=action,
                             subtask=desc or note,
                             elements=_elements(_numbers(_parse_list(r.get("ui_positions"))), texts, w, h)))
    task = str(rows[0].get("instruction", ""))[:10_000] if rows else ""
    trace = GuiTrace(task=task, platform="android", screen=screen, steps=steps, source_format="aitz")
    return trace.bind(root, str(file))
