"""What an anchor extractor is: a function from a source to anchors, with the facts the registry selects by.

An extractor's version is part of the anchor cache key, so bump it whenever its output could change.
It declares the anchor kinds it makes by their content models (`core.contents`), or by name for a kind
whose content is text; a kind without a declared content type is refused when the extractor is declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.anchor import Anchor
from ..core.contents import AnchorContent, content_type
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


def anchor_kinds(name: str, produces: tuple[str | type[AnchorContent], ...]) -> tuple[str, ...]:
    """The kinds an extractor declares (a content model stands for its kind); each must have a content type."""
    kinds = tuple(p.kind if isinstance(p, type) and issubclass(p, AnchorContent) else str(p) for p in produces)
    undeclared = [k for k in kinds if content_type(k) is None]
    if undeclared:
        raise ValueError(f"extractor {name!r} makes anchor kinds without a content type: {', '.join(undeclared)} "
                         "(declare an AnchorContent subclass with kind=..., or register_text_kind)")
    return kinds


def extractor(name: str, version: int, source_kinds: set[SourceKind] | frozenset[SourceKind],
              produces: tuple[str | type[AnchorContent], ...], default: bool = True) -> Callable[[ExtractFn], Extractor]:
    """Decorator that declares a function as an Extractor; its docstring's first line describes it.

    `produces` lists the content models of the anchor kinds it makes (a text kind by its name).
    `default=False` makes it opt-in (run only when asked for by name or by an anchor kind it makes).
    """
    kinds = anchor_kinds(name, produces)

    def wrap(fn: ExtractFn) -> Extractor:
        return Extractor(name, version, frozenset(source_kinds), kinds, fn, default, first_line(fn.__doc__))

    return wrap
