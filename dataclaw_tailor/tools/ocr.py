"""Text in images via rapidocr-onnxruntime (bundled PP-OCR models, offline), imported lazily.

`det_limit_type="max"` keeps small crops from being upscaled (5-50 ms instead of ~0.5 s per crop).
When rapidocr is missing and Debian's `tesseract` is on PATH, tesseract is used instead (weaker on
screenshots, no Chinese).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import ExtractorError


@dataclass(frozen=True)
class TextBox:
    bbox: tuple[float, float, float, float]
    text: str
    score: float

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        x1, y1, x2, y2 = self.bbox
        return x1 - margin <= x <= x2 + margin and y1 - margin <= y <= y2 + margin

    def distance(self, x: float, y: float) -> float:
        x1, y1, x2, y2 = self.bbox
        dx = max(x1 - x, 0.0, x - x2)
        dy = max(y1 - y, 0.0, y - y2)
        return float(np.hypot(dx, dy))


@functools.cache
def _rapidocr():
    """One engine for every image: with limit type "max", larger images shrink to 1024 px and smaller
    ones (crops) are not upscaled. One onnxruntime thread per session: its extra threads spin while they
    wait, which on a busy machine doubled the CPU per crop and tripled wall time (bench/anchors_bench.py,
    bitmap subtitles)."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(det_limit_type="max", det_limit_side_len=1024, use_cls=False, intra_op_num_threads=1,
                    inter_op_num_threads=1)


def engine_name() -> str:
    try:
        import rapidocr_onnxruntime  # noqa: F401

        return "rapidocr"
    except ImportError:
        if shutil.which("tesseract"):
            return "tesseract"
        raise ExtractorError("OCR needs rapidocr-onnxruntime (pip) or tesseract (apt-get install tesseract-ocr)")


def read_text(rgb: np.ndarray, min_score: float = 0.5) -> list[TextBox]:
    """Text boxes in an RGB uint8 image, in image pixel coordinates, top-to-bottom then left-to-right."""
    if engine_name() == "tesseract":
        return _tesseract(rgb)
    result, _ = _rapidocr()(np.ascontiguousarray(rgb))
    boxes = []
    for quad, text, score in result or []:
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        if float(score) >= min_score and text.strip():
            boxes.append(TextBox((min(xs), min(ys), max(xs), max(ys)), text.strip(), round(float(score), 3)))
    return sorted(boxes, key=lambda b: (round(b.bbox[1] / 10), b.bbox[0]))


def _tesseract(rgb: np.ndarray) -> list[TextBox]:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        img = Path(tmp) / "in.png"
        Image.fromarray(rgb).save(img)
        out = subprocess.run(["tesseract", str(img), "-", "tsv"], capture_output=True, text=True, timeout=120)
    boxes = []
    for line in out.stdout.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) == 12 and cols[11].strip() and float(cols[10]) >= 50:
            x, y, w, h = map(float, cols[6:10])
            boxes.append(TextBox((x, y, x + w, y + h), cols[11].strip(), float(cols[10]) / 100))
    return boxes


MIN_NAME_SCORE = 0.8


RUN_ON_LATIN = re.compile(r"[A-Za-z]{16,}")


def plausible(text: str) -> bool:
    """Whether recognised text can name an element: at least two letters or digits, at least half of its
    non-space characters letters or digits, and no run of more than 15 Latin letters
    (words run together: the recogniser lost the spaces of a line). Rejects noise on icons and edges
    ("|", "M", "~:", "°") while keeping short labels ("OK", "5G", "设置")."""
    chars = [c for c in text if not c.isspace()]
    word = sum(c.isalnum() for c in chars)
    return word >= 2 and word * 2 >= len(chars) and not RUN_ON_LATIN.search(text)


def names(boxes: list[TextBox], min_score: float = MIN_NAME_SCORE) -> list[TextBox]:
    """The boxes whose text is confident (recogniser score >= min_score) and plausible enough to name an
    element or become an instruction."""
    return [b for b in boxes if b.score >= min_score and plausible(b.text)]


def text_at(rgb: np.ndarray, x: float, y: float, half_w: int = 240, half_h: int = 48,
            max_dist: float = 30.0, line_dist: float = 100.0) -> TextBox | None:
    """The confident, plausible text box under (or nearest to) a point, from OCR on a crop around it: the
    nearest on the point's own line of text within `line_dist` px (a drop-down clicked at its arrow shows
    its value to the left), else the nearest within `max_dist` px (a caption under an icon). The box
    may not contain the point. Boxes cut by the crop's left or right edge (where it is not the image's)
    are partial words and never chosen."""
    h, w = rgb.shape[:2]
    x1, y1 = max(0, int(x) - half_w), max(0, int(y) - half_h)
    x2, y2 = min(w, int(x) + half_w), min(h, int(y) + half_h)
    if x2 <= x1 or y2 <= y1:
        return None
    edge = 2.0
    boxes = [b for b in names(read_text(rgb[y1:y2, x1:x2]))
             if not (x1 > 0 and b.bbox[0] <= edge) and not (x2 < w and b.bbox[2] >= x2 - x1 - edge)]
    shifted = [TextBox((b.bbox[0] + x1, b.bbox[1] + y1, b.bbox[2] + x1, b.bbox[3] + y1), b.text, b.score)
               for b in boxes]
    on_line = [b for b in shifted if b.bbox[1] <= y <= b.bbox[3] and b.distance(x, y) <= line_dist]
    near = on_line or [b for b in shifted if b.distance(x, y) <= max_dist]
    return min(near, key=lambda b: b.distance(x, y)) if near else None


def text_in(rgb: np.ndarray, bbox: list[float] | tuple[float, ...], margin: int = 4,
            max_chars: int = 80) -> str | None:
    """The confident, plausible text inside a box, in reading order (None when there is none)."""
    h, w = rgb.shape[:2]
    x1, y1 = max(0, int(bbox[0]) - margin), max(0, int(bbox[1]) - margin)
    x2, y2 = min(w, int(np.ceil(bbox[2])) + margin), min(h, int(np.ceil(bbox[3])) + margin)
    if x2 <= x1 or y2 <= y1:
        return None
    text = " ".join(b.text for b in names(read_text(rgb[y1:y2, x1:x2])))
    return text[:max_chars].strip() or None
