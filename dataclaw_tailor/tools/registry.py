"""The extractor registry: name -> Extractor (version, source kinds, anchor kinds it makes, function).

Adding an extractor: a function `(Source, ExtractContext) -> list[Anchor]` in `tools/builtin.py`, decorated
with `@extractor(name, version, source_kinds, produces)` (its docstring's first line is its description;
heavy imports go inside the function). The registry imports that module on first use and registers
every Extractor it declares, in order; a plugin calls `EXTRACTORS.add(ex.name, ex, ex.description)`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ..core.errors import InputError
from ..core.registry import Registry, declared_in
from ..core.source import Source, SourceKind
from .extractor import Extractor

log = logging.getLogger(__name__)


def _register_builtin_extractors() -> None:
    from . import builtin

    for ex in declared_in(builtin, Extractor):
        EXTRACTORS.add(ex.name, ex, ex.description)


EXTRACTORS: Registry[Extractor] = Registry("extractor", builtins=_register_builtin_extractors)


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
