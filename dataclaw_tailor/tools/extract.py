"""`extract(source, kinds)`: run the extractors for a source, through the anchor cache."""

from __future__ import annotations

from pathlib import Path

from ..core.anchor import Anchor
from ..core.errors import DataClawError, ExtractorError
from ..core.source import Source
from .cache import AnchorCache
from .extractor import ExtractContext, Extractor
from .registry import select_extractors


def extract(source: Source, kinds: list[str] | None = None, cache_dir: str | Path | None = None) -> list[Anchor]:
    """Anchors for `source`: the default extractors of its kind, or those making the given `kinds`.

    Each extractor's output is cached under (content hash, extractor name@version); a cached result is
    reused without reading the source. Anchors come back grouped by extractor in registry order.
    """
    cache = AnchorCache(cache_dir)
    extractors, keep = select_extractors(source, kinds)
    anchors: list[Anchor] = []
    for ex in extractors:
        found = cache.get(source.content_hash, ex.tag, source.files)
        if found is None:
            with cache.exclusive(source.content_hash, ex.tag):
                found = cache.get(source.content_hash, ex.tag, source.files)  # another run may have made it meanwhile
                if found is None:
                    found = _run(ex, source, cache)
        anchors.extend(a for a in found if keep is None or a.kind in keep)
    return anchors


def _run(ex: Extractor, source: Source, cache: AnchorCache) -> list[Anchor]:
    ctx = ExtractContext(work_dir=cache.work_dir(source.content_hash) / ex.name,
                         anchors=lambda kinds: extract(source, kinds, cache_dir=cache.root))
    try:
        found = ex.fn(source, ctx)
    except DataClawError:
        raise
    except Exception as exc:  # a bug or an unforeseen input: name the source and extractor
        raise ExtractorError(f"{source.path}: extractor {ex.tag} failed: {type(exc).__name__}: {exc}") from exc
    try:
        cache.put(source.content_hash, ex.tag, found, source.files)
    except ValueError as exc:  # json refuses NaN and infinity: they have no JSON form
        raise ExtractorError(f"{source.path}: extractor {ex.tag} made an anchor holding NaN or infinity ({exc}); "
                             "nothing was stored") from exc
    return found
