"""Robot episodes: LeRobot v2.1/v3.0, RLDS TFRecord and robomimic HDF5 into one canonical episode.

Each layout is a registered input format of kind `robot_episode` (declared in `tools/formats/robot.py`).
"""

from __future__ import annotations

from pathlib import Path

from ...core.errors import InputError, UnsupportedFormat
from ...core.source import SourceKind
from .episode import RobotEpisode, split_episode

__all__ = ["RobotEpisode", "load_episode", "sniff_episode"]


def sniff_episode(path: Path) -> str | None:
    """'lerobot', 'robomimic' or 'rlds' (or another registered robot format) when `path`, without any
    #episode suffix, holds that layout."""
    from ..formats import sniff

    fmt = sniff(path, SourceKind.robot_episode)
    return fmt.name if fmt else None


def load_episode(path: str | Path) -> RobotEpisode:
    """Load one episode; select it with a `#episode=N` suffix (default: the first present)."""
    from ..formats import sniff, titles

    base, episode = split_episode(path)
    if not base.exists():
        raise InputError(base, "no such file or folder")
    fmt = sniff(base, SourceKind.robot_episode)
    if fmt is None:
        raise UnsupportedFormat(base, f"not a robot episode layout we know ({titles(SourceKind.robot_episode)})")
    return fmt.load(base, episode)
