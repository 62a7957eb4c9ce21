"""The canonical robot episode every robot loader normalises into."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

EPISODE_SUFFIX = re.compile(r"^(.*)#episode=(\d+)$")


@dataclass
class RobotEpisode:
    """One episode: per-step timestamps, proprioception, actions, and what we know about the gripper.

    `gripper` is closure in [0, 1] (1 = closed) when the data has a gripper channel or a dexterous hand;
    `effector` is the signal whose velocity tells motion from stillness (end-effector position when
    known, else the arm joints). `video` is the episode's camera file and `video_offset_s` where the
    episode starts inside it (LeRobot v3 packs many episodes into one file).
    """

    format: str
    instruction: str
    robot: str
    fps: float
    timestamps: np.ndarray
    state: np.ndarray | None
    action: np.ndarray | None
    gripper: np.ndarray | None
    gripper_source: str
    effector: np.ndarray
    episode_index: int = 0
    n_episodes: int = 1
    video: Path | None = None
    video_offset_s: float = 0.0
    video_key: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def n_steps(self) -> int:
        return len(self.timestamps)

    @property
    def duration_s(self) -> float:
        return float(self.timestamps[-1] - self.timestamps[0]) + 1.0 / self.fps if self.n_steps else 0.0


def split_episode(path: str | Path) -> tuple[Path, int | None]:
    """`dataset#episode=N` -> (dataset path, N); a plain path -> (path, None)."""
    text = str(path)
    if not Path(text).exists() and (m := EPISODE_SUFFIX.match(text)):
        return Path(m.group(1)), int(m.group(2))
    return Path(text), None


def hand_closure(values: np.ndarray) -> np.ndarray:
    """Closure in [0, 1] from finger joints where a higher value means a more open hand (Inspire)."""
    openness = values.mean(axis=1)
    lo, hi = float(openness.min()), float(openness.max())
    if hi - lo < 1e-6:
        return np.zeros(len(openness))
    return (hi - openness) / (hi - lo)
