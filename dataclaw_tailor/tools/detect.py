"""`detect(path) -> Source`: what kind of stream a path holds, judged by content, with its physical facts.

The registered input formats (`tools/formats/`) are asked in their declared priority order; the first
whose `sniff` accepts the path describes it.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

from pydantic import ValidationError

from ..core.errors import DataClawError, InputError, UnsupportedFormat, first_problem
from ..core.source import Source
from .files import check_file, os_error

log = logging.getLogger(__name__)


def detect(path: str | Path) -> Source:
    """Detect the stream kind at `path` by content and return a Source with its hash and meta.

    A `#episode=N` suffix selects one episode of a multi-episode file or dataset. Raises InputError
    (missing, empty, unreadable) or UnsupportedFormat (readable but not a known stream), each naming
    the file and the problem in one line.
    """
    # The formats load their readers (numpy among them) on the first detection, not on `import tools`:
    # a module that only reads files or lists extractors (an MCP server starting) must not pay for them.
    from .formats import sniff, titles
    from .robot.episode import split_episode

    p, _ = split_episode(Path(path).expanduser())
    given = str(Path(path).expanduser())
    _check_source(p)
    fmt = None
    try:
        fmt = sniff(p)
        if fmt is None:
            where = "folder holds no stream layout" if p.is_dir() else "file is no stream format"
            raise UnsupportedFormat(p, f"{where} we know ({titles(folder=p.is_dir())})")
        source = fmt.describe(fmt, given, p)
        log.debug("%s: %s (%s), content hash %s", given, source.kind.value, source.format, source.content_hash[:12])
        return source
    except DataClawError:
        raise
    except OSError as exc:  # a file inside the source we may not read, that vanished, or that loops
        raise os_error(exc.filename or p, exc, "file") from None
    except ValidationError as exc:  # raw data that does not fit the canonical model (a GuiTrace, say)
        raise InputError(p, f"{fmt.title if fmt else 'source'}: {first_problem(exc)}") from None
    except RecursionError:
        raise InputError(p, "nests too deeply to read") from None
    except MemoryError:
        raise InputError(p, "too large to read into memory") from None
    except Exception as exc:  # a loader bug on an input nobody foresaw: still one line naming the file
        log.warning("%s: detection failed", p, exc_info=True)
        raise InputError(p, f"unexpected {type(exc).__name__} while reading it: {str(exc).splitlines()[0][:200] if str(exc) else ''}") from None


def _check_source(p: Path) -> None:
    """Refuse what can never be a source before any format opens it: a missing path, a symlink loop, a
    FIFO (opening one blocks until a writer comes), a device or socket, an unreadable or empty file."""
    try:
        st = os.stat(p)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise InputError(p, "no such file or folder") from None
        raise os_error(p, exc, "source") from None
    if stat.S_ISDIR(st.st_mode):
        if not os.access(p, os.R_OK | os.X_OK):
            raise InputError(p, "cannot read the folder (permission denied)")
        return
    check_file(p, "source")
    if st.st_size == 0:
        raise InputError(p, "empty file (0 bytes)")
