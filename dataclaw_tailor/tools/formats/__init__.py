"""Input formats: each raw-stream layout we can read is one registered `InputFormat`.

A format declares how to recognise a path (`sniff`, cheap and by content), how to load it into its
canonical form (`load`: a `GuiTrace`, a `RobotEpisode`, edit pairs, ...), and how `detect()` describes it
as a `Source` (`describe`). `detect` asks the formats in ascending `priority` and takes the first whose
`sniff` accepts the path, so specific layouts come before general ones (a canonical `trace.json` before
a folder of images, anything before the video container that accepts every file).

Adding a format: one module in this package that calls `register_format(InputFormat(...))`; every
module here is imported on the first lookup. Its loader may live in the same module or beside the
others (`tools/gui/`, `tools/robot/`).
"""

from __future__ import annotations

import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

from ...core.registry import Registry
from ...core.source import Source, SourceKind

log = logging.getLogger(__name__)

Describe = Callable[["InputFormat", str, Path], Source]
"""(the format, the path as given with any `#episode=N`, the path on disk) -> the Source `detect` returns."""


@dataclass(frozen=True)
class InputFormat:
    """One layout of raw stream on disk.

    `name` is what `Source.format` and `sniff_trace`/`sniff_episode` report; `title` names it in messages.
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


def _import_format_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        import_module(f"{__name__}.{module.name}")


FORMATS: Registry[InputFormat] = Registry("input format", builtins=_import_format_modules)


def register_format(fmt: InputFormat) -> InputFormat:
    """Register an input format; a taken name raises DuplicateName."""
    return FORMATS.add(fmt.name, fmt, fmt.description or fmt.title)


def formats(kind: SourceKind | None = None) -> list[InputFormat]:
    """The registered formats (of one source kind), in the order `detect` asks them."""
    found = [f for f in FORMATS.values() if kind is None or f.kind is kind]
    return sorted(found, key=lambda f: (f.priority, f.name))


def sniff(path: Path, kind: SourceKind | None = None) -> InputFormat | None:
    """The first format (of `kind`), by priority, whose `sniff` accepts `path`; None when none does."""
    for fmt in formats(kind):
        if fmt.applies_to(path) and fmt.sniff(path):
            log.debug("%s: sniffed as %s (%s, priority %d)", path, fmt.name, fmt.kind.value, fmt.priority)
            return fmt
    log.debug("%s: no %s format accepts it", path, kind.value if kind else "input")
    return None


def titles(kind: SourceKind | None = None, *, folder: bool | None = None) -> str:
    """'A, B, C': the titles of the formats (of `kind`, that live in folders or files) for messages."""
    chosen = [f for f in formats(kind)
              if folder is None or f.takes == "either" or (f.takes == "folder") == folder]
    return ", ".join(dict.fromkeys(f.title for f in chosen))
