"""Loader for our own `trace.json` (dataclaw.gui_trace/v1)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from ...core.errors import InputError, first_problem
from ..files import read_text
from .trace import FORMAT, GuiTrace


MAX_TRACE_BYTES = 256 << 20


def trace_file(path: Path) -> Path | None:
    """The canonical trace file for a file or folder path, when it is one."""
    candidate = path / "trace.json" if path.is_dir() else path
    if not candidate.is_file() or candidate.suffix != ".json":
        return None
    with candidate.open("rb") as fh:
        head = fh.read(4096)
    return candidate if FORMAT.encode() in head else None


def is_trace(path: Path) -> bool:
    return trace_file(path) is not None


def load(path: Path) -> GuiTrace:
    file = trace_file(path) or path
    try:
        data = json.loads(read_text(file, "trace", MAX_TRACE_BYTES))
    except (ValueError, RecursionError) as exc:  # ValueError: also 5,000-digit numbers
        raise InputError(file, f"malformed trace JSON: {str(exc)[:200] or type(exc).__name__}") from None
    try:
        trace = GuiTrace.model_validate(data)
    except ValidationError as exc:
        raise InputError(file, f"invalid trace at {first_problem(exc)}") from exc
    return trace.bind(file.parent, str(file))
