"""What an anchor extractor is: a function from a source to anchors, with the facts the registry selects by.

An extractor's version is part of the anchor cache key, so bump it whenever its output could change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.anchor import Anchor
from ..core.registry import first_line
from ..core.source import Source, SourceKind


@dataclass(frozen=True)
class ExtractContext:
    """What an extractor may use besides the source: where to write frame files, and `anchors(kinds)`,
    the anchors other extractors make for the same source, through the cache (OCR reads the keyframes)."""

    work_dir: Path
    anchors: Callable[[list[str]], list[Anchor]]


ExtractFn = Callable[[Source, ExtractContext], list[Anchor]]


@dataclass(frozen=True)
class Extractor:
    name: str
    version: int
    source_kinds: frozenset[SourceKind]
    produces: tuple[str, ...]
    fn: ExtractFn
    default: bool = True
    description: str = ""

    @property
    def tag(self) -> str:
        return f"{self.name}@{self.version}"


def extractor(name: str, version: int, source_kinds: set[SourceKind] | frozenset[SourceKind],
              produces: tuple[str, ...], default: bool = True) -> Callable[[ExtractFn], Extractor]:
    """Decorator that declares a function as an Extractor; its docstring's first line describes it.

    `default=False` makes it opt-in (run only when asked for by name or by an anchor kind it makes).
    """

    def wrap(fn: ExtractFn) -> Extractor:
        return Extractor(name, version, frozenset(source_kinds), produces, fn, default, first_line(fn.__doc__))

    return wrap
