"""What an input format declares: how to recognise a path, load it, and describe it as a Source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ...core.source import Source, SourceKind

Describe = Callable[["InputFormat", str, Path], Source]
"""(the format, the path as given with any `#episode=N`, the path on disk) -> the Source `detect` returns."""


@dataclass(frozen=True)
class InputFormat:
    """One layout of raw stream on disk.

    `name` is its registry key (and, for most, the `Source.format` it reports); `title` names it in messages.
    `takes` says whether it lives in a file, a folder, or either (a path of the other sort is not sniffed).
    `sniff(path)` answers whether `path` (no `#episode` suffix) holds this format; it may raise an
    InputError when the path clearly is this format but is broken. `load(path, episode)` reads it into its
    canonical form (`episode` selects one of several, None the first).
    """

    name: str
    title: str
    kind: SourceKind
    priority: int
    takes: Literal["file", "folder", "either"]
    sniff: Callable[[Path], bool]
    load: Callable[[Path, int | None], Any]
    describe: Describe
    description: str = ""

    def applies_to(self, path: Path) -> bool:
        return self.takes == "either" or (self.takes == "folder") == path.is_dir()
