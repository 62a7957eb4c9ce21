"""Image-editing sequences: before/after pairs with optional instructions, and where each edit changed.

Layouts (a folder): `edits.json` = [{"before": "a.png", "after": "b.png", "instruction": "..."}]; or
`<name>_before.<ext>` / `<name>_after.<ext>` pairs with optional `<name>.txt` instructions; or a plain
numbered sequence of images, where each image is the "after" of the previous one (instructions from
`instructions.txt`, one line per edit). A folder of images with none of these is an `image_set`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.anchor import Anchor
from ..core.errors import InputError

IMAGE_EXT = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
CHANGE_DELTA = 24
ANALYSIS_SIDE = 256


@dataclass(frozen=True)
class EditPair:
    before: str
    after: str
    instruction: str | None


def images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXT)


def load_pairs(folder: Path) -> tuple[list[EditPair], str]:
    """The folder's edit pairs and layout name ('edits.json', 'pairs', 'sequence'); [] when none."""
    spec = folder / "edits.json"
    if spec.is_file():
        try:
            rows = json.loads(spec.read_text())
            pairs = [EditPair(str(r["before"]), str(r["after"]), r.get("instruction")) for r in rows]
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise InputError(spec, f"malformed edits.json (want a list of {{before, after, instruction}}): {exc}") \
                from exc
        for pair in pairs:
            for name in (pair.before, pair.after):
                if not (folder / name).is_file():
                    raise InputError(folder / name, "image named in edits.json is missing")
        return pairs, "edits.json"
    images = images_in(folder)
    befores = {m.group(1): p for p in images if (m := re.match(r"(.*)[_-]before$", p.stem))}
    afters = {m.group(1): p for p in images if (m := re.match(r"(.*)[_-]after$", p.stem))}
    if befores and set(befores) == set(afters):
        pairs = []
        for key in sorted(befores):
            txt = folder / f"{key}.txt"
            pairs.append(EditPair(befores[key].name, afters[key].name,
                                  txt.read_text().strip() if txt.is_file() else None))
        return pairs, "pairs"
    if befores or afters:
        unmatched = sorted(set(befores) ^ set(afters))
        raise InputError(folder, f"before/after images without a partner: {', '.join(unmatched)}")
    lines_file = folder / "instructions.txt"
    if len(images) >= 2 and lines_file.is_file():
        lines = [ln.strip() for ln in lines_file.read_text().splitlines() if ln.strip()]
        return [EditPair(a.name, b.name, lines[i] if i < len(lines) else None)
                for i, (a, b) in enumerate(zip(images, images[1:]))], "sequence"
    return [], ""


def _small(path: Path, size: tuple[int, int] | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    from PIL import Image

    with Image.open(path) as im:
        full = im.size
        scale = ANALYSIS_SIDE / max(full)
        target = size or (max(1, round(full[0] * scale)), max(1, round(full[1] * scale)))
        return np.asarray(im.convert("RGB").resize(target), dtype=np.int16), full


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
                              c={"before": pair.before, "after": pair.after, "instruction": pair.instruction},
                              extractor=extractor))
        bbox, magnitude = change_region(folder / pair.before, folder / pair.after)
        if bbox is not None:
            regions.append(Anchor(id=f"edit_region:{len(regions)}", kind="edit_region", p=bbox,
                                  c={"magnitude": magnitude, "pair": f"edit_pair:{i}"}, extractor=extractor))
    return anchors + regions
