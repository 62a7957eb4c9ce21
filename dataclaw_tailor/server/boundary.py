"""The boundary every tool goes through: which roots a call may touch, and what its errors may say.

A tool takes its roots as a parameter resolved per call, `roots: Annotated[Roots, Resolve(allowed_roots)]`,
and runs its work inside `tool_errors(roots)`. So a new tool inherits both rules by using the two names:

- `allowed_roots`: the server's `--root` folders, narrowed by the roots the client declares (the
  client's roots are fetched with the SDK's `ListRoots` resolver, under both protocol generations);
  taken as they are only when the server was started with `--trust-client-roots`.
- `tool_errors`: the package's deliberate errors become one-line tool errors, and no absolute path
  outside the call's roots survives in the text (a loader may name a file a symlink inside a source
  leads to; the client learns that it was outside, not where).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from mcp.server.mcpserver import Context, ListRoots, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ListRootsResult
from pydantic import ValidationError

from ..core import DataClawError
from ..core.errors import first_problem
from .roots import Roots, root_from_uri

if TYPE_CHECKING:
    from .config import ServerConfig, ServerState

OUTSIDE = "<a path outside the allowed roots>"
_ABSOLUTE = re.compile(r"(?<![\w.~/:-])/[^\s'\"`,;()<>\[\]{}]*")
"""An absolute path in a message: a `/` that does not continue a word, a relative path or a URL."""


def server_state(ctx: Context) -> ServerState:
    return ctx.request_context.lifespan_context


def server_config(ctx: Context) -> ServerConfig:
    return server_state(ctx).config


async def _client_roots(ctx: Context) -> ListRoots | ListRootsResult:
    """Ask the client for its roots when it declared the capability; otherwise it has none."""
    caps = ctx.client_capabilities
    return ListRoots() if caps is not None and caps.roots is not None else ListRootsResult(roots=[])


async def allowed_roots(ctx: Context, listed: Annotated[ListRootsResult, Resolve(_client_roots)]) -> Roots:
    """The roots this call may touch: the server's, narrowed by the client's declared roots.

    A client that declares no roots leaves the server's as they are. Each declared root counts, even one
    that names nothing here (another scheme, a remote host): it narrows to nothing rather than being
    skipped, so a client that declares only `file://elsewhere/` reaches nothing.
    """
    config = server_config(ctx)
    if not listed.roots:
        return config.roots
    client_dirs = [p for r in listed.roots if (p := root_from_uri(str(r.uri))) is not None]
    if config.trust_client_roots:
        return config.roots.with_client(client_dirs)
    return config.roots.narrowed_to(client_dirs)


def scrub(text: str, roots: Roots) -> str:
    """`text` with every absolute path that lies outside `roots` replaced by a placeholder.

    Paths are judged by where they read (no symlink is followed): a name inside a root is the caller's
    own business, whatever it points to.
    """

    def judge(match: re.Match[str]) -> str:
        token = match.group(0)
        bare = token.rstrip(".:")
        inside = roots.contains(Path(os.path.normpath(bare)))
        return token if inside else OUTSIDE + token[len(bare):]

    return _ABSOLUTE.sub(judge, text)


@contextmanager
def tool_errors(roots: Roots) -> Iterator[None]:
    """Report the package's deliberate errors (and the OS's) as tool errors that name nothing outside `roots`."""
    try:
        yield
    except ToolError as exc:
        raise ToolError(scrub(str(exc), roots)) from exc
    except DataClawError as exc:
        raise ToolError(scrub(str(exc), roots)) from exc
    except ValidationError as exc:
        raise ToolError(scrub(f"invalid argument: {first_problem(exc)}", roots)) from exc
    except OSError as exc:
        where = scrub(str(exc.filename), roots) + ": " if exc.filename else ""
        raise ToolError(f"{where}{exc.strerror or type(exc).__name__}") from exc
    except ImportError as exc:  # an optional extra the call needs is not installed
        raise ToolError(f"this call needs the Python package `{exc.name or exc}`, which is not installed; "
                        "install the extra that provides it (README, Install), e.g. pip install 'dataclaw-tailor[eval]'") from exc
