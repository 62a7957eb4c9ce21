"""On-disk anchor cache keyed by source content hash + extractor name + version.

A hit returns the stored anchors without decoding the source, so a second `extract` does no decoding.
The content hash covers every file that contributes to the anchors (`Source.files`), and an entry also
records their sizes and modification times, so an edited or deleted sidecar never yields stale cues.
Writes are atomic (temp file + rename) so concurrent corpus workers never read half a file.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from ..core.anchor import Anchor
from ..core.contents import FrameContent, KeyframeContent
from ..core.errors import OutputError
from .files import write_atomic, write_failed

logger = logging.getLogger(__name__)

ENV_VAR = "DATACLAW_CACHE_DIR"


def default_cache_dir() -> Path:
    """`$DATACLAW_CACHE_DIR`, else `~/.cache/dataclaw-tailor/anchors`."""
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path.home() / ".cache" / "dataclaw-tailor" / "anchors"


class AnchorCache:
    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()

    def work_dir(self, content_hash: str) -> Path:
        """Where extractors of this source write files (keyframes, crops)."""
        return self.root / "files" / content_hash[:2] / content_hash

    @contextmanager
    def exclusive(self, content_hash: str, tag: str) -> Iterator[None]:
        """Hold the lock for one (source, extractor) entry, across threads and processes.

        Concurrent runs on the same new source (a corpus, stage-2 construction) would otherwise run the
        same extractor together and trip over each other's files in its work dir.
        """
        lock = self._path(content_hash, tag).with_suffix(".lock")
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fh = lock.open("w")
        except OSError as exc:
            raise write_failed(lock, exc) from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _path(self, content_hash: str, tag: str) -> Path:
        return self.root / content_hash[:2] / content_hash / f"{tag.replace('@', '-')}.json"

    def get(self, content_hash: str, tag: str, files: Iterable[str] = ()) -> list[Anchor] | None:
        """The stored anchors, or None when absent, unreadable, or made from files that have changed since.

        `files` are the source's contributing files: an entry records each one's size and modification
        time when it is written, and a different value (or a missing file) makes it stale. The content
        hash already changes with their bytes; this also catches a Source detected before an edit.
        """
        path = self._path(content_hash, tag)
        try:
            data = json.loads(path.read_text())
            if isinstance(data, dict):
                if data.get("files") != _signature(files):
                    return None
                data = data.get("anchors")
            if not isinstance(data, list):
                return None
            anchors = [Anchor.model_validate(a) for a in data]
        except ValidationError as exc:  # written by an older version whose contents no longer fit their models
            first = exc.errors()[0]
            logger.warning("%s: cached anchors do not fit their content models, extracting again (%s: %s)", path,
                           ".".join(map(str, first["loc"])), first["msg"])
            return None
        except (OSError, ValueError, TypeError, RecursionError):  # a damaged entry is a miss, redone and rewritten
            return None
        for a in anchors:  # frames the extractor wrote into its work dir must still be there
            if isinstance(a.c, KeyframeContent | FrameContent) and a.c.path and not Path(a.c.path).exists():
                return None
        return anchors

    def put(self, content_hash: str, tag: str, anchors: list[Anchor], files: Iterable[str] = ()) -> None:
        """Store anchors; a cache that cannot be written (disk full) only costs the next run the work."""
        entry = {"files": _signature(files), "anchors": [a.model_dump(mode="json") for a in anchors]}
        try:
            write_atomic(self._path(content_hash, tag), json.dumps(entry, allow_nan=False))
        except OutputError as exc:
            logger.warning("anchor cache entry not saved: %s", exc)


def _signature(files: Iterable[str]) -> dict[str, list[int] | None]:
    """path -> [size, mtime_ns] (None when missing) for each contributing file."""
    out: dict[str, list[int] | None] = {}
    for f in sorted(set(files)):
        try:
            st = os.stat(f)
            out[f] = [st.st_size, st.st_mtime_ns]
        except OSError:
            out[f] = None
    return out
