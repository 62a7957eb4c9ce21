"""Write safety: the one way a tool writes a file or folder it was asked to (`out`), and never destroys one.

An assistant chooses `out`, and an injected instruction can choose it for it; a host may approve a
write without asking. So every tool that writes claims its outputs first:

    async with server_state(ctx).writes.claim(roots, [Output(target)], overwrite=overwrite, reading=[source]):
        write_envelope(result, target)

and the claim refuses, with the reason, any output that would

- replace a file the server did not write, unless the caller passed `overwrite: true`, and even then
  anything but a JSON, JSONL or parquet file (a video, a trace, a script is never replaced);
- fill a folder that holds files the server did not put there (a folder output must be new, empty,
  or one this server made; `overwrite` does not apply to folders);
- land inside a source the call reads, or hold one (a record written into a trace folder would
  change the source; a corpus written over its own items would read itself next time);
- be a root itself or an existing folder where a file is expected (`out="."` would put the atomic
  write's temporary file beside the root, outside it).

"The server wrote it" is a fact kept in `outputs.sqlite` in the state dir: each claimed path with its
identity (device, inode, size, modification time) after the server's last write. A file changed since
by someone else no longer matches, so it counts as theirs. Claims on one path are serialised, so fifty
concurrent calls appending to one JSONL file each find the file as the one before left it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from .roots import Roots

REPLACEABLE = (".json", ".jsonl", ".parquet")
"""The only kinds of file `overwrite: true` may replace: data files of the kinds the server itself writes."""


@dataclass(frozen=True)
class Output:
    """A path a tool is about to write (already resolved inside the roots), and whether it is a folder."""

    path: Path
    folder: bool = False
    field: str = "out"


def _identity(st: os.stat_result, folder: bool) -> tuple[int, int, int, int]:
    """What says a path is still what the server left: a folder by its inode, a file by its inode, size and mtime."""
    return (st.st_dev, st.st_ino, 0, 0) if folder else (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Ledger:
    """The outputs this server wrote, in `folder/outputs.sqlite`, shared by every server on that state dir."""

    def __init__(self, folder: Path):
        self.db = folder / "outputs.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.db, timeout=30)
        conn.execute("CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, dev INT, ino INT, size INT, mtime_ns INT)")
        return conn

    def wrote(self, path: Path, st: os.stat_result, folder: bool) -> bool:
        with self._connect() as conn:
            row = conn.execute("SELECT dev, ino, size, mtime_ns FROM outputs WHERE path = ?", (str(path),)).fetchone()
        return row is not None and tuple(row) == _identity(st, folder)

    def record(self, path: Path, folder: bool) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return  # the tool decided not to write it after all
        with self._connect() as conn:
            conn.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)", (str(path), *_identity(st, folder)))


class Writes:
    """Claims on output paths: checked against the rules above, serialised per path, recorded once written."""

    def __init__(self, state_dir: Path):
        self.ledger = Ledger(state_dir)
        self._locks: dict[Path, anyio.Lock] = {}

    def check(self, roots: Roots, outputs: Sequence[Output], *, overwrite: bool = False, reading: Sequence[Path] = ()) -> None:
        """Refuse (a `ToolError` naming the argument and the reason) any output the rules forbid."""
        from ..tools.robot.episode import split_episode

        sources = [split_episode(p)[0] for p in reading]
        for out in outputs:
            self._check_one(roots, out, overwrite, sources)

    @asynccontextmanager
    async def claim(
        self, roots: Roots, outputs: Sequence[Output], *, overwrite: bool = False, reading: Sequence[Path] = (),
    ) -> AsyncIterator[None]:
        """Check `outputs`, hold them while the body writes, then record what the body wrote as the server's."""
        paths = sorted({o.path for o in outputs})
        locks = [self._locks.setdefault(p, anyio.Lock()) for p in paths]  # sorted: two claims never wait on each other
        for lock in locks:
            await lock.acquire()
        try:
            await anyio.to_thread.run_sync(lambda: self.check(roots, outputs, overwrite=overwrite, reading=reading))
            yield
            await anyio.to_thread.run_sync(lambda: [self.ledger.record(o.path, o.folder) for o in outputs])
        finally:
            for lock in reversed(locks):
                lock.release()

    def _check_one(self, roots: Roots, out: Output, overwrite: bool, sources: list[Path]) -> None:
        path, field = out.path, out.field
        if roots.is_root(path):
            raise ToolError(f"{field}: {path} is an allowed root itself; name a {'folder' if out.folder else 'file'} inside it")
        for source in sources:
            if path.is_relative_to(source):
                raise ToolError(f"{field}: {path} is {'the' if path == source else 'inside the'} source this call reads; write it beside the source")
            if out.folder and source.is_relative_to(path):
                raise ToolError(f"{field}: {path} holds a source this call reads; give the output a folder of its own")
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ToolError(f"{field}: {path}: cannot be checked ({exc.strerror})") from None
        if out.folder:
            if not stat.S_ISDIR(st.st_mode):
                raise ToolError(f"{field}: {path} exists and is not a folder")
            if self.ledger.wrote(path, st, folder=True) or not any(path.iterdir()):
                return
            raise ToolError(f"{field}: {path} is a folder with files this server did not write; name a new or empty folder")
        if stat.S_ISDIR(st.st_mode):
            raise ToolError(f"{field}: {path} is a folder; name a file inside it")
        if not stat.S_ISREG(st.st_mode):
            raise ToolError(f"{field}: {path} is not a regular file and is never written to")
        if self.ledger.wrote(path, st, folder=False):
            return
        if path.suffix.lower() not in REPLACEABLE:
            raise ToolError(f"{field}: {path} exists and is not a file this server wrote; a {path.suffix or 'suffix-less'} file is "
                            f"never replaced (only {', '.join(REPLACEABLE)} files, with `overwrite: true`); choose a new name")
        if not overwrite:
            raise ToolError(f"{field}: {path} exists and is not a file this server wrote (or it changed since); "
                            "pass `overwrite: true` to replace it, or choose a new name")
