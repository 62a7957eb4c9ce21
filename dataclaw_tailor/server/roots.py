"""Allowed roots: the only places the MCP server reads from or writes to.

An assistant may pass any string as a path, and it follows instructions it finds in the data it reads,
so every path a tool touches goes through `Roots.resolve`. A path is accepted only when its real
location (after `..` and every symlink are resolved) lies inside the real location of a root. Relative
paths are taken relative to the first root. There is no implicit root: desktop hosts often start
servers in `/` or the home folder, so "the working directory" would quietly mean "everything".

The roots are the `--root DIR` flags of whoever started the server. The roots an MCP client declares
(`roots/list`) can only narrow that set (`narrowed_to`), never widen it: the client is not the user who
started the server, and a prompt-injected assistant speaks through it. Only a single-user stdio setup
started with `--trust-client-roots` takes the client's roots as they are (`with_client`).

A refusal never names a location outside the roots: it repeats the string the caller gave and says
why (a `..` that leaves a root, a symlink that leads out), not where a symlink points.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from mcp.server.mcpserver.exceptions import ToolError

log = logging.getLogger(__name__)

MAX_PATH_BYTES = 4096
"""PATH_MAX on Linux: no real path is longer, so a longer one is refused before the file system sees it."""
MAX_NAME_BYTES = 255
"""NAME_MAX: the longest one path component may be."""
LOCAL_HOSTS = ("", "localhost")
"""The hosts a `file://` URI may name and still mean this machine (RFC 8089)."""


def root_from_uri(uri: str) -> Path | None:
    """A client's `file://` root URI as a local path; None for other schemes and for a non-local host.

    `file://fileserver/share` names a folder on another machine; mapping it to `/share` here would
    hand the client a local folder it never named, so such a root is refused (it matches nothing).
    """
    parsed = urlparse(str(uri))
    if parsed.scheme != "file":
        return None
    if parsed.netloc.lower() not in LOCAL_HOSTS:
        log.warning("client root %s names host %r, not this machine; ignored", uri, parsed.netloc)
        return None
    path = unquote(parsed.path)
    if "\0" in path or not path.startswith("/"):
        return None
    return Path(path)


def _real(path: str | os.PathLike[str]) -> Path | None:
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return None


class Roots:
    """The resolved set of directories a call may touch."""

    def __init__(self, dirs: Iterable[str | os.PathLike[str]] = (), *, empty_because: str | None = None):
        """`empty_because` says why a set is empty (shown when a path is refused for want of any root)."""
        resolved: list[Path] = []
        for d in dirs:
            real = _real(d)
            if real is not None and real not in resolved:
                resolved.append(real)
        self.dirs: tuple[Path, ...] = tuple(resolved)
        self.empty_because = empty_because

    def narrowed_to(self, client_dirs: Sequence[Path]) -> Roots:
        """The part of these roots that also lies under one of the client's roots.

        A client root inside a root is kept as it is; a root inside a client root is kept whole; a client
        root beside every root (or `file:///` when the roots are narrower) adds nothing.
        """
        kept: list[Path] = []
        for given in client_dirs:
            client = _real(given)
            if client is None:
                continue
            for root in self.dirs:
                if client.is_relative_to(root):
                    kept.append(client)
                elif root.is_relative_to(client):
                    kept.append(root)
        why = None if kept else "none of the client's roots lies inside the server's roots (client roots only narrow them)"
        return Roots(kept, empty_because=why)

    def with_client(self, client_dirs: Sequence[Path]) -> Roots:
        """These roots plus the client's own: only for a server started with `--trust-client-roots`."""
        return Roots([*self.dirs, *client_dirs])

    def contains(self, real: Path) -> bool:
        return any(real == d or real.is_relative_to(d) for d in self.dirs)

    def is_root(self, real: Path) -> bool:
        return real in self.dirs

    def resolve(self, path: str, *, field: str = "path", must_exist: bool = True) -> Path:
        """The real path for `path`, or a `ToolError` naming the argument and why it is refused.

        A multi-episode selector (`dataset#episode=N`) is kept on the resolved dataset path.

        `must_exist=False` is for outputs: the file may be new, but its real location still has to be
        inside a root (so a symlinked parent cannot redirect a write elsewhere).
        """
        from ..tools.robot.episode import split_episode

        check_path_text(path, field)
        if not self.dirs:
            raise ToolError(f"{field}: {path} is outside the allowed roots (there are none: " + (
                self.empty_because or "start the server with `claw mcp --root DIR`; see README, Security model"
            ) + ")")
        given, episode = split_episode(Path(path).expanduser())
        candidate = given if given.is_absolute() else self.dirs[0] / given
        real = _real(candidate)
        if real is None:
            raise ToolError(f"{field}: {path}: cannot be resolved (a symlink loop?)")
        if not self.contains(real):
            raise ToolError(f"{field}: {path} is outside the allowed roots ({self.describe()}){self._why(candidate)}")
        try:
            exists = real.exists()
        except OSError as exc:
            raise ToolError(f"{field}: {path}: cannot be read ({exc.strerror})") from None
        if must_exist and not exists:
            raise ToolError(f"{field}: {path}: no such file or directory")
        return real if episode is None else Path(f"{real}#episode={episode}")

    def describe(self) -> str:
        return ", ".join(str(d) for d in self.dirs)

    def _why(self, candidate: Path) -> str:
        """Why a path that reads as inside a root is not: never where it really leads."""
        if ".." in candidate.parts:
            return "; '..' may not leave a root"
        if self.contains(Path(os.path.abspath(candidate))):
            return "; it is (or runs through) a symlink that leads out of them"
        return ""


def check_path_text(path: object, field: str) -> None:
    """Refuse what no file system call should see: a non-string, an empty string, a NUL byte, an over-long path."""
    if not isinstance(path, str) or not path.strip():
        raise ToolError(f"{field}: empty path")
    if "\0" in path:
        raise ToolError(f"{field}: the path contains a NUL byte")
    size = len(path.encode("utf-8", "surrogatepass"))
    if size > MAX_PATH_BYTES:
        raise ToolError(f"{field}: the path is {size} bytes long, over the {MAX_PATH_BYTES} a path may have")
    longest = max(len(part.encode("utf-8", "surrogatepass")) for part in path.split("/"))
    if longest > MAX_NAME_BYTES:
        raise ToolError(f"{field}: a name in the path is {longest} bytes long, over the {MAX_NAME_BYTES} a file name may have")
