"""`detect(path) -> Source`: what kind of stream a path holds, judged by content, with its physical facts.

The registered input formats (`tools/formats/`) are asked in their declared priority order; the first
whose `sniff` accepts the path describes it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..core.errors import InputError, UnsupportedFormat
from ..core.source import Source
from .formats import sniff, titles
from .robot.episode import split_episode

log = logging.getLogger(__name__)


def detect(path: str | Path) -> Source:
    """Detect the stream kind at `path` by content and return a Source with its hash and meta.

    A `#episode=N` suffix selects one episode of a multi-episode file or dataset. Raises InputError
    (missing, empty, unreadable) or UnsupportedFormat (readable but not a known stream), each naming
    the file and the problem in one line.
    """
    p, _ = split_episode(Path(path).expanduser())
    given = str(Path(path).expanduser())
    if not p.exists():
        raise InputError(p, "no such file or folder")
    if p.is_file() and p.stat().st_size == 0:
        raise InputError(p, "empty file (0 bytes)")
    fmt = sniff(p)
    if fmt is None:
        where = "folder holds no stream layout" if p.is_dir() else "file is no stream format"
        raise UnsupportedFormat(p, f"{where} we know ({titles(folder=p.is_dir())})")
    source = fmt.describe(fmt, given, p)
    log.debug("%s: %s (%s), content hash %s", given, source.kind.value, source.format, source.content_hash[:12])
    return source
