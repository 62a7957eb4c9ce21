"""Reading the user's JSON / JSONL / YAML files and writing outputs atomically, with one error style.

Every command and tool that reads a file the user named raises `InputError(path, problem)` from here, so
"not found", "not JSON (line 3)" and "is a folder" read the same everywhere; every output that a rerun
or a concurrent reader may see is replaced atomically, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core import InputError


def read_text(path: str | Path, what: str) -> str:
    """The file's UTF-8 text; a missing file, a folder or undecodable bytes is an InputError naming `what`."""
    file = Path(path)
    if not file.exists():
        raise InputError(file, f"{what} file not found")
    if not file.is_file():
        raise InputError(file, f"{what} is not a file")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(file, f"{what} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputError(file, f"cannot read {what} ({exc.strerror})") from None


def read_json(path: str | Path, what: str) -> Any:
    """One JSON document."""
    text = read_text(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"{what} is not valid JSON ({exc})") from None


def iter_jsonl(path: str | Path, what: str) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line; a line that is not JSON is an InputError naming it."""
    for n, line in enumerate(read_text(path, what).splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"line {n} is not JSON ({exc.msg})") from None


def read_data(path: str | Path, what: str) -> Any:
    """A YAML (`.yaml`/`.yml`), JSONL (`.jsonl`, as a list) or JSON file, chosen by suffix."""
    file = Path(path)
    if file.suffix == ".jsonl":
        return [value for _, value in iter_jsonl(file, what)]
    if file.suffix not in (".yaml", ".yml"):
        return read_json(file, what)
    import yaml

    text = read_text(file, what)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(file, f"{what} is not valid YAML{where} ({getattr(exc, 'problem', None) or exc})") from None


def write_atomic(path: str | Path, text: str) -> None:
    """Replace `path` with `text` in one step (a temp file beside it, then `os.replace`)."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
