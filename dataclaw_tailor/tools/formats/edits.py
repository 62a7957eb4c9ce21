"""Image-editing sequences: a folder of before/after pairs (edits.json, `_before`/`_after` names, or a numbered sequence)."""

from __future__ import annotations

from pathlib import Path

from ...core.source import EditSequenceMeta, Source, SourceKind
from ..edits import load_pairs
from ..files import image_size
from ..hashing import content_hash
from .spec import InputFormat


def _describe(fmt: InputFormat, given: str, path: Path) -> Source:
    pairs, layout = fmt.load(path, None)
    width, height = image_size(path / pairs[0].after, "edit image")
    return Source(path=str(path), kind=SourceKind.edit_sequence, content_hash=content_hash(path), format=layout,
                  meta=EditSequenceMeta(n_steps=len(pairs), width=width, height=height))


EDIT_PAIRS = InputFormat(
    name="edit-pairs", title="edit pairs", kind=SourceKind.edit_sequence, priority=200, takes="folder",
    sniff=lambda p: bool(load_pairs(p)[0]), load=lambda p, episode: load_pairs(p), describe=_describe,
    description="Before/after image pairs with optional instructions (edits.json, name_before/name_after, or a sequence).",
)
