"""Loader for AgentNetBench tasks (OpenCUA's offline benchmark: one `<task_id>.json` per task + images/).

Mapping: `user_task_description` (else `high_level_task_description`) -> task; each `steps[i]` is one
recorded step: its `action` (pyautogui code, parsed as in agentnet.py) -> the step's actions, `image`
(beside the file or in `images/`) -> screenshot, `inner_monologue.low_level_instruction` -> subtask,
`inner_monologue.observation` -> observation,
`step_num` -> t (the bench keeps a subset of the original trajectory, so the numbers skip; AgentNet
records no times). The element acted on is the `ground_truth_actions[].metadata.bboxes[]` box that
contains the action's point (`rel_bbox` = normalised [x, y, w, h]; its pixel form `abs_bbox` is in
screenshot pixels). `meta_info.system` ("Windows") -> system.

Screen size: the screenshots' size. `meta_info.screen_resolution` describes the original recording, not
these screenshots (1920x1080 beside 1280x720 images in the published sample); the normalised coordinates
are fractions of the screenshot, so the screenshot wins and a differing declaration is reported with a
GuiTraceWarning.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

from ...core.errors import InputError
from ..files import read_bytes
from .agentnet import image_size, parse_code, screenshot
from .trace import GuiElement, GuiStep, GuiTrace, GuiTraceWarning, Screen, system_name

MAX_BYTES = 64 << 20


def _read(path: Path) -> object:
    raw = read_bytes(path, "AgentNetBench task", MAX_BYTES)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also 5,000-digit numbers
        raise InputError(path, f"malformed AgentNetBench JSON (truncated?): {str(exc)[:200]}") from None


def is_agentnetbench(path: Path) -> bool:
    if not path.is_file() or path.suffix != ".json" or path.stat().st_size > MAX_BYTES:
        return False
    with path.open("rb") as fh:
        head = fh.read(65536)
    if b'"steps"' not in head or not (b'"ground_truth_actions"' in head or b'"step_num"' in head):
        return False
    try:
        data = _read(path)
    except InputError:
        return True  # it says it is one: let the loader name what is wrong
    steps = data.get("steps") if isinstance(data, dict) else None
    return isinstance(steps, list) and any(isinstance(s, dict) and "action" in s for s in steps)


def _box(gt_actions: object, fx: float, fy: float, w: int, h: int) -> list[float] | None:
    """The smallest ground-truth box (pixels) containing the normalised point (fx, fy)."""
    found = []
    for gt in gt_actions if isinstance(gt_actions, list) else []:
        meta = gt.get("metadata") if isinstance(gt, dict) else None
        boxes = meta.get("bboxes") if isinstance(meta, dict) else None
        for box in boxes if isinstance(boxes, list) else []:
            rel = box.get("rel_bbox") if isinstance(box, dict) else None
            if not (isinstance(rel, list) and len(rel) == 4 and all(isinstance(v, int | float) and math.isfinite(v)
                                                                     for v in rel)):
                continue
            x, y, bw, bh = rel
            if x <= fx <= x + bw and y <= fy <= y + bh:
                found.append((bw * bh, [round(x * w, 2), round(y * h, 2), round((x + bw) * w, 2),
                                        round((y + bh) * h, 2)]))
    return min(found)[1] if found else None


def load(path: Path) -> GuiTrace:
    data = _read(path)
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise InputError(path, "AgentNetBench task has no 'steps' list")
    steps_in = [s for s in data["steps"] if isinstance(s, dict)]
    root = path.parent
    shots = [screenshot(root, s.get("image")) for s in steps_in]
    first = next((s for s in shots if s), None)
    meta = data.get("meta_info") if isinstance(data.get("meta_info"), dict) else {}
    declared = meta.get("screen_resolution") if isinstance(meta.get("screen_resolution"), dict) else {}
    dw, dh = declared.get("width"), declared.get("height")
    if first:
        w, h = image_size(root / first)
        if (dw, dh) != (w, h) and dw and dh:
            warnings.warn(f"{path}: meta_info.screen_resolution {dw}x{dh} differs from the screenshots' {w}x{h}; "
                          f"using the screenshot size (the recorded coordinates are fractions of it)",
                          GuiTraceWarning, stacklevel=2)
    elif isinstance(dw, int) and isinstance(dh, int) and dw > 0 and dh > 0:
        w, h = dw, dh
    else:
        raise InputError(path, "AgentNetBench task has no screenshots and no meta_info.screen_resolution")
    last: list[float | None] = [None, None]
    steps = []
    for i, (step, shot) in enumerate(zip(steps_in, shots)):
        number = step.get("step_num")
        t = float(number) if isinstance(number, int) and number >= 0 else float(i)
        monologue = step.get("inner_monologue") if isinstance(step.get("inner_monologue"), dict) else {}
        instruction = monologue.get("low_level_instruction")
        seen = monologue.get("observation")
        for action in parse_code(str(step.get("action") or ""), w, h, last, f"{path}: step {number}"):
            element = None
            if action.x is not None and action.y is not None:
                box = _box(step.get("ground_truth_actions"), action.x / w, action.y / h, w, h)
                element = GuiElement(bbox=box) if box else None
            steps.append(GuiStep(t=t, screenshot=shot, action=action, element=element,
                                 subtask=instruction if isinstance(instruction, str) else None,
                                 observation=seen if isinstance(seen, str) else None))
    task = data.get("user_task_description") or data.get("high_level_task_description") or ""
    platform = "web" if str(meta.get("system", "")).lower() in ("web", "browser") else "desktop"
    trace = GuiTrace(task=str(task), platform=platform, system=system_name(meta.get("system")),
                     screen=Screen(width=w, height=h), steps=steps, source_format="agentnetbench")
    return trace.bind(root, str(path))
