"""Reading the user's files with bounds and one error style, and writing outputs atomically.

Every command and tool that reads a file the user named raises `InputError(path, problem)` from here, so
"not found", "not JSON (line 3)" and "is a folder" read the same everywhere. Every read is bounded: a FIFO,
a device or a symlink loop is refused before it is opened, a file larger than the caller's cap is refused
before it is read, and gzip is inflated in pieces up to a cap, so a hostile input costs at most the cap in
memory. Every output that a rerun or a concurrent reader may see is replaced atomically, so a crash never
leaves half a file; appends to a JSONL file are whole lines or nothing.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core import InputError, OutputError

MAX_TEXT_BYTES = 256 << 20
"""Default cap for one text/JSON file a loader reads whole (metadata, traces, subtitles)."""
MAX_META_BYTES = 16 << 20
"""Cap for small metadata files (info.json, episodes.jsonl, dataset_info.json)."""
GZIP_MAGIC = b"\x1f\x8b"


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def check_file(path: str | Path, what: str) -> os.stat_result:
    """stat() of a regular file the caller may open; anything else is an InputError naming the file.

    Refused: missing, a folder, a FIFO (opening one blocks until a writer comes), a device, a socket, a
    symlink loop, a file we may not read.
    """
    file = Path(path)
    try:
        st = os.stat(file)
    except OSError as exc:
        raise os_error(file, exc, what) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(file, f"{what} is not a file (a folder)")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or
                stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise InputError(file, f"{what} is {kind}, not a regular file")
    if not os.access(file, os.R_OK):
        raise InputError(file, f"cannot read {what} (permission denied)")
    return st


def os_error(path: str | Path, exc: OSError, what: str) -> InputError:
    """An OSError met while reading `path` as one InputError line naming it."""
    reason = {errno.ENOENT: f"{what} file not found", errno.ELOOP: f"{what} path is a symlink loop",
              errno.EACCES: f"cannot read {what} (permission denied)",
              errno.ENAMETOOLONG: f"{what} path is too long",
              errno.ENOTDIR: f"{what} path runs through a file, not a folder"}.get(exc.errno)
    return InputError(path, reason or f"cannot read {what} ({exc.strerror or exc})")


def is_regular(path: str | Path) -> bool:
    """True for a regular file (following symlinks); False for anything else, loops and errors included."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_bytes(path: str | Path, what: str, limit: int = MAX_TEXT_BYTES, *, gunzip: bool = False) -> bytes:
    """The file's bytes, at most `limit` of them (gzip inflated first when `gunzip` and the file is gzip).

    A compressed file is inflated in pieces and refused as soon as its output passes `limit`, so a small
    gzip bomb costs `limit` bytes, not its claimed size.
    """
    file = Path(path)
    st = check_file(file, what)
    try:
        with open(file, "rb") as fh:
            head = fh.read(2)
            if gunzip and head == GZIP_MAGIC:
                return _gunzip(file, head, fh, what, limit)
            if st.st_size > limit:
                raise InputError(file, f"{what} is {_size(st.st_size)}, over the {_size(limit)} this reader accepts")
            data = head + fh.read(limit + 1 - len(head))
    except OSError as exc:
        raise os_error(file, exc, what) from None
    if len(data) > limit:
        raise InputError(file, f"{what} is over the {_size(limit)} this reader accepts")
    return data


def _gunzip(file: Path, head: bytes, fh, what: str, limit: int) -> bytes:
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = head + fh.read(1 << 16)
    try:
        while pending:
            out += inflate.decompress(pending, limit + 1 - len(out))
            if len(out) > limit:
                raise InputError(file, f"{what} inflates past the {_size(limit)} this reader accepts (gzip bomb?)")
            # unconsumed_tail holds input not yet inflated because of the output cap
            pending = inflate.unconsumed_tail or (b"" if inflate.eof else fh.read(1 << 16))
            if inflate.eof:
                break
    except zlib.error as exc:
        raise InputError(file, f"{what} is corrupt gzip ({exc})") from None
    if not inflate.eof:
        raise InputError(file, f"{what} is truncated gzip (the stream ends early)")
    return bytes(out)


