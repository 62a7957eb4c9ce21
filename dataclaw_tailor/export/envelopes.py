"""Reading tailoring envelopes: which lines can be exported, and where their images are.

An envelope is any JSON object with `record` and `task` (`claw tailor --out`, a corpus `records.jsonl`),
optionally `intent`, `source` / `provenance.source_path` and `anchors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core import InputError
from ..tools.files import iter_jsonl

MAX_IMAGES = 8


def read_entries(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, envelope) pairs; a line that is not a JSON object is an InputError naming it."""
    for n, entry in iter_jsonl(path, "records"):
        if not isinstance(entry, dict):
            raise InputError(path, f"line {n} is not a JSON object")
        yield n, entry


def unexportable(entry: dict[str, Any]) -> str | None:
    """Why an entry cannot be exported, or None when it can."""
    if not isinstance(entry.get("record"), dict):
        return "no record"
    if not isinstance(entry.get("task"), str):
        return "no task"
    status = entry.get("status", "ok")
    if status != "ok":
        return f"status {status}"
    validation = entry.get("validation")
    if isinstance(validation, dict) and validation.get("valid") is False:
        return "record is not valid"
    return None


def intent_text(entry: dict[str, Any]) -> str:
    intent = entry.get("intent")
    if isinstance(intent, dict):
        intent = intent.get("text")
    return intent if isinstance(intent, str) and intent.strip() else ""


def source_path(entry: dict[str, Any]) -> Path | None:
    source = entry.get("source")
    if isinstance(source, dict):
        source = source.get("path")
    if not isinstance(source, str):
        provenance = entry.get("provenance") or {}
        source = provenance.get("source_path") if isinstance(provenance, dict) else None
    return Path(source) if isinstance(source, str) and source else None


class ImageRefs:
    """Resolves image references (absolute, or relative to the source or the records file)."""

    def __init__(self, entry: dict[str, Any], records_dir: Path):
        src = source_path(entry)
        bases = []
        if src is not None:
            folder = src if src.is_dir() else src.parent
            bases += [folder, folder / "images"]
        bases.append(records_dir)
        self.bases = bases
        self.missing: list[str] = []

    def resolve(self, ref: Any) -> Path | None:
        if not isinstance(ref, str) or not ref:
            return None
        candidates = [Path(ref)] + [base / ref for base in self.bases]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        self.missing.append(ref)
        return None

    def resolve_all(self, refs: list[Any]) -> list[Path]:
        found: list[Path] = []
        for ref in refs:
            path = self.resolve(ref)
            if path is not None and path not in found:
                found.append(path)
        return found[:MAX_IMAGES]
