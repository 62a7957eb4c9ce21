"""Video anchors from one decode pass: shots (hard cuts and fades), motion segments, a keyframe per shot.

Decoding dominates the cost, so the file is decoded exactly once into tiny RGB frames piped to numpy
(`showinfo` supplies each frame's real timestamp, which keeps variable-frame-rate files honest), and
every statistic is computed from that stream. Keyframes are then grabbed by fast input seeking, one
frame per shot, which costs a GOP per shot rather than a second decode.
"""

from __future__ import annotations

import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.anchor import Anchor
from ..core.errors import ExtractorError, InputError
from .ffmpeg import ffmpeg_exe, run_ffmpeg

SCAN_WIDTH = 128
KEYFRAME_MAX_SIDE = 512
DARK_LUMA = 8.0
MIN_SHOT_S = 0.4
MOTION_PIXEL_DELTA = 6
STATIC_FRACTION = 0.01
MIN_MOTION_SEGMENT_S = 1.0

_PTS = re.compile(rb"n:\s*(\d+)\s+pts:\s*-?\d+\s+pts_time:(-?[\d.]+)")


@dataclass
class VideoScan:
    """Per-frame statistics of one decode pass (index i compares frame i with frame i-1)."""

    times: np.ndarray
    change: np.ndarray
    luma: np.ndarray
    moving: np.ndarray
    duration_s: float


def scan_video(path: str | Path, width: int, height: int, duration_s: float | None) -> VideoScan:
    """Decode `path` once into SCAN_WIDTH-wide RGB frames and reduce each to a few numbers."""
    w = SCAN_WIDTH
    h = max(2, int(round(w * height / max(width, 1) / 2)) * 2)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "info", "-i", str(path), "-map", "0:v:0",
           "-vf", f"scale={w}:{h}:flags=fast_bilinear,showinfo", "-fps_mode", "passthrough",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    frame_bytes = w * h * 3
    batch = 128
    change, luma, moving = [], [], []
    prev: np.ndarray | None = None
    while True:
        buf = proc.stdout.read(frame_bytes * batch)
        n = len(buf) // frame_bytes
        if n == 0:
            break
        frames = np.frombuffer(buf[: n * frame_bytes], np.uint8).reshape(n, h, w, 3).astype(np.int16)
        seq = frames if prev is None else np.concatenate([prev[None], frames])
        diff = np.abs(np.diff(seq, axis=0))
        gray_diff = diff.mean(axis=3)
        if prev is None:
            change.append([0.0])
            moving.append([0.0])
        change.append(diff.mean(axis=(1, 2, 3)))
        moving.append((gray_diff > MOTION_PIXEL_DELTA).mean(axis=(1, 2)))
        luma.append(frames.mean(axis=(1, 2, 3)))
        prev = frames[-1]
    proc.wait()
    reader.join()
    stderr = b"".join(err_chunks)
    if proc.returncode != 0 or prev is None:
        last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no frames decoded"]
        raise InputError(path, f"video could not be decoded: {last[0]}")
    stamps = {int(n): float(t) for n, t in _PTS.findall(stderr)}
    n_frames = sum(len(x) for x in luma)
    fps_guess = n_frames / duration_s if duration_s else 25.0
    times = np.array([stamps.get(i, i / fps_guess) for i in range(n_frames)])
    times -= times[0]
    step = float(np.median(np.diff(times))) if n_frames > 1 else 1.0 / fps_guess
    end = float(duration_s) if duration_s else float(times[-1]) + step
    times = np.minimum(times, end)
    return VideoScan(times=times, change=np.concatenate(change)[:n_frames], luma=np.concatenate(luma),
                     moving=np.concatenate(moving)[:n_frames], duration_s=end)


def find_cuts(scan: VideoScan) -> list[tuple[int, str, float]]:
    """Shot boundaries as (first frame of the new shot, 'hard'|'fade', score).

    Hard cut: a frame whose change from the previous one stands far above its neighbourhood (robust to
    camera motion). Fade: a run of near-black frames entered gradually; the new shot starts at the first
    frame that rises off the black floor. A black run entered by a hard cut belongs to the next shot.
    """
    change = scan.change
    n = len(change)
    fps = 1.0 / float(np.median(np.diff(scan.times))) if n > 1 else 25.0
    half = max(3, int(round(fps / 2)))
    hard: list[tuple[int, str, float]] = []
    for i in range(1, n):
        window = np.concatenate([change[max(1, i - half):i], change[i + 1:i + 1 + half]])
        local = float(np.median(window)) if window.size else 0.0
        if change[i] >= 10.0 and change[i] >= 4.0 * local + 4.0:
            hard.append((i, "hard", float(change[i])))
    cuts = list(hard)
    dark = scan.luma < DARK_LUMA
    i = 0
    while i < n:
        if not dark[i]:
            i += 1
            continue
        start = i
        while i < n and dark[i]:
            i += 1
        stop = i
        entered_by_cut = any(abs(c - start) <= 1 for c, _, _ in hard)
        if start == 0 or stop >= n or entered_by_cut:
            continue
        floor = float(scan.luma[start:stop].min())
        rise = next((j for j in range(start, stop) if scan.luma[j] > floor + 0.5
                     and scan.luma[j:stop].min() > floor + 0.5), stop)
        if not any(abs(c - rise) <= 2 for c, _, _ in hard):
            cuts.append((rise, "fade", float(scan.luma[max(0, start - 1)] - floor)))
    cuts.sort()
    min_gap = max(1, int(round(MIN_SHOT_S * fps)))
    kept: list[tuple[int, str, float]] = []
    for cut in cuts:
        if kept and cut[0] - kept[-1][0] < min_gap:
            if cut[2] > kept[-1][2]:
                kept[-1] = cut
            continue
        kept.append(cut)
    return kept