def decode_text(data: bytes, file: str | Path, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(file, f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def read_text(path: str | Path, what: str, limit: int = MAX_TEXT_BYTES, *, gunzip: bool = False) -> str:
    """The file's UTF-8 text; a missing file, a folder, a FIFO, an oversized file or undecodable bytes is an
    InputError naming `what`."""
    return decode_text(read_bytes(path, what, limit, gunzip=gunzip), path, what)


def parse_json(text: str | bytes, file: str | Path, what: str, where: str = "") -> Any:
    """json.loads with every way it can fail (syntax, 5,000-digit integers, 100,000-deep nesting) as one
    InputError line; `where` (e.g. "line 3") says which part of the file."""
    place = f" ({where})" if where else ""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(file, f"{what}{place} is not valid JSON ({exc})") from None
    except RecursionError:
        raise InputError(file, f"{what}{place} nests too deeply to read") from None
    except (ValueError, TypeError) as exc:  # e.g. an integer beyond Python's digit limit, bytes not UTF-8
        raise InputError(file, f"{what}{place} is not valid JSON ({str(exc).splitlines()[0][:120]})") from None


def read_json(path: str | Path, what: str, limit: int = MAX_TEXT_BYTES, *, gunzip: bool = False) -> Any:
    """One JSON document."""
    return parse_json(read_text(path, what, limit, gunzip=gunzip), path, what)


def iter_jsonl(path: str | Path, what: str, limit: int = MAX_TEXT_BYTES) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line; a line that is not JSON is an InputError naming it."""
    for n, line in enumerate(read_text(path, what, limit).splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"line {n} is not JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(path, f"line {n} nests too deeply to read") from None
        except ValueError as exc:
            raise InputError(path, f"line {n} is not JSON ({str(exc).splitlines()[0][:120]})") from None


def read_data(path: str | Path, what: str) -> Any:
    """A YAML (`.yaml`/`.yml`), JSONL (`.jsonl`, as a list) or JSON file, chosen by suffix."""
    file = Path(path)
    if file.suffix == ".jsonl":
        return [value for _, value in iter_jsonl(file, what)]
    if file.suffix not in (".yaml", ".yml"):
        return read_json(file, what)
    import yaml

    text = read_text(file, what)
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise InputError(file, f"{what} nests too deeply to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(file, f"{what} is not valid YAML{where} ({getattr(exc, 'problem', None) or exc})") from None


MAX_IMAGE_PIXELS = 40_000_000
"""Pixels of one still image we decode (120 MB as RGB): screenshots and photos are far smaller; a PNG of
a few hundred KB can claim 30,000 x 30,000 (900 MB), and PIL refuses only past 179 M pixels."""


@contextmanager
def open_image(path: str | Path, what: str = "image") -> Iterator[Any]:
    """A PIL image opened lazily (its header read, no pixels decoded), refused as an InputError naming the
    file when it is no image, a FIFO or device, or claims more than MAX_IMAGE_PIXELS."""
    from PIL import Image

    file = Path(path)
    check_file(file, what)
    try:
        im = Image.open(file)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:  # UnidentifiedImageError is an OSError
        raise InputError(file, f"{what} is not a readable image ({str(exc).splitlines()[0][:120]})") from None
    with im:
        w, h = im.size
        if w <= 0 or h <= 0 or w * h > MAX_IMAGE_PIXELS:
            raise InputError(file, f"{what} is {w}x{h} pixels, over the {MAX_IMAGE_PIXELS} pixels we decode")
        yield im


def image_size(path: str | Path, what: str = "image") -> tuple[int, int]:
    """(width, height) from the header, checked as `open_image` does."""
    with open_image(path, what) as im:
        return im.size


def decode_image(path: str | Path, what: str = "image", mode: str = "RGB", max_side: int | None = None,
                 size: tuple[int, int] | None = None) -> Any:
    """The image's pixels as a numpy array in `mode`: resized to `size` when given, else at most `max_side`
    on its longer side (JPEGs decode straight at the reduced size); a damaged or truncated image is an
    InputError naming the file."""
    import numpy as np

    with open_image(path, what) as im:
        try:
            if size is not None:
                im.draft(mode, size)
                im = im.convert(mode).resize(size)
            elif max_side and max(im.size) > max_side:
                im.draft(mode, (max_side, max_side))
                im = im.convert(mode)
                im.thumbnail((max_side, max_side))
            else:
                im = im.convert(mode)
            return np.asarray(im)
        except (OSError, ValueError, SyntaxError, MemoryError) as exc:
            raise InputError(path, f"{what} cannot be decoded ({str(exc).splitlines()[0][:120]})") from None


def write_failed(path: str | Path, exc: OSError) -> OutputError:
    """An OSError met while writing `path` as one OutputError line naming it (disk full, read-only, ...)."""
    reason = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
              errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
              errno.ENOTDIR: "a parent path is a file, not a folder"}.get(exc.errno)
    return OutputError(path, f"cannot write ({reason or exc.strerror or exc})")


def new_file_mode() -> int:
    """The mode a plain `open(path, "w")` would give a new file: 0o666 less the process's umask.

    A temp file from `mkstemp` is private (0600) so no one reads it half-written; it gets this mode before
    it replaces the output, so an output's permissions follow the umask like any file the user creates.
    The umask is read from /proc where there is one (setting it to read it races with other threads).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            umask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | Path, text: str) -> None:
    """Replace `path` with `text` in one step (a temp file beside it, then `os.replace`); a failed write
    (disk full) leaves the old file as it was and raises OutputError naming `path`."""
    file = Path(path)
    tmp: str | None = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
        os.fchmod(fd, new_file_mode())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, file)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise write_failed(file, exc) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def recover_jsonl(path: str | Path) -> None:
    """Cut a torn last line (one a crash or a full disk left without its newline) from a JSONL file we
    append to, so the next append starts on a line of its own and no reader sees half a record. Holds
    the file's append lock, so it never cuts a line another process is writing."""
    file = Path(path)
    try:
        with open(file, "rb+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return
            end, step = size, 1 << 16
            while end > 0:  # find the last newline, reading backwards
                start = max(0, end - step)
                fh.seek(start)
                chunk = fh.read(end - start)
                cut = chunk.rfind(b"\n")
                if cut >= 0:
                    fh.truncate(start + cut + 1)
                    return
                end = start
            fh.truncate(0)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise write_failed(file, exc) from None


def append_line(path: str | Path, line: str) -> None:
    """Append one line to a JSONL file, whole or not at all: a write cut short (disk full) is undone
    before the OutputError naming the file is raised, so the file never holds a torn line. Appends hold
    an exclusive lock on the file, so concurrent writers (corpus workers, server calls) never interleave."""
    file = Path(path)
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise write_failed(file, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        start = os.fstat(fd).st_size
        written = 0
        try:
            while written < len(data):
                written += os.write(fd, data[written:])
        except OSError as exc:
            if written:
                os.ftruncate(fd, start)
            raise write_failed(file, exc) from None
    except OSError as exc:
        raise write_failed(file, exc) from None
    finally:
        os.close(fd)
