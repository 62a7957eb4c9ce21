"""GUI anchors: the task, each event with its point, the element at each click, screen changes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ...core.anchor import Anchor
from ...core.contents import GuiElementContent, GuiEventContent, GuiTaskContent, ScreenChangeContent
from ..files import decode_image, image_size
from .trace import GuiTrace

POINTER = ("click", "double_click", "right_click", "drag")
CHANGE_DELTA = 16


@lru_cache(maxsize=8)
def _gray(path: Path, width: int) -> np.ndarray:
    w, h = image_size(path, "screenshot")
    return np.asarray(decode_image(path, "screenshot", "L", size=(width, max(1, round(width * h / w)))),
                      dtype=np.int16)


def _rgb(path: Path) -> np.ndarray:
    return decode_image(path, "screenshot")


def event_anchors(trace: GuiTrace, extractor: str) -> list[Anchor]:
    """gui_task, one gui_event per step, and screen_change between consecutive distinct screenshots."""
    anchors = [Anchor(id="gui_task:0", kind="gui_task",
                      c=GuiTaskContent(task=trace.task, platform=trace.platform, system=trace.system, width=trace.screen.width,
                                       height=trace.screen.height), extractor=extractor)]
    for i, step in enumerate(trace.steps):
        a = step.action
        point = [a.x, a.y] if a.x is not None and a.y is not None else None
        optional = {"amount": a.amount} if a.amount is not None else {}
        if a.to_x is not None:
            optional |= {"to_x": a.to_x, "to_y": a.to_y}
        if step.subtask:
            optional["subtask"] = step.subtask
        if step.observation:
            optional["observation"] = step.observation
        c = GuiEventContent(step=i, action=a.type, x=a.x, y=a.y, text=a.text, keys=a.keys, direction=a.direction,
                            button=a.button, screenshot=step.screenshot, **optional)
        anchors.append(Anchor(id=f"gui_event:{i}", kind="gui_event", t=step.t, p=point, c=c, extractor=extractor))
    changes = 0
    prev_path: Path | None = None
    for i, step in enumerate(trace.steps):
        path = trace.screenshot_path(step)
        if path is None:
            continue
        if prev_path is not None and path != prev_path:
            a, b = _gray(prev_path, 256), _gray(path, 256)
            frac = float((np.abs(a - b) > CHANGE_DELTA).mean()) if a.shape == b.shape else 1.0
            anchors.append(Anchor(id=f"screen_change:{changes}", kind="screen_change", t=step.t,
                                  c=ScreenChangeContent(step=i, changed_fraction=round(frac, 4)), extractor=extractor))
            changes += 1
        prev_path = path
    return anchors


def _inside(bbox: list[float] | None, x: float, y: float, tolerance: float = 1.0) -> bool:
    return bbox is not None and len(bbox) == 4 and bbox[0] - tolerance <= x <= bbox[2] + tolerance and \
        bbox[1] - tolerance <= y <= bbox[3] + tolerance


def element_anchors(trace: GuiTrace, extractor: str) -> list[Anchor]:
    """The element at each pointer event, its text from the first source that has one: the trace's own
    record of the element acted on ("trace"), the step's UI element tree under the point ("ui_elements"),
    OCR inside the trace's box, then OCR near the point ("ocr"). `from` says which one gave the text.

    A box from the trace that does not hold the event's point is not that element's box (it is dropped,
    the text kept). OCR names only with confident, plausible text (`ocr.names`); its box may be a label
    beside the point (an icon's caption), which consumers tell apart by containment. Screenshots of
    another size than the screen (a scaled recording) are read at the scaled point and boxes mapped back
    to screen pixels.
    """
    from ..ocr import text_at, text_in

    anchors: list[Anchor] = []
    for i, step in enumerate(trace.steps):
        a = step.action
        if a.type not in POINTER or a.x is None or a.y is None:
            continue
        text, bbox, origin = None, None, None
        if step.element is not None:
            bbox = step.element.bbox if _inside(step.element.bbox, a.x, a.y) else None
            if step.element.text:
                text, origin = step.element.text, "trace"
        if text is None:
            hits = [e for e in step.elements or [] if e.text and _inside(e.bbox, a.x, a.y, 0.0)]
            if hits:
                best = min(hits, key=lambda e: (e.bbox[2] - e.bbox[0]) * (e.bbox[3] - e.bbox[1]))
                text, origin, bbox = best.text, "ui_elements", bbox or best.bbox
        shot = trace.screenshot_path(step) if text is None else None
        rgb = _rgb(shot) if shot is not None else None
        if rgb is not None:
            sx, sy = rgb.shape[1] / trace.screen.width, rgb.shape[0] / trace.screen.height
            if bbox is not None:
                text = text_in(rgb, [bbox[0] * sx, bbox[1] * sy, bbox[2] * sx, bbox[3] * sy])
            box = text_at(rgb, a.x * sx, a.y * sy) if text is None else None
            if box is not None:
                text = box.text
                bbox = bbox or [round(box.bbox[0] / sx, 1), round(box.bbox[1] / sy, 1), round(box.bbox[2] / sx, 1),
                                round(box.bbox[3] / sy, 1)]
            origin = "ocr" if text else None
        origin = origin or ("trace" if bbox is not None else None)
        if origin is None or (text is None and bbox is None):
            continue
        anchors.append(Anchor(id=f"gui_element:{len(anchors)}", kind="gui_element", t=step.t,
                              p=[float(v) for v in bbox] if bbox else None,
                              c=GuiElementContent(text=text, step=i, event=f"gui_event:{i}", origin=origin),
                              extractor=extractor))
    return anchors
