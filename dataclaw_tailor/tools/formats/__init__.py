"""Input formats: each raw-stream layout we can read is one registered `InputFormat` (see `spec.py`).

A format declares how to recognise a path (`sniff`, cheap and by content), how to load it into its
canonical form (`load`: a `GuiTrace`, a `RobotEpisode`, edit pairs, ...), and how `detect()` describes it
as a `Source` (`describe`). `detect` asks the formats in ascending `priority` and takes the first whose
`sniff` accepts the path, so specific layouts come before general ones (a canonical `trace.json` before
a folder of images, anything before the video container that accepts every file).

Adding a format: one module in this package that declares an `InputFormat` (or a tuple of them) at top level. On the first
lookup every module here is imported and every InputFormat it declares is registered (the modules
never import this registry). Its loader may live in the same module or beside the others
(`tools/gui/`, `tools/robot/`). A plugin calls `FORMATS.add(fmt.name, fmt, fmt.description)`.
"""

from __future__ import annotations

import logging
import pkgutil
from importlib import import_module
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...core.errors import InputError, UnsupportedFormat, first_problem
from ...core.registry import Registry, declared_in
from ...core.source import SourceKind
from ..gui.trace import GuiTrace
from ..robot.episode import RobotEpisode, split_episode
from .spec import InputFormat

log = logging.getLogger(__name__)


def _register_format_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        for fmt in declared_in(import_module(f"{__name__}.{module.name}"), InputFormat):
            FORMATS.add(fmt.name, fmt, fmt.description or fmt.title)


FORMATS: Registry[InputFormat] = Registry("input format", builtins=_register_format_modules)


def formats(kind: SourceKind | None = None) -> list[InputFormat]:
    """The registered formats (of one source kind), in the order `detect` asks them."""
    found = [f for f in FORMATS.values() if kind is None or f.kind is kind]
    return sorted(found, key=lambda f: (f.priority, f.name))


def sniff(path: Path, kind: SourceKind | None = None) -> InputFormat | None:
    """The first format (of `kind`), by priority, whose `sniff` accepts `path`; None when none does."""
    for fmt in formats(kind):
        if fmt.applies_to(path) and fmt.sniff(path):
            log.debug("%s: sniffed as %s (%s, priority %d)", path, fmt.name, fmt.kind.value, fmt.priority)
            return fmt
    log.debug("%s: no %s format accepts it", path, kind.value if kind else "input")
    return None


def load(path: str | Path, kind: SourceKind) -> Any:
    """Load the stream of `kind` at `path` (a `#episode=N` suffix selects one episode) in whichever
    registered layout it is; errors name the file and the problem (raw data that does not fit the
    canonical model, a pydantic ValidationError, names the file and the field)."""
    base, episode = split_episode(path)
    if not base.exists():
        raise InputError(base, "no such file or folder")
    fmt = sniff(base, kind)
    if fmt is None:
        raise UnsupportedFormat(base, f"not a {kind.value.replace('_', ' ')} layout we know ({titles(kind)})")
    try:
        return fmt.load(base, episode)
    except ValidationError as exc:
        raise InputError(base, f"{fmt.title}: {first_problem(exc)}") from None


def titles(kind: SourceKind | None = None, *, folder: bool | None = None) -> str:
    """'A, B, C': the titles of the formats (of `kind`, that live in folders or files) for messages."""
    chosen = [f for f in formats(kind)
              if folder is None or f.takes == "either" or (f.takes == "folder") == folder]
    return ", ".join(dict.fromkeys(f.title for f in chosen))


def load_trace(path: str | Path) -> GuiTrace:
    """Load any registered GUI trace layout into the canonical GuiTrace (errors name the file and problem).

    Multi-episode files (AitW TFRecord, AgentNet JSONL) take a `#episode=N` suffix.
    """
    return load(path, SourceKind.gui_trace)


def load_episode(path: str | Path) -> RobotEpisode:
    """Load one episode of any registered robot layout; select it with a `#episode=N` suffix (default: the first)."""
    return load(path, SourceKind.robot_episode)
