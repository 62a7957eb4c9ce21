"""Content hashes: the identity of a source for caches and corpus manifests."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

CHUNK = 1 << 20


def _feed(digest: "hashlib._Hash", path: Path) -> None:
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)


def content_hash(path: str | Path, files: Iterable[Path] | None = None) -> str:
    """sha256 over the bytes of a file, or over a folder's files in sorted relative-path order.

    Relative paths are hashed too, so renaming a file inside a folder changes the identity; the folder's
    own location does not. `files` names the files that make up the source (they may lie outside the
    folder, e.g. a dataset's metadata beside an episode file: their path relative to it is hashed); only
    regular files are read, so a FIFO or device inside a folder is never opened.
    """
    root = Path(path)
    digest = hashlib.sha256()
    if root.is_file():
        _feed(digest, root)
        return digest.hexdigest()
    members = sorted(set(files if files is not None else (p for p in root.rglob("*") if p.is_file())))
    for member in members:
        digest.update(Path(os.path.relpath(member, root)).as_posix().encode() + b"\0")
        if stat.S_ISREG(os.stat(member).st_mode):
            _feed(digest, member)
    return digest.hexdigest()


def sources_hash(primary: str, files: Iterable[Path]) -> str:
    """The identity of a source made of a primary part (its `content_hash`) and files beside it.

    Each extra file adds its name and bytes, so editing, adding, renaming or deleting one (a sidecar
    subtitle, a metadata file) gives another identity. With no extra files it is `primary` itself.
    """
    extra = sorted(Path(f) for f in files)
    if not extra:
        return primary
    digest = hashlib.sha256(primary.encode() + b"\0")
    for member in extra:
        digest.update(member.name.encode() + b"\0" + content_hash(member).encode() + b"\0")
    return digest.hexdigest()