def motion_segments(scan: VideoScan, cut_frames: list[int]) -> list[tuple[float, float, str]]:
    """Static vs motion spans: the smoothed fraction of changed pixels, ignoring cut frames."""
    moving = scan.moving.copy()
    for c in cut_frames:
        moving[c] = moving[c - 1] if c > 0 else 0.0
    if len(moving) == 0:
        return []
    fps = 1.0 / float(np.median(np.diff(scan.times))) if len(moving) > 1 else 25.0
    moving[1:] = np.maximum(moving[1:], moving[:-1])  # repeated frames (telecine, VFR padding) are not stillness
    k = max(1, int(round(fps / 4))) * 2 + 1
    padded = np.pad(moving, k // 2, mode="edge")
    smooth = np.median(np.lib.stride_tricks.sliding_window_view(padded, k), axis=1)
    states = np.where(smooth > STATIC_FRACTION, "motion", "static")
    edges = [0] + [i for i in range(1, len(states)) if states[i] != states[i - 1]] + [len(states)]
    spans = [[edges[j], edges[j + 1], str(states[edges[j]])] for j in range(len(edges) - 1)]
    min_frames = MIN_MOTION_SEGMENT_S * fps
    merged: list[list] = []
    for span in spans:
        if merged and (span[1] - span[0] < min_frames or merged[-1][2] == span[2]):
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    if len(merged) > 1 and merged[0][1] - merged[0][0] < min_frames:
        merged[1][0] = merged[0][0]
        merged.pop(0)
    times = list(scan.times) + [scan.duration_s]
    return [(round(float(times[a]), 3), round(float(times[b]), 3), state) for a, b, state in merged]


def grab_frames(path: str | Path, times: list[float], out_dir: Path, prefix: str = "keyframe") -> list[Path]:
    """Save one JPEG (max side KEYFRAME_MAX_SIDE) per timestamp, by input seeking in a single ffmpeg call."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = [out_dir / f"{prefix}_{i:04d}.jpg" for i in range(len(times))]
    scale = f"scale='if(gt(iw,ih),min({KEYFRAME_MAX_SIDE},iw),-2)':'if(gt(iw,ih),-2,min({KEYFRAME_MAX_SIDE},ih))'"
    for start in range(0, len(times), 32):
        args: list[str] = ["-loglevel", "error"]
        for t in times[start:start + 32]:
            args += ["-ss", f"{max(0.0, t):.3f}", "-i", str(path)]
        for j, out in enumerate(outputs[start:start + 32]):
            args += ["-map", f"{j}:v:0", "-frames:v", "1", "-vf", scale, "-q:v", "4", "-y", str(out)]
        run_ffmpeg(args, path)
    missing = [p for p in outputs if not p.exists()]
    if missing:
        raise ExtractorError(f"{path}: could not grab keyframes at {len(missing)} timestamps")
    return outputs


def video_anchors(path: str | Path, meta: dict, frames_dir: Path, extractor: str) -> list[Anchor]:
    """shot, cut, keyframe and motion anchors for one video file."""
    width, height = int(meta.get("width") or 0), int(meta.get("height") or 0)
    if not width or not height:
        raise InputError(path, "no video stream with a known frame size")
    scan = scan_video(path, width, height, meta.get("duration_s"))
    cuts = find_cuts(scan)
    bounds = [0.0] + [round(float(scan.times[c]), 3) for c, _, _ in cuts] + [round(scan.duration_s, 3)]
    anchors: list[Anchor] = []
    for i in range(len(bounds) - 1):
        anchors.append(Anchor(id=f"shot:{i}", kind="shot", t=(bounds[i], bounds[i + 1]), c={"index": i},
                              extractor=extractor))
    for i, (frame, kind, score) in enumerate(cuts):
        anchors.append(Anchor(id=f"cut:{i}", kind="cut", t=round(float(scan.times[frame]), 3),
                              c={"type": kind, "score": round(score, 2), "frame": int(frame)}, extractor=extractor))
    mids = [round((bounds[i] + bounds[i + 1]) / 2, 3) for i in range(len(bounds) - 1)]
    for i, (t, jpg) in enumerate(zip(mids, grab_frames(path, mids, frames_dir), strict=True)):
        anchors.append(Anchor(id=f"keyframe:{i}", kind="keyframe", t=t, c={"path": str(jpg), "shot": f"shot:{i}"},
                              extractor=extractor))
    for i, (s, e, state) in enumerate(motion_segments(scan, [c for c, _, _ in cuts])):
        anchors.append(Anchor(id=f"motion:{i}", kind="motion", t=(s, e), c={"state": state}, extractor=extractor))
    return anchors
