"""Robot episodes: LeRobot v2.1/v3.0, RLDS TFRecord and robomimic HDF5 into one canonical episode."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import InputError, UnsupportedFormat
from . import lerobot, rlds, robomimic
from .episode import RobotEpisode, split_episode

__all__ = ["RobotEpisode", "load_episode", "sniff_episode"]


def sniff_episode(path: Path) -> str | None:
    """'lerobot', 'rlds' or 'robomimic' when `path` (without any #episode suffix) holds that layout."""
    if lerobot.info_file(path) is not None:
        return "lerobot"
    if robomimic.is_robomimic(path):
        return "robomimic"
    if rlds.shards(path):
        return "rlds"
    return None


_LOADERS = {"lerobot": lerobot.load, "rlds": rlds.load, "robomimic": robomimic.load}


def load_episode(path: str | Path) -> RobotEpisode:
    """Load one episode; select it with a `#episode=N` suffix (default: the first present)."""
    base, episode = split_episode(path)
    if not base.exists():
        raise InputError(base, "no such file or folder")
    fmt = sniff_episode(base)
    if fmt is None:
        raise UnsupportedFormat(base, "not a robot episode layout we know (LeRobot, RLDS TFRecord, robomimic HDF5)")
    return _LOADERS[fmt](base, episode)
