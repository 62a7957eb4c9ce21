"""Robot anchors: task, gripper open/close, pauses, hesitation loops, regrasps, phases, aligned frames.

All events come from two signals of the canonical episode: gripper closure in [0, 1] and the
effector's speed (normalised by its 95th percentile so thresholds carry across robots and units).
An event must be there in the data, not in the arithmetic: the gripper settling into its first commanded
state as recording starts is no "open"; a regrasp is a grasp given up and retried in place, not a place
followed by closing the empty gripper; a hesitation is a retreat from the grasp target (an episode with no
grasp has no target to hesitate toward); no phase is shorter than MIN_PHASE_S.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...core.anchor import Anchor
from ...core.contents import (
    FrameContent, GripperContent, HesitationContent, PauseContent, PhaseContent, RegraspContent, RobotTaskContent,
)
from .episode import RobotEpisode

MIN_GRIP_CHANGE = 0.3
STILL = 0.08
MOVING = 0.2
MIN_PAUSE_S = 0.4
REGRASP_WINDOW_S = 4.0
REGRASP_TRAVEL = 0.25
"""A regrasp's hand stays within this fraction of the episode's effector range between the two grasps."""
RETREAT_FRACTION = 0.1
SETTLE_S = 0.5
"""A gripper move that starts with the recording and ends within this time is the gripper settling."""
MIN_PHASE_S = 0.3


def _median(x: np.ndarray, k: int) -> np.ndarray:
    if k <= 1 or len(x) < k:
        return x
    padded = np.pad(x, k // 2, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, k), axis=1)


def zigzag(x: np.ndarray, threshold: float) -> list[int]:
    """Indices of turning points: 0, then each extreme the signal reverses from by at least `threshold`."""
    pivots = [0]
    trend, hi, lo, ext = 0, 0, 0, 0
    for i in range(1, len(x)):
        if trend == 0:
            hi = i if x[i] > x[hi] else hi
            lo = i if x[i] < x[lo] else lo
            if x[i] - x[lo] >= threshold:
                pivots += [lo] if lo else []
                trend, ext = 1, i
            elif x[hi] - x[i] >= threshold:
                pivots += [hi] if hi else []
                trend, ext = -1, i
        elif (x[i] - x[ext]) * trend >= 0:
            ext = i
        elif abs(x[ext] - x[i]) >= threshold:
            pivots.append(ext)
            trend, ext = -trend, i
    if trend != 0 and ext != pivots[-1]:
        pivots.append(ext)
    return pivots


def gripper_events(ep: RobotEpisode) -> list[tuple[int, str, float, int]]:
    """(step, 'close'|'open', change, settled step) where closure crosses the middle of a leg of at least
    MIN_GRIP_CHANGE; `settled step` is where the gripper has made 90% of the move."""
    if ep.gripper is None or ep.n_steps < 2:
        return []
    g = _median(np.nan_to_num(np.asarray(ep.gripper, dtype=np.float64)), 3 if ep.n_steps >= 9 else 1)
    pivots = zigzag(g, MIN_GRIP_CHANGE)
    settle = int(round(SETTLE_S * ep.fps))
    events = []
    for a, b in zip(pivots, pivots[1:]):
        change = float(g[b] - g[a])
        if abs(change) < MIN_GRIP_CHANGE:
            continue
        mid = (g[a] + g[b]) / 2
        step = next(i for i in range(a + 1, b + 1) if (g[i] - mid) * np.sign(change) >= 0)
        if a == 0 and step <= settle and not events:
            continue  # the gripper reaching its first commanded state as recording starts
        settled = next(i for i in range(step, b + 1) if abs(g[i] - g[b]) <= 0.1 * abs(change))
        events.append((step, "close" if change > 0 else "open", round(change, 3), settled))
    return events


def speed(ep: RobotEpisode) -> np.ndarray:
    """Effector speed per step, normalised by its 95th percentile (0 = still, ~1 = brisk)."""
    if ep.n_steps < 2:
        return np.zeros(ep.n_steps)
    v = np.linalg.norm(np.diff(ep.effector, axis=0), axis=1) * ep.fps
    v = np.concatenate([[v[0]], v])
    v = _median(v, 5 if ep.n_steps >= 15 else 1)
    scale = float(np.percentile(v, 95))
    return v / scale if scale > 1e-9 else np.zeros_like(v)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if not m and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return runs


def _extent(effector: np.ndarray) -> float:
    """The size of the workspace the episode covers (diagonal of the effector's bounding box)."""
    return float(np.linalg.norm(np.ptp(effector, axis=0))) if len(effector) else 0.0


def _hesitations(ep: RobotEpisode, target: int) -> list[tuple[int, int, float]]:
    """(start, end, retreat) for each approach -> retreat -> approach toward the effector pose at `target`,
    spanning the three legs; a loop overlapping the previous one is the same wavering, not another."""
    dist = np.linalg.norm(ep.effector[: target + 1] - ep.effector[target], axis=1)
    if len(dist) <= 2 or float(dist.max()) <= 1e-9:
        return []
    piv = zigzag(dist, RETREAT_FRACTION * float(dist.max()))
    legs = list(zip(piv, piv[1:]))
    out: list[tuple[int, int, float]] = []
    for j in range(1, len(legs) - 1):
        (a0, a1), (r0, r1), (b0, b1) = legs[j - 1], legs[j], legs[j + 1]
        if dist[a1] < dist[a0] and dist[r1] > dist[r0] and dist[b1] < dist[b0]:
            if out and a0 < out[-1][1]:
                continue
            out.append((a0, b1, round(float(dist[r1] - dist[r0]), 4)))
    return out


def _regrasps(ep: RobotEpisode, grips: list[tuple[int, str, float, int]]) -> list[tuple[int, int]]:
    """(first close, second close) where a grasp is opened and retried in place within REGRASP_WINDOW_S.

    A place is not a regrasp: between a grasp and the open that ends it the hand carries the object
    away, and closing the empty gripper after placing is just that. A regrasp keeps the hand near where
    it first grasped, through the open and the second close.
    """
    t, eff = ep.timestamps, ep.effector
    reach = REGRASP_TRAVEL * _extent(eff)
    out = []
    for (s1, k1, _, _), (s2, k2, _, _), (s3, k3, _, _) in zip(grips, grips[1:], grips[2:]):
        if (k1, k2, k3) != ("close", "open", "close") or t[min(s3, len(t) - 1)] - t[s1] > REGRASP_WINDOW_S:
            continue
        span = eff[s1: min(s3, len(eff) - 1) + 1]
        if float(np.linalg.norm(span - eff[s1], axis=1).max()) <= reach:
            out.append((s1, s3))
    return out


def episode_anchors(ep: RobotEpisode, frames_dir: Path, extractor: str) -> list[Anchor]:
    t = ep.timestamps
    end_t = round(float(t[-1]) + 1.0 / ep.fps, 3)

    def at(i: int) -> float:
        return round(float(t[min(i, len(t) - 1)]), 3) if i < len(t) else end_t

    anchors = [Anchor(id="robot_task:0", kind="robot_task", c=RobotTaskContent(instruction=ep.instruction, robot=ep.robot),
                      extractor=extractor)]
    grips = gripper_events(ep)
    for i, (step, state, change, _) in enumerate(grips):
        anchors.append(Anchor(id=f"gripper:{i}", kind="gripper", t=at(step),
                              c=GripperContent(state=state, step=step, change=change, signal=ep.gripper_source),
                              extractor=extractor))
    v = speed(ep)
    min_pause = max(2, int(round(MIN_PAUSE_S * ep.fps)))
    pauses = [(a, b) for a, b in _runs(v < STILL) if b - a >= min_pause]
    for i, (a, b) in enumerate(pauses):
        anchors.append(Anchor(id=f"pause:{i}", kind="pause", t=(at(a), at(b)),
                              c=PauseContent(steps=[a, b], mean_speed=round(float(v[a:b].mean()), 3)), extractor=extractor))
    closes = [s for s, kind, _, _ in grips if kind == "close"]
    for i, (a, b, retreat) in enumerate(_hesitations(ep, closes[0]) if closes else []):
        anchors.append(Anchor(id=f"hesitation:{i}", kind="hesitation", t=(at(a), at(b)),
                              c=HesitationContent(steps=[a, b], retreat=retreat, toward="grasp"), extractor=extractor))
    for i, (s1, s3) in enumerate(_regrasps(ep, grips)):
        anchors.append(Anchor(id=f"regrasp:{i}", kind="regrasp", t=(at(s1), at(s3)), c=RegraspContent(steps=[s1, s3]),
                              extractor=extractor))
    phases = _phases(ep, grips, v)
    for i, (a, b, skill) in enumerate(phases):
        anchors.append(Anchor(id=f"phase:{i}", kind="phase", t=(at(a), at(b)), c=PhaseContent(skill=skill, steps=[a, b]),
                              extractor=extractor))
    key_steps = sorted({0, ep.n_steps - 1, *(s for s, _, _, _ in grips), *(a for a, _, _ in phases)})
    for i, (step, path) in enumerate(zip(key_steps, _frames(ep, key_steps, frames_dir))):
        if path is not None:
            anchors.append(Anchor(id=f"frame:{i}", kind="frame", t=at(step), c=FrameContent(path=str(path), step=step),
                                  extractor=extractor))
    return anchors


def _phases(ep: RobotEpisode, grips: list[tuple[int, str, float, int]], v: np.ndarray) -> list[tuple[int, int, str]]:
    """reach -> grasp -> lift/transport -> release -> retreat from gripper events and motion onsets.

    A grasp (release) lasts until the gripper has finished closing (opening), at least MIN_PHASE_S; the
    next phase starts with the first motion after that. A phase left shorter than MIN_PHASE_S by the
    episode's end joins the one before it.
    """
    n = ep.n_steps
    shortest = max(1, int(round(MIN_PHASE_S * ep.fps)))
    close = next(((s, done) for s, k, _, done in grips if k == "close"), None)
    if close is None:
        return [(0, n, "move")]

    def moving_from(i: int) -> int | None:
        return next((j for j in range(i, n) if v[j] >= MOVING), None)

    bounds = [(0, "reach"), (close[0], "grasp")]
    held_from = min(n, max(close[1], close[0] + shortest))
    lift = moving_from(held_from)
    release = next(((s, done) for s, k, _, done in grips if k == "open" and s > close[0]), None)
    if lift is not None and (release is None or lift < release[0]):
        bounds.append((lift, "lift"))
    if release is not None:
        bounds.append((release[0], "release"))
        after = moving_from(min(n, max(release[1], release[0] + shortest)))
        if after is not None:
            bounds.append((after, "retreat"))
    out = [[a, nxt[0], skill] for (a, skill), nxt in zip(bounds, [*bounds[1:], (n, "")]) if nxt[0] > a]
    while len(out) > 1 and (short := next((i for i, (a, b, _) in enumerate(out) if b - a < shortest), None)) is not None:
        if short == 0:
            out[1][0] = out[0][0]  # a too-short first phase: the next one starts with the episode
        else:
            out[short - 1][1] = out[short][1]
        del out[short]
    return [(a, b, skill) for a, b, skill in out]


def _frames(ep: RobotEpisode, steps: list[int], out_dir: Path) -> list[Path | None]:
    """JPEGs of the given steps: from the episode video (frame-exact) or the stored camera images."""
    out_dir.mkdir(parents=True, exist_ok=True)
    images = ep.extra.get("images")
    if images:
        paths = []
        for step in steps:
            p = out_dir / f"frame_{step:05d}.jpg"
            p.write_bytes(images[step])
            paths.append(p)
        return paths
    if ep.video is None:
        return [None] * len(steps)
    from ..ffmpeg import run_ffmpeg

    first = int(round(ep.video_offset_s * ep.fps))
    wanted = [first + s for s in steps]
    expr = "+".join(f"eq(n\\,{k})" for k in wanted)
    run_ffmpeg(["-loglevel", "error", "-i", str(ep.video), "-vf", f"select='{expr}'", "-fps_mode", "passthrough",
                "-q:v", "4", "-y", str(out_dir / "sel_%05d.jpg")], ep.video)
    produced = sorted(out_dir.glob("sel_*.jpg"))
    paths: list[Path | None] = []
    for j, step in enumerate(steps):
        if j < len(produced):
            target = out_dir / f"frame_{step:05d}.jpg"
            produced[j].replace(target)
            paths.append(target)
        else:
            paths.append(None)
    return paths
