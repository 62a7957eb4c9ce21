"""Image-editing sequences: before/after pairs with optional instructions, and where each edit changed.

Layouts (a folder): `edits.json` = [{"before": "a.png", "after": "b.png", "instruction": "..."}]; or
`<name>_before.<ext>` / `<name>_after.<ext>` pairs with optional `<name>.txt` instructions; or a plain
numbered sequence of images, where each image is the "after" of the previous one (instructions from
`instructions.txt`, one line per edit). A folder of images with none of these is an `image_set`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.anchor import Anchor
from ..core.contents import EditPairContent, EditRegionContent
from ..core.errors import InputError
from .files import MAX_META_BYTES, decode_image, image_size, is_regular, os_error, read_json, read_text

IMAGE_EXT = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
CHANGE_DELTA = 24
ANALYSIS_SIDE = 256


@dataclass(frozen=True)
class EditPair:
    before: str
    after: str
    instruction: str | None


def images_in(folder: Path) -> list[Path]:
    """The regular image files directly in `folder` (FIFOs, devices and links to them are no images)."""
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise os_error(folder, exc, "folder") from None
    return sorted(p for p in entries if p.suffix.lower() in IMAGE_EXT and is_regular(p))


def _member(folder: Path, name: object, spec: Path) -> str:
    """An image named in edits.json: a relative path inside the folder, else an InputError naming the file."""
    if not isinstance(name, str) or not name or len(name) > 4096:
        raise InputError(spec, f"edits.json names an image as {str(name)[:60]!r}, not a file name")
    parts = Path(name).parts
    if Path(name).is_absolute() or ".." in parts:
        raise InputError(spec, f"edits.json image '{name[:200]}' is outside the folder")
    if not is_regular(folder / name):
        raise InputError(folder / name, "image named in edits.json is missing or not a regular file")
    return name


def _text(file: Path, what: str) -> str:
    return read_text(file, what, MAX_META_BYTES)


def load_pairs(folder: Path) -> tuple[list[EditPair], str]:
    """The folder's edit pairs and layout name ('edits.json', 'pairs', 'sequence'); [] when none."""
    spec = folder / "edits.json"
    if spec.exists() or spec.is_symlink():
        rows = read_json(spec, "edits.json", MAX_META_BYTES)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputError(spec, "malformed edits.json (want a list of {before, after, instruction})")
        pairs = []
        for r in rows:
            text = r.get("instruction")
            pairs.append(EditPair(_member(folder, r.get("before"), spec), _member(folder, r.get("after"), spec),
                                  text[:10_000] if isinstance(text, str) else None))
        return pairs, "edits.json"
    images = images_in(folder)
    befores = {m.group(1): p for p in images if (m := re.match(r"(.*)[_-]before$", p.stem))}
    afters = {m.group(1): p for p in images if (m := re.match(r"(.*)[_-]after$", p.stem))}
    if befores and set(befores) == set(afters):
        pairs = []
        for key in sorted(befores):
            txt = folder / f"{key}.txt"
            pairs.append(EditPair(befores[key].name, afters[key].name,
                                  _text(txt, "instruction file").strip() if txt.exists() or txt.is_symlink() else None))
        return pairs, "pairs"
    if befores or afters:
        unmatched = sorted(set(befores) ^ set(afters))
        raise InputError(folder, f"before/after images without a partner: {', '.join(unmatched)}")
    lines_file = folder / "instructions.txt"
    if len(images) >= 2 and (lines_file.exists() or lines_file.is_symlink()):
        lines = [ln.strip() for ln in _text(lines_file, "instructions.txt").splitlines() if ln.strip()]
        return [EditPair(a.name, b.name, lines[i] if i < len(lines) else None)
                for i, (a, b) in enumerate(zip(images, images[1:]))], "sequence"
    return [], ""


def _small(path: Path, size: tuple[int, int] | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    full = image_size(path, "edit image")
    scale = ANALYSIS_SIDE / max(full)
    target = size or (max(1, round(full[0] * scale)), max(1, round(full[1] * scale)))
    return np.asarray(decode_image(path, "edit image", size=target), dtype=np.int16), full


def change_region(before: Path, after: Path) -> tuple[list[float] | None, float]:
    """Bounding box (in the after image's pixels) of what changed, and the changed-area fraction."""
    b, _ = _small(before)
    a, full = _small(after, (b.shape[1], b.shape[0]))
    changed = np.abs(a - b).max(axis=2) > CHANGE_DELTA
    frac = float(changed.mean())
    if not changed.any():
        return None, 0.0
    ys, xs = np.nonzero(changed)
    sx, sy = full[0] / changed.shape[1], full[1] / changed.shape[0]
    bbox = [round(xs.min() * sx, 1), round(ys.min() * sy, 1), round((xs.max() + 1) * sx, 1),
            round((ys.max() + 1) * sy, 1)]
    return bbox, round(frac, 4)


def edit_anchors(folder: Path, extractor: str) -> list[Anchor]:
    pairs, _ = load_pairs(folder)
    anchors: list[Anchor] = []
    regions: list[Anchor] = []
    for i, pair in enumerate(pairs):
        anchors.append(Anchor(id=f"edit_pair:{i}", kind="edit_pair",
                              c=EditPairContent(before=pair.before, after=pair.after, instruction=pair.instruction),
                              extractor=extractor))
        bbox, magnitude = change_region(folder / pair.before, folder / pair.after)
        if bbox is not None:
            regions.append(Anchor(id=f"edit_region:{len(regions)}", kind="edit_region", p=bbox,
                                  c=EditRegionContent(magnitude=magnitude, pair=f"edit_pair:{i}"), extractor=extractor))
    return anchors + regions
