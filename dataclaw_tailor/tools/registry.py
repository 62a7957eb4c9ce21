"""The extractor registry: name -> Extractor (version, source kinds, anchor kinds it makes, function).

An extractor's version is part of the anchor cache key, so bump it whenever its output could change.
Adding an extractor: a function `(Source, ExtractContext) -> list[Anchor]` decorated with
`@register_extractor(name, version, source_kinds, produces)` in `tools/builtin.py` (its docstring's first
line is its description; heavy imports go inside the function).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.anchor import Anchor
from ..core.errors import InputError
from ..core.registry import Registry, first_line
from ..core.source import Source, SourceKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractContext:
    """What an extractor may use besides the source: where to write frame files, and the cache root
    (an extractor may reuse another's cached anchors, e.g. OCR reads the keyframes)."""

    work_dir: Path
    cache_root: Path


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


def _import_builtin_extractors() -> None:
    from . import builtin  # noqa: F401  (its decorators register the built-in extractors)


EXTRACTORS: Registry[Extractor] = Registry("extractor", builtins=_import_builtin_extractors)


def register_extractor(name: str, version: int, source_kinds: set[SourceKind] | frozenset[SourceKind],
                       produces: tuple[str, ...], default: bool = True) -> Callable[[ExtractFn], ExtractFn]:
    """Decorator that registers a function as an extractor in EXTRACTORS."""

    def wrap(fn: ExtractFn) -> ExtractFn:
        description = first_line(fn.__doc__)
        EXTRACTORS.add(name, Extractor(name, version, frozenset(source_kinds), produces, fn, default, description),
                       description)
        return fn

    return wrap


def select_extractors(source: Source, kinds: list[str] | None) -> tuple[list[Extractor], set[str] | None]:
    """The extractors to run and the anchor kinds to keep (None = all they make).

    `kinds` may name extractors ("video", "ocr") or anchor kinds ("shot", "gui_event"); an anchor kind
    runs the extractor that makes it. Unknown names, or names that do not apply to the source's kind,
    raise InputError naming the source.
    """
    usable = [e for e in EXTRACTORS.values() if source.kind in e.source_kinds]
    if not kinds:
        return [e for e in usable if e.default], None
    chosen: dict[str, Extractor] = {}
    keep: set[str] = set()
    by_name = {e.name: e for e in usable}
    for name in kinds:
        if name in by_name:
            chosen[name] = by_name[name]
            keep.update(by_name[name].produces)
            continue
        maker = next((e for e in usable if name in e.produces), None)
        if maker is None:
            known = sorted({e.name for e in usable} | {k for e in usable for k in e.produces})
            log.debug("no extractor makes %r for a %s source", name, source.kind.value)
            raise InputError(source.path, f"no extractor makes '{name}' for a {source.kind.value} source "
                                          f"(known: {', '.join(known)})")
        chosen[maker.name] = maker
        keep.add(name)
    return list(chosen.values()), keep


def applicable(wanted: Iterable[str], kind: SourceKind) -> list[str] | None:
    """The wanted anchor kinds that some registered extractor makes for a source kind.

    Experts declare the anchor kinds they can use across several source kinds; callers ask only for
    those this source can yield. None (run the defaults) when none applies.
    """
    made = {k for e in EXTRACTORS.values() if kind in e.source_kinds for k in e.produces}
    return [k for k in wanted if k in made] or None
