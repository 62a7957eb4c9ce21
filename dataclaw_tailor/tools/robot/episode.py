"""The canonical robot episode every robot loader normalises into, and the checks all loaders share."""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...core.errors import InputError

logger = logging.getLogger(__name__)

_LOGGED: deque[str] = deque(maxlen=256)  # detect and extract load the same episode: say each warning once
EPISODE_SUFFIX = re.compile(r"^(.*)#episode=(\d+)$")
MAX_STEPS = 5_000_000
"""More steps than any real episode holds (a day at 50 Hz is 4.3 M): a larger claim is a corrupt header."""
MAX_VALUES = 32_000_000
"""Numbers one array of an episode may hold (256 MB of float64): loaders check before they read."""


@dataclass
class RobotEpisode:
    """One episode: per-step timestamps, proprioception, actions, and what we know about the gripper.

    `gripper` is closure in [0, 1] (1 = closed) when the data has a gripper channel or a dexterous hand;
    `effector` is the signal whose velocity tells motion from stillness (end-effector position when
    known, else the arm joints). `video` is the episode's camera file and `video_offset_s` where the
    episode starts inside it (LeRobot v3 packs many episodes into one file). `files` are every file whose
    bytes shaped this episode (data, metadata, video): together they key its anchor cache entry, so an
    edit to any of them is seen. `warnings` say where the loader trusted the data over its metadata or
    went without a part (no video, a misnamed file), one line each.
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
    files: list[Path] = field(default_factory=list)
    root: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def n_steps(self) -> int:
        return len(self.timestamps)

    @property
    def duration_s(self) -> float:
        return float(self.timestamps[-1] - self.timestamps[0]) + 1.0 / self.fps if self.n_steps else 0.0

    def warn(self, message: str) -> None:
        """Record (and log, once per process) one way the loader degraded instead of refusing."""
        self.warnings.append(message)
        line = f"{self.root}: {message}" if self.root else message
        if line not in _LOGGED:
            _LOGGED.append(line)
            logger.warning("%s", line)


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


def checked_fps(value: object, where: Path, what: str = "fps") -> float:
    """A control rate from metadata: a finite number in (0, 10 kHz], else an InputError naming the file."""
    try:
        fps = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise InputError(where, f"{what} is not a number ({str(value)[:40]!r})") from None
    if not np.isfinite(fps) or not 0 < fps <= 10_000:
        raise InputError(where, f"{what} {fps} is not a control rate in (0, 10000] Hz")
    return fps


def matrix(values: np.ndarray, where: Path, what: str, steps: int | None = None) -> np.ndarray:
    """A (steps, dims) float64 matrix from loader output; non-finite values are filled from their
    neighbours (a dropped sample), an all-missing column is zeroed, each with the reason in the error."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(where, f"{what} has shape {tuple(arr.shape)}, not (steps, dims)")
    if steps is not None and arr.shape[0] != steps:
        raise InputError(where, f"{what} has {arr.shape[0]} rows but the episode has {steps} steps")
    bad = ~np.isfinite(arr)
    if bad.any():
        for j in np.nonzero(bad.any(axis=0))[0]:
            col, ok = arr[:, j], ~bad[:, j]
            arr[:, j] = np.interp(np.arange(len(col)), np.nonzero(ok)[0], col[ok]) if ok.any() else 0.0
    return arr


def timeline(times: np.ndarray | None, n: int, fps: float) -> tuple[np.ndarray, str | None]:
    """Per-step times from zero: the recorded ones when finite and non-decreasing, else index / fps
    (and why the recorded ones were not used)."""
    grid = np.arange(n) / fps
    if times is None:
        return grid, None
    t = np.asarray(times, dtype=np.float64).reshape(-1)
    if len(t) != n:
        return grid, f"{len(t)} timestamps for {n} steps"
    if not np.isfinite(t).all():
        return grid, "timestamps hold NaN or infinity"
    if n > 1 and (np.diff(t) < 0).any():
        return grid, "timestamps go backwards"
    return t - t[0], None


def command_gripper(action: np.ndarray, state: np.ndarray | None, fps: float) -> tuple[int, bool] | None:
    """The gripper channel of unnamed data, from how a gripper is commanded: (state column, whether a
    higher state value means closed).

    A gripper command is binary: it sits at its two limits nearly all the time and switches between them,
    while arm joints are commanded smoothly. The measured gripper follows it: the same column when action
    and state have one layout, else the state column that does most of its moving within a second after
    the command switches (an arm joint moves between switches, the fingers right after them). In one
    layout the state cannot reach the closed limit while it holds an object, so the closed end is the
    command limit the state stays short of; across layouts the measured opening is nearer zero when
    closed. None when no column behaves like that.
    """
    if state is None or len(action) < 10 or len(state) != len(action):
        return None
    same = action.shape == state.shape
    window = max(3, int(round(fps)))
    best: tuple[float, int, bool] | None = None
    for j in range(action.shape[1]):
        a = action[:, j]
        lo, hi = float(a.min()), float(a.max())
        if hi - lo <= 1e-6:
            continue
        c = (a - lo) / (hi - lo)
        at_lo, at_hi = c <= 0.05, c >= 0.95
        if (at_lo | at_hi).mean() < 0.95 or at_lo.mean() < 0.02 or at_hi.mean() < 0.02:
            continue
        near = np.zeros(len(c), dtype=bool)
        for switch in np.nonzero(np.diff((c > 0.5).astype(np.int8)))[0]:
            near[switch: switch + 1 + window] = True
        for k in [j] if same else range(state.shape[1]):
            s = state[:, k]
            spread = float(np.ptp(s))
            if spread <= 1e-9:
                continue
            moves = np.abs(np.diff(s))
            follows = float(moves[near[:-1]].sum() / moves.sum()) if moves.sum() > 0 else 0.0
            r = float(np.corrcoef(c, s)[0, 1])
            if not np.isfinite(r) or abs(r) < 0.5 or (not same and follows < 0.6):
                continue
            if same:  # one unit: the closed end is the command limit the state stays short of
                s01 = (s - lo) / (hi - lo)
                lag_lo, lag_hi = float(np.abs(s01[at_lo]).mean()), float(np.abs(1 - s01[at_hi]).mean())
                if max(lag_lo, lag_hi) > 0.1 and (best is None or max(lag_lo, lag_hi) > best[0]):
                    best = (max(lag_lo, lag_hi), k, lag_hi > lag_lo)
                continue
            # other units: a measured gripper reads its opening, so it is nearer zero at the closed end
            m_lo, m_hi = float(s[at_lo].mean()), float(s[at_hi].mean())
            closed_at_hi = abs(m_hi) < abs(m_lo)
            score = follows * abs(r)
            if best is None or score > best[0]:
                best = (score, k, (m_hi > m_lo) == closed_at_hi)
    return (best[1], best[2]) if best else None
