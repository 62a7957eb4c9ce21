"""Content hashes: the identity of a source for caches and corpus manifests."""

from __future__ import annotations

import hashlib
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
    own location does not. `files` restricts a folder hash to the files that make up the source.
    """
    root = Path(path)
    digest = hashlib.sha256()
    if root.is_file():
        _feed(digest, root)
        return digest.hexdigest()
    members = sorted(files if files is not None else (p for p in root.rglob("*") if p.is_file()))
    for member in members:
        digest.update(member.relative_to(root).as_posix().encode() + b"\0")
        _feed(digest, member)
    return digest.hexdigest()
