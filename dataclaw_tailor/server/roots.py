"""Allowed roots: the only places the MCP server reads from or writes to.

An assistant may pass any string as a path, so every path a tool touches goes through `Roots.resolve`.
Roots come from two places: `--root DIR` flags given by whoever started the server, and the roots the
MCP client declares (`roots/list`). A path is accepted only when its real location (after `..` and
every symlink are resolved) lies inside the real location of one of those roots. Relative paths are
taken relative to the first root. There is no implicit root: desktop hosts often start servers in
`/` or the home folder, so "the working directory" would quietly mean "everything".
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from mcp.server.mcpserver.exceptions import ToolError

from ..tools.robot.episode import split_episode


def root_from_uri(uri: str) -> Path | None:
    """A `file://` root URI as a local path; other schemes name nothing on this machine."""
    parsed = urlparse(str(uri))
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


class Roots:
    """The resolved set of directories a call may touch."""

    def __init__(self, dirs: Iterable[str | os.PathLike[str]] = ()):
        resolved: list[Path] = []
        for d in dirs:
            real = Path(d).expanduser().resolve()
            if real not in resolved:
                resolved.append(real)
        self.dirs: tuple[Path, ...] = tuple(resolved)

    def with_client(self, client_dirs: Sequence[Path]) -> Roots:
        """These roots plus the client's declared roots."""
        return Roots([*self.dirs, *client_dirs])

    def contains(self, real: Path) -> bool:
        return any(real == d or real.is_relative_to(d) for d in self.dirs)

    def resolve(self, path: str, *, field: str = "path", must_exist: bool = True) -> Path:
        """The real path for `path`, or a `ToolError` naming the argument and why it is refused.

        A multi-episode selector (`dataset#episode=N`) is kept on the resolved dataset path.

        `must_exist=False` is for outputs: the file may be new, but its real location still has to be
        inside a root (so a symlinked parent cannot redirect a write elsewhere).
        """
        if not isinstance(path, str) or not path.strip():
            raise ToolError(f"{field}: empty path")
        if not self.dirs:
            raise ToolError(
                f"{field}: {path}: no allowed roots; start the server with `claw mcp --root DIR` "
                "or connect from a client that declares its roots"
            )
        given, episode = split_episode(Path(path).expanduser())
        candidate = given if given.is_absolute() else self.dirs[0] / given
        real = candidate.resolve()
        if not self.contains(real):
            raise ToolError(f"{field}: {path} is outside the allowed roots ({self.describe()}){self._why(candidate, real)}")
        if must_exist and not real.exists():
            raise ToolError(f"{field}: {path}: no such file or directory")
        return real if episode is None else Path(f"{real}#episode={episode}")

    def describe(self) -> str:
        return ", ".join(str(d) for d in self.dirs)

    def _why(self, candidate: Path, real: Path) -> str:
        if ".." in candidate.parts:
            return "; '..' may not leave a root"
        if candidate.absolute() != real and self.contains(Path(os.path.abspath(candidate))):
            return f"; it is a symlink to {real}"
        return ""
