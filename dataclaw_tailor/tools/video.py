"""Video anchors from one decode pass: shots (hard cuts and fades), dissolves, motion segments, a keyframe per
shot and one per still picture inside it (a slide or screen page that changes without a cut).

Decoding dominates the cost, so the file is decoded once, without its B-frames, into tiny YUV frames
piped to numpy (`showinfo` supplies each frame's real timestamp, which keeps variable-frame-rate files
honest), and every statistic is computed from that stream. The same decode writes a small JPEG every
second for keyframes. Only the few gaps around detected cuts are decoded again in full, all by one more
ffmpeg, to put each cut on its exact frame.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import threading
from bisect import bisect_left, bisect_right
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.anchor import Anchor
from ..core.contents import CutContent, DissolveContent, KeyframeContent, MotionContent, ShotContent
from ..core.errors import ExtractorError, InputError
from ..core.source import VideoMeta
from .ffmpeg import ffmpeg_exe, run_ffmpeg, sync_points

SCAN_WIDTH = 128
KEYFRAME_MAX_SIDE = 512
DARK_LUMA = 8.0
HARD_MIN = 1.0
HIST_MIN = 20.0
MIN_SHOT_S = 0.4
FLAT_SPREAD = 3.0  # luma standard deviation of a flat frame (black, white or one colour)
PERSIST_S = 0.3
PERSIST_FRACTION = 0.5
BLEND_HALF_S = 0.5
BLEND_MIN = 10.0  # mean absolute luma difference between a dissolve's ends (thumbnail grey levels)
BLEND_RESIDUAL = 0.15
SHIFT_BLOCKS = 4
MOVED_FRACTION = 0.35
MOTION_PIXEL_DELTA = 6
STATIC_FRACTION = 0.01
MIN_MOTION_SEGMENT_S = 1.0
SAMPLE_EVERY_S = 1.0
STILL_BLOCK_DELTA = 12  # thumbnail grey levels: a block that moved this much changed
STILL_CHANGE_FRACTION = 0.005  # of the thumbnail blocks: a still picture this different is another picture
THUMB_BLOCK = 4
PART_MIN_BYTES = 4 << 20  # per process: below it, the index pass and one more ffmpeg cost more than they save
WINDOWS_PER_PROCESS = 16  # spans decoded by one ffmpeg when refining cuts (each input holds a decoder)
_SEEK_PAST = 0.0005  # seconds: seeking just past a sync sample lands on it; less than any frame interval
_KEYFRAME_SCALE = (f"scale='if(gt(iw,ih),min({KEYFRAME_MAX_SIDE},iw),-2)':"
                   f"'if(gt(iw,ih),-2,min({KEYFRAME_MAX_SIDE},ih))'")

_PTS = re.compile(rb"n:\s*(\d+)\s+pts:\s*-?\d+\s+pts_time:(-?[\d.]+)")


@dataclass
class VideoScan:
    """Per-frame statistics of one decode pass (index i compares frame i with frame i-1)."""

    times: np.ndarray
    change: np.ndarray
    luma: np.ndarray
    moving: np.ndarray
    hist_change: np.ndarray
    duration_s: float
    samples: list[tuple[float, Path]] = field(default_factory=list)
    hists: np.ndarray | None = None
    thumbs: np.ndarray | None = None
    spread: np.ndarray | None = None
    thumb_shape: tuple[int, int] = (0, 0)


@dataclass
class _Part:
    """What one ffmpeg input decoded; the first frame's differences wait for the previous part."""

    times: np.ndarray
    change: np.ndarray
    luma: np.ndarray
    moving: np.ndarray
    hists: np.ndarray
    first: np.ndarray | None  # the raw frames a following part is compared with (None: decoded among spans,
    last: np.ndarray | None  # never joined to another)
    samples: list[tuple[float, Path]]
    thumbs: np.ndarray
    spread: np.ndarray


def scan_video(path: str | Path, width: int, height: int, duration_s: float | None,
               sample_dir: Path | None = None, skip_bidir: bool = False, parts: int = 1) -> VideoScan:
    """Decode `path` once into SCAN_WIDTH-wide YUV 4:2:0 frames and reduce each to a few numbers.

    With `sample_dir`, the same decode also writes a KEYFRAME_MAX_SIDE JPEG every SAMPLE_EVERY_S
    seconds (`sample_*.jpg`, times in `VideoScan.samples`), so keyframes need no second decode.
    `skip_bidir` lets the decoder drop B-frames (about half the decoding work for typical H.264/HEVC).
    `parts > 1` splits the file at sync samples into up to that many spans of about equal bytes,
    decoded by concurrent ffmpeg processes: without B-frames what is left is a chain of P-frames that
    one decoder cannot spread over cores, but the chains of different GOPs are independent. The
    statistics are the same as from one process.
    """
    w, h = _scan_size(width, height)
    starts = _part_starts(path, parts)
    begins = [0.0] + [t + _SEEK_PAST for t in starts[1:]]
    jobs = [(begin, (end - _SEEK_PAST - begin) if end is not None else None, False)
            for begin, end in zip(begins, [*starts[1:], None])]
    if sample_dir is not None:
        sample_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(len(jobs)) as pool:
        decoded = list(pool.map(lambda j: _decode(path, w, h, [jobs[j]], skip_bidir, sample_dir, j)[0],
                                range(len(jobs))))
    if any(abs(float(part.times[0]) - start) > 1e-3 for part, start in zip(decoded[1:], starts[1:])):
        # a demuxer that cannot seek exactly (no index) missed a sync sample: decode it in one piece
        for _, file in (sample for part in decoded for sample in part.samples):
            file.unlink(missing_ok=True)
        return scan_video(path, width, height, duration_s, sample_dir, skip_bidir)
    return _join(decoded, w, h, duration_s, relative=True)


def scan_windows(path: str | Path, width: int, height: int, windows: list[tuple[float, float]]) -> list[VideoScan]:
    """Every frame of each span (start, end), as scan_video reduces them, one VideoScan per span.

    Each span seeks to the keyframe before it and decodes from there. Up to WINDOWS_PER_PROCESS spans
    share one ffmpeg (an input each, their frames concatenated into one pipe): a cut refined costs a seek
    and a few frames, not a process.
    """
    w, h = _scan_size(width, height)
    out: list[VideoScan] = []
    for first in range(0, len(windows), WINDOWS_PER_PROCESS):
        batch = windows[first:first + WINDOWS_PER_PROCESS]
        parts = _decode(path, w, h, [(a, b - a + 0.05, True) for a, b in batch], False, None, 0)
        out += [_join([part], w, h, None, relative=False) for part in parts]
    return out


def _scan_size(width: int, height: int) -> tuple[int, int]:
    return SCAN_WIDTH, max(2, int(round(SCAN_WIDTH * height / max(width, 1) / 2)) * 2)


def _part_starts(path: str | Path, parts: int) -> list[float]:
    """0.0, then the sync samples nearest to cutting the video's bytes (~decoding work) into `parts`."""
    if parts < 2:
        return [0.0]
    points, total = sync_points(path)
    starts = [0.0]
    for j in range(1, parts):
        t, before = min(points, key=lambda p: abs(p[1] - total * j / parts), default=(0.0, 0))
        if before > 0 and t > starts[-1]:
            starts.append(t)
    return starts


def _decode(path: str | Path, w: int, h: int, jobs: list[tuple[float, float | None, bool]], skip_bidir: bool,
            sample_dir: Path | None, tag: int) -> list[_Part]:
    """Run one ffmpeg over `jobs` = [(seek, duration or None, accurate seek)], an input each, their frames
    concatenated into one pipe, and reduce them: one _Part per job (samples only with a single job)."""
    before_input = ["-filter_complex_threads", "1"]
    if skip_bidir:
        # what is left is a chain of P-frames each needing the last: frame threads would wait on each
        # other, so one decoder thread is as fast and spends ~15% less CPU
        before_input += ["-skip_frame", "bidir", "-threads", "1"]
    inputs: list[str] = []
    for seek, duration, accurate in jobs:
        inputs += before_input
        if seek:
            # a part starts just past a sync sample and, not seeking accurately, decodes from that sample
            inputs += ([] if accurate else ["-noaccurate_seek"]) + ["-ss", f"{seek:.6f}"]
        if duration is not None:
            inputs += ["-t", f"{duration:.6f}"]
        inputs += ["-i", str(path)]
    scaled = [f"scale={w}:{h}:flags=fast_bilinear,showinfo@scan{k}" for k in range(len(jobs))]
    if sample_dir is not None:
        graph = (f"[0:v:0]split=2[a][b];[a]{scaled[0]}[scan];"
                 f"[b]select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{SAMPLE_EVERY_S})',"
                 f"{_KEYFRAME_SCALE},showinfo@sample[sample]")
    elif len(jobs) == 1:
        graph = f"[0:v:0]{scaled[0]}[scan]"
    else:
        graph = ";".join(f"[{k}:v:0]{chain}[s{k}]" for k, chain in enumerate(scaled)) + ";" + \
            "".join(f"[s{k}]" for k in range(len(jobs))) + f"concat=n={len(jobs)}:v=1:a=0[scan]"
    outputs = ["-map", "[scan]", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"]
    if sample_dir is not None:
        outputs += ["-map", "[sample]", "-fps_mode", "passthrough", "-threads", "1", "-q:v", "4", "-y",
                    str(sample_dir / f"sample_{tag}_%05d.jpg")]
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "info", *inputs, "-filter_complex", graph, *outputs]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    luma_bytes = w * h
    frame_bytes = luma_bytes * 3 // 2
    batch = 128
    change, luma, moving, hists, thumbs, spread = [], [], [], [], [], []
    first: np.ndarray | None = None
    prev: np.ndarray | None = None
    while True:
        buf = proc.stdout.read(frame_bytes * batch)
        n = len(buf) // frame_bytes
        if n == 0:
            break
        frames = np.frombuffer(buf[: n * frame_bytes], np.uint8).reshape(n, frame_bytes).astype(np.int16)
        if first is None:
            first = frames[0]
        seq = frames if prev is None else np.concatenate([prev[None], frames])
        diff = np.abs(np.diff(seq, axis=0))
        if prev is None:
            change.append([0.0])
            moving.append([0.0])
        change.append(diff.mean(axis=1))
        moving.append((diff[:, :luma_bytes] > MOTION_PIXEL_DELTA).mean(axis=1))
        luma.append((frames[:, :luma_bytes].mean(axis=1) - 16.0) * (255.0 / 219.0))
        hists.append(_histograms(frames, luma_bytes))
        thumbs.append(_thumbnails(frames[:, :luma_bytes], w, h))
        spread.append(frames[:, :luma_bytes].std(axis=1))
        prev = frames[-1]
    proc.wait()
    reader.join()
    stderr = b"".join(err_chunks)
    if proc.returncode != 0 or prev is None:
        last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no frames decoded"]
        raise InputError(path, f"video could not be decoded: {last[0]}")
    n_frames = sum(len(x) for x in luma)
    stamps = [{int(n): float(t) for n, t in _pts(f"scan{k}", stderr)} for k in range(len(jobs))]
    counts = [len(s) for s in stamps[:-1]]
    counts.append(n_frames - sum(counts))  # the last (or only) job takes the frames showinfo did not list
    if min(counts) <= 0:
        raise InputError(path, f"video could not be decoded: a span of {len(jobs)} gave no frames")
    columns = {name: np.concatenate(values)[:n_frames] for name, values in
               (("change", change), ("luma", luma), ("moving", moving), ("hists", hists), ("thumbs", thumbs),
                ("spread", spread))}
    samples = []
    if sample_dir is not None:
        for n, t in _pts("sample", stderr):
            file = sample_dir / f"sample_{tag}_{int(n) + 1:05d}.jpg"
            if file.exists():
                samples.append((float(t) + jobs[0][0], file))
    out, start = [], 0
    for k, ((seek, _, _), count) in enumerate(zip(jobs, counts)):
        span = slice(start, start + count)
        times = np.array([stamps[k].get(i, np.nan) for i in range(count)]) + seek
        part = _Part(times=times, samples=samples if k == 0 else [], first=first if len(jobs) == 1 else None,
                     last=prev if len(jobs) == 1 else None, **{name: column[span].copy() for name, column in columns.items()})
        part.change[0] = part.moving[0] = 0.0  # a job's first frame has nothing before it in this process
        out.append(part)
        start += count
    return out


def _join(parts: list[_Part], w: int, h: int, duration_s: float | None, relative: bool) -> VideoScan:
    """One VideoScan from consecutive parts: each part's first frame is compared with the last before it."""
    luma_bytes = w * h
    for before, part in itertools.pairwise(parts):
        diff = np.abs(part.first - before.last)
        part.change[0] = diff.mean()
        part.moving[0] = (diff[:luma_bytes] > MOTION_PIXEL_DELTA).mean()
    hists = np.concatenate([p.hists for p in parts])
    hist_change = np.concatenate([[0.0], np.abs(np.diff(hists, axis=0)).sum(axis=1) * 8.0])
    times = np.concatenate([p.times for p in parts])
    n_frames = len(times)
    fps_guess = n_frames / duration_s if duration_s else 25.0
    missing = np.isnan(times)
    times[missing] = np.flatnonzero(missing) / fps_guess
    origin = min(float(times[0]), 0.0) if relative else 0.0
    times = np.maximum(times - origin, 0.0) if relative else times
    step = float(np.median(np.diff(times))) if n_frames > 1 else 1.0 / fps_guess
    end = float(duration_s) if duration_s else float(times[-1]) + step
    times = np.minimum(times, end)
    samples = sorted((min(max(t - origin, 0.0), end), file) for p in parts for t, file in p.samples)
    return VideoScan(times=times, change=np.concatenate([p.change for p in parts]),
                     luma=np.concatenate([p.luma for p in parts]), moving=np.concatenate([p.moving for p in parts]),
                     hist_change=hist_change, duration_s=end, samples=samples, hists=hists,
                     thumbs=np.concatenate([p.thumbs for p in parts]), spread=np.concatenate([p.spread for p in parts]),
                     thumb_shape=(h // THUMB_BLOCK, w // THUMB_BLOCK))


def _histograms(frames: np.ndarray, luma_bytes: int) -> np.ndarray:
    """Per-frame cumulative 32-bin distributions of the Y, U and V planes, concatenated: shape (n, 96).

    The L1 distance between consecutive CDFs times the bin width is the earth mover's distance in grey
    levels: a fade moves it by a few levels per frame, a cut by tens.
    """
    n = len(frames)
    chroma = luma_bytes // 4
    planes = [frames[:, :luma_bytes], frames[:, luma_bytes:luma_bytes + chroma], frames[:, luma_bytes + chroma:]]
    offsets = np.arange(n)[:, None] * 32
    out = [np.cumsum(np.bincount((offsets + (plane >> 3)).ravel(), minlength=n * 32).reshape(n, 32), axis=1)
           / plane.shape[1] for plane in planes]
    return np.concatenate(out, axis=1)


def _thumbnails(luma: np.ndarray, w: int, h: int) -> np.ndarray:
    """Per-frame THUMB_BLOCK x THUMB_BLOCK block means of the luma plane, flattened (uint8): small enough
    to keep for every frame, to compare frames that are not neighbours (flashes, dissolves)."""
    b = THUMB_BLOCK
    hb, wb = h // b, w // b
    planes = luma.reshape(len(luma), h, w)[:, :hb * b, :wb * b].reshape(len(luma), hb, b, wb, b)
    return planes.mean(axis=(2, 4)).astype(np.uint8).reshape(len(luma), hb * wb)


def _pts(instance: str, stderr: bytes) -> list[tuple[bytes, bytes]]:
    pattern = re.compile(rb"\[showinfo@" + instance.encode() + rb" @ [^\]]*\] " + _PTS.pattern)
    return pattern.findall(stderr)


def find_cuts(scan: VideoScan) -> list[tuple[int, str, float]]:
    """Shot boundaries as (first frame of the new shot, 'hard'|'fade'|'dissolve', score).

    Hard cut: a frame whose pixel change stands far above its neighbourhood's upper quartile, or whose
    colour-distribution change (earth mover's distance) stands far above the quieter side's (a cut from
    a still shot into shaking motion is not drowned by the motion after it). Pixels catch cuts between
    look-alike shots (slides); distributions catch cuts into or out of busy texture. A candidate must
    persist (`_persists`): a flash, strobe or dropped frame returns to what was before and is no cut;
    and it must not be the frame before moved (`_moved`): a pattern that jumps or a scroll is no cut.
    Dissolve: a run of frames that are blends of the frames around them (`_blends`); the new shot starts
    where the blend passes half way. Fade: a run of flat frames (black, white, any single colour); the
    new shot starts at the first frame that rises off the flat floor. A flat run entered by a hard cut
    belongs to the next shot; one reached in a step and left for the same content is a flash or a dropout.
    """
    change = scan.change
    n = len(change)
    fps = 1.0 / float(np.median(np.diff(scan.times))) if n > 1 else 25.0
    half = max(3, int(round(fps / 2)))
    hist = scan.hist_change
    local = _upper_quartile_around(change, half)
    quiet = np.fmin(_upper_quartile_around(hist, half, "left"), _upper_quartile_around(hist, half, "right"))
    pixel_cut = (change >= HARD_MIN) & (change >= 4.0 * local + 1.0)
    colour_cut = (hist >= HIST_MIN) & (hist >= 4.0 * quiet + 5.0)
    flat = scan.luma < DARK_LUMA
    if scan.spread is not None:
        flat |= scan.spread < FLAT_SPREAD
    runs = [(a, b) for a, b in _flat_runs(flat)
            if not (_abrupt(scan, a) and not _differs_across(scan, a, b))]  # no flash, no dropout
    dissolves = []
    inside = np.zeros(n, bool)  # frames of a gradual transition: their steps are no hard cuts
    for first, last, cut in _blends(scan):
        inside[first:last + 1] = True
        if not any(start - 2 <= last and first <= stop + 1 for start, stop in runs):
            dissolves.append((first, last, cut))  # into or out of a flat frame it is a fade, placed below
    hard: list[tuple[int, str, float]] = [
        (int(i), "hard", float(change[i] + hist[i])) for i in np.flatnonzero(pixel_cut | colour_cut)
        if i > 0 and not inside[i] and _persists(scan, int(i), bool(pixel_cut[i]), bool(colour_cut[i]))
        and not _moved(scan, int(i))]
    cuts = hard + [(cut, "dissolve", float(change[first:last + 1].sum())) for first, last, cut in dissolves]
    for start, stop in runs:
        entered_by_cut = any(abs(c - start) <= 1 for c, _, _ in hard)
        if start == 0 or stop >= n or entered_by_cut:
            continue
        level = _fade_level(scan, start)
        floor = float(level[start:stop].min())
        rise = next((j for j in range(start, stop) if level[j] > floor + 0.5
                     and level[j:stop].min() > floor + 0.5), stop)
        if not any(abs(c[0] - rise) <= 2 for c in hard):
            cuts.append((rise, "fade", float(abs(scan.luma[max(0, start - 1)] - scan.luma[start:stop].min()))))
    cuts.sort()
    min_gap = max(1, int(round(MIN_SHOT_S * fps)))
    kept: list[tuple[int, str, float]] = []
    for cut in cuts:
        if scan.times[cut[0]] - scan.times[0] < MIN_SHOT_S:
            continue  # the first shot is no shorter than any other
        if kept and cut[0] - kept[-1][0] < min_gap:
            if cut[2] > kept[-1][2]:
                kept[-1] = cut
            continue
        kept.append(cut)
    return kept


def _flat_runs(flat: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of flat frames."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flat.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _fade_level(scan: VideoScan, index: int) -> np.ndarray:
    """What a fade ramps: brightness off black (a black frame may keep a logo), else contrast off a flat
    frame of any colour (white, grey)."""
    if scan.spread is None or scan.luma[index] < DARK_LUMA:
        return scan.luma
    return scan.spread


def _abrupt(scan: VideoScan, i: int) -> bool:
    """Whether frame i was reached in one step: the last step makes most of the change since PERSIST_S
    before (a flash), where a fade gets there by small steps."""
    if scan.hists is None or i == 0:
        return True
    before = int(np.searchsorted(scan.times, scan.times[i] - PERSIST_S, "right")) - 1
    whole = float(np.abs(scan.hists[i] - scan.hists[max(before, 0)]).sum())
    return float(np.abs(scan.hists[i] - scan.hists[i - 1]).sum()) >= 0.6 * whole


def _differs_across(scan: VideoScan, start: int, stop: int) -> bool:
    """Whether what follows frames [start, stop) differs from what preceded them (a transition), rather
    than coming back to it (a flash or a dropped frame); at the ends of the video it counts as differing."""
    if scan.thumbs is None or scan.hists is None or start == 0 or stop >= len(scan.times):
        return True
    t = scan.times
    before = [j for j in range(start - 1, max(-1, start - 5), -1) if t[start] - t[j] <= PERSIST_S + 0.1]
    after = [j for j in range(stop, min(len(t), stop + 4)) if t[j] - t[stop] <= PERSIST_S]
    th = scan.thumbs.astype(np.int16)
    pixels = min(float(np.abs(th[a] - th[b]).mean()) for a in before for b in after)
    colours = min(float(np.abs(scan.hists[a] - scan.hists[b]).sum()) * 8.0 for a in before for b in after)
    return pixels >= BLEND_MIN or colours >= HIST_MIN


def _moved(scan: VideoScan, i: int) -> bool:
    """Whether frame i is frame i - 1 moved: shifted by up to SHIFT_BLOCKS thumbnail blocks, their overlap
    matches far better than the frames do in place (a pattern that jumps, a camera bump, a scroll)."""
    hb, wb = scan.thumb_shape
    if scan.thumbs is None or not hb or not wb:
        return False
    a = scan.thumbs[i - 1].reshape(hb, wb).astype(np.int16)
    b = scan.thumbs[i].reshape(hb, wb).astype(np.int16)
    still = float(np.abs(a - b).mean())
    best = still
    for dy in range(-SHIFT_BLOCKS, SHIFT_BLOCKS + 1):
        for dx in range(-SHIFT_BLOCKS, SHIFT_BLOCKS + 1):
            if (dy or dx) and hb - abs(dy) >= hb // 2 and wb - abs(dx) >= wb // 2:
                pa = a[max(dy, 0):hb + min(dy, 0), max(dx, 0):wb + min(dx, 0)]
                pb = b[max(-dy, 0):hb + min(-dy, 0), max(-dx, 0):wb + min(-dx, 0)]
                best = min(best, float(np.abs(pa - pb).mean()))
    return best <= MOVED_FRACTION * still


def _persists(scan: VideoScan, i: int, by_pixels: bool, by_colour: bool) -> bool:
    """Whether the change at frame i lasts: every frame shortly after it still differs from every frame
    shortly before it by at least PERSIST_FRACTION of the jump itself. A flash, a strobe or a dropped
    frame comes back to what was before; a cut does not. Frames are compared as colour distributions
    (colour route) or thumbnails (pixel route); at the ends of the video there is nothing to compare."""
    if scan.thumbs is None or scan.hists is None:
        return True
    t = scan.times
    before = [j for j in range(i - 1, max(-1, i - 5), -1) if t[i] - t[j] <= PERSIST_S]
    after = [j for j in range(i, min(len(t), i + 4)) if t[j] - t[i] <= PERSIST_S]
    if not before:
        return True
    if by_colour:
        cross = min(float(np.abs(scan.hists[a] - scan.hists[b]).sum()) * 8.0 for a in before for b in after)
        if cross >= PERSIST_FRACTION * float(scan.hist_change[i]):
            return True
    if by_pixels:
        th = scan.thumbs.astype(np.int16)
        jump = float(np.abs(th[i] - th[i - 1]).mean())
        cross = min(float(np.abs(th[a] - th[b]).mean()) for a in before for b in after)
        if cross >= PERSIST_FRACTION * jump:
            return True
    return False


def _blends(scan: VideoScan) -> list[tuple[int, int, int]]:
    """Gradual transitions as (first, last, cut) frame indices: runs of frames whose window of
    +-BLEND_HALF_S is a cross-fade, i.e. every frame inside is (1 - a) * start + a * end with a rising
    from 0 to 1 without a jump. Motion (a pan, a zoom, a shake) moves pixels instead of mixing them and
    leaves a large residual; a hard cut is a jump of a; a flash goes back. Overlapping windows are one
    transition, which needs two of them (one window alone is chance); its cut is the median of their
    first frames past half way."""
    if scan.thumbs is None or len(scan.times) < 4:
        return []
    th = scan.thumbs.astype(np.float32)
    t = scan.times
    n = len(t)
    lo = np.clip(np.searchsorted(t, t - BLEND_HALF_S, "right") - 1, 0, n - 1)
    hi = np.clip(np.searchsorted(t, t + BLEND_HALF_S, "left"), 0, n - 1)
    ends = np.abs(th[hi] - th[lo]).mean(axis=1)
    flagged: list[tuple[int, int]] = []
    for i in np.flatnonzero((ends >= BLEND_MIN) & (hi - lo >= 3)):
        a, b = int(lo[i]), int(hi[i])
        d = th[b] - th[a]
        inner = th[a + 1:b] - th[a]
        alpha = np.clip(inner @ d / float(d @ d), 0.0, 1.0)
        residual = np.abs(inner - alpha[:, None] * d[None, :]).mean(axis=1)
        steps = np.diff(np.concatenate([[0.0], alpha, [1.0]]))
        if residual.max() <= BLEND_RESIDUAL * ends[i] and steps.min() >= -0.1 and steps.max() <= 0.6 \
                and bool(np.any((alpha > 0.25) & (alpha < 0.75))):
            middle = a + 1 + int(np.argmax(alpha >= 0.5))
            flagged.append((int(i), middle))
    runs: list[tuple[int, int, list[int]]] = []
    for i, middle in flagged:
        if runs and lo[i] <= hi[runs[-1][1]]:  # overlapping windows: the same transition
            first, _, cuts = runs[-1]
            runs[-1] = (first, i, cuts + [middle])
        else:
            runs.append((i, i, [middle]))
    return [(int(lo[first]), int(hi[last]), int(np.median(cuts))) for first, last, cuts in runs if len(cuts) >= 2]


def _upper_quartile_around(x: np.ndarray, half: int, side: str = "both") -> np.ndarray:
    """Per index i, the 75th percentile (linear) of x[max(1, i - half):i] and x[i + 1:i + 1 + half] (or only
    the `side` "left" / "right" of the two); 0 if both are empty, NaN if the one side is.

    Index 0 has no predecessor, so its value is never anyone's neighbour.
    """
    n = len(x)
    padded = np.full(n + 2 * half, np.inf)
    padded[half + 1:half + n] = x[1:]
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1).copy()
    windows[:, half] = np.inf
    if side == "left":
        windows[:, half + 1:] = np.inf
    elif side == "right":
        windows[:, :half] = np.inf
    windows.sort(axis=1)
    count = np.isfinite(windows).sum(axis=1)
    pos = np.maximum(count - 1, 0) * 0.75
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    rows = np.arange(n)
    empty = 0.0 if side == "both" else np.nan
    low, high = (np.where(count > 0, windows[rows, k], empty) for k in (lo, hi))
    return low + (high - low) * (pos - lo)


def motion_segments(scan: VideoScan, cut_frames: list[int]) -> list[tuple[float, float, str]]:
    """Static vs motion spans: the smoothed fraction of changed pixels, ignoring cut frames."""
    moving = scan.moving.copy()
    for c in cut_frames:
        moving[c] = moving[c + 1] if c + 1 < len(moving) else 0.0  # a cut frame opens the new shot
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


def grab_frames(path: str | Path, times: list[float], out_dir: Path, prefix: str = "keyframe",
                full: bool = False) -> list[Path]:
    """Save one JPEG (max side KEYFRAME_MAX_SIDE) per timestamp, by input seeking in a single ffmpeg call;
    with `full`, lossless PNGs at the video's own size (screenshots that OCR reads)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = [out_dir / f"{prefix}_{i:04d}.{'png' if full else 'jpg'}" for i in range(len(times))]
    quality = [] if full else ["-vf", _KEYFRAME_SCALE, "-q:v", "4"]
    for start in range(0, len(times), 32):
        args: list[str] = ["-loglevel", "error"]
        for t in times[start:start + 32]:
            args += ["-ss", f"{max(0.0, t):.3f}", "-i", str(path)]
        for j, out in enumerate(outputs[start:start + 32]):
            args += ["-map", f"{j}:v:0", "-frames:v", "1", *quality, "-y", str(out)]
        run_ffmpeg(args, path)
    missing = [p for p in outputs if not p.exists()]
    if missing:
        raise ExtractorError(f"{path}: could not grab keyframes at {len(missing)} timestamps")
    return outputs


def refine_cuts(path: str | Path, width: int, height: int, scan: VideoScan, cuts: list[tuple[int, str]],
                fps: float) -> list[float]:
    """Exact times of cuts (index, kind) found between decoded frames `index - 1` and `index` of a
    B-frame-skipping scan.

    When frames were skipped in between, that span is decoded in full (all such spans together, see
    `scan_windows`) and the cut put on the frame with the largest change (hard) or the first frame off
    the flat floor (fade) - unless the fade-in ramp, extrapolated back, leaves the floor less than a
    frame before the decoded frame.
    """
    times = [float(scan.times[index]) for index, _ in cuts]
    spans = [(j, float(scan.times[index - 1]), times[j], kind) for j, (index, kind) in enumerate(cuts)
             if _skipped_before(scan, index, kind, fps)]
    windows = scan_windows(path, width, height, [(t_a - 0.25 / fps, t_b) for _, t_a, t_b, _ in spans])
    for (j, t_a, t_b, kind), win in zip(spans, windows, strict=True):
        inside = [i for i in range(1, len(win.times)) if t_a + 0.25 / fps < win.times[i] <= t_b + 0.25 / fps]
        if not inside:
            continue
        if kind == "fade":
            wlevel = _fade_level(win, inside[0] - 1)
            floor = float(wlevel[inside[0] - 1])
            times[j] = float(win.times[next((i for i in inside if wlevel[i] > floor + 0.5), inside[-1])])
        else:
            times[j] = float(win.times[max(inside, key=lambda i: win.change[i] + win.hist_change[i])])
    return times


def _skipped_before(scan: VideoScan, index: int, kind: str, fps: float) -> bool:
    """Whether the cut at decoded frame `index` may lie on a frame the scan skipped (and is not placed
    as well without it)."""
    if index == 0 or kind == "dissolve" or float(scan.times[index] - scan.times[index - 1]) <= 1.5 / fps:
        return False  # a dissolve's half-way point is no sharper than the decoded frames around it
    if kind == "fade" and index + 1 < len(scan.times):
        # a fade-in is a ramp (of contrast, off a flat frame): extrapolate it back from the two decoded
        # frames after the rise
        level = _fade_level(scan, index - 1)
        frames_between = max(float(scan.times[index + 1] - scan.times[index]) * fps, 1.0)
        slope = (float(level[index + 1]) - float(level[index])) / frames_between
        above = float(level[index]) - float(level[index - 1]) - 0.5
        if slope > 0 and above / slope < 1.0:
            return False
    return True


def video_anchors(path: str | Path, meta: VideoMeta, frames_dir: Path, extractor: str) -> list[Anchor]:
    """shot, cut, keyframe and motion anchors for one video file.

    Shots split where the picture changes at once or passes through a flat frame: the `cut`s (hard,
    fade). A `dissolve` blends one take into the next without a break in the picture: it lies inside its
    shot (the `shot` it names), at the frame where the mix passes half way.
    """
    width, height = int(meta.width or 0), int(meta.height or 0)
    if not width or not height:
        raise InputError(path, "no video stream with a known frame size")
    samples_dir = frames_dir / "samples"
    parts = max(1, min(len(os.sched_getaffinity(0)), Path(path).stat().st_size // PART_MIN_BYTES))
    scan = scan_video(path, width, height, meta.duration_s, sample_dir=samples_dir, skip_bidir=True,
                      parts=parts)
    fps = float(meta.fps or 0) or 1.0 / max(float(np.min(np.diff(scan.times), initial=0.04)), 1e-3)
    found = find_cuts(scan)
    cuts = [(t, kind, score) for t, (_, kind, score) in
            zip(refine_cuts(path, width, height, scan, [(frame, kind) for frame, kind, _ in found], fps), found)]
    bounds = [0.0] + [round(t, 3) for t, kind, _ in cuts if kind != "dissolve"] + [round(scan.duration_s, 3)]
    anchors: list[Anchor] = []
    for i in range(len(bounds) - 1):
        anchors.append(Anchor(id=f"shot:{i}", kind="shot", t=(bounds[i], bounds[i + 1]), c=ShotContent(index=i),
                              extractor=extractor))
    hard = [(t, kind, score) for t, kind, score in cuts if kind != "dissolve"]
    for i, (t, kind, score) in enumerate(hard):
        anchors.append(Anchor(id=f"cut:{i}", kind="cut", t=round(t, 3),
                              c=CutContent(type=kind, score=round(score, 2), frame=int(round(t * fps))),
                              extractor=extractor))
    for i, (t, _, score) in enumerate(c for c in cuts if c[1] == "dissolve"):
        shot = max(0, int(np.searchsorted(bounds, round(t, 3), "right")) - 1)
        anchors.append(Anchor(id=f"dissolve:{i}", kind="dissolve", t=round(t, 3),
                              c=DissolveContent(score=round(score, 2), frame=int(round(t * fps)), shot=f"shot:{shot}"),
                              extractor=extractor))
    cut_frames = [int(np.searchsorted(scan.times, t - 1e-6)) for t, kind, _ in cuts if kind != "dissolve"]
    motion = motion_segments(scan, [c for c in cut_frames if c < len(scan.times)])
    still = [(s, e) for s, e, state in motion if state == "static"]
    for i, (t, jpg, shot) in enumerate(_keyframes(path, bounds, _still_pictures(scan, bounds, still), scan.samples, frames_dir)):
        anchors.append(Anchor(id=f"keyframe:{i}", kind="keyframe", t=t, c=KeyframeContent(path=str(jpg), shot=f"shot:{shot}"),
                              extractor=extractor))
    for i, (s, e, state) in enumerate(motion):
        anchors.append(Anchor(id=f"motion:{i}", kind="motion", t=(s, e), c=MotionContent(state=state), extractor=extractor))
    return anchors


def _still_pictures(scan: VideoScan, bounds: list[float], still: list[tuple[float, float]]) -> list[list[list[tuple[float, Path]]]]:
    """Per shot, its samples grouped by the still picture they show: a slide or screen page that changes without a cut.

    A new group starts at a sample taken while the picture is still (inside a static motion span) whose
    thumbnail differs from the group's first still sample in at least STILL_CHANGE_FRACTION of its blocks,
    when the next still sample shows the same picture as it (a change that holds, not a flash or a drifting
    head); its first sample is timed at the largest frame change since the sample before, where the new picture
    came in (its image, taken at most SAMPLE_EVERY_S later, shows the same still picture). Samples taken in motion
    stay in the group they follow. Linear in the number of samples."""
    starts = [s for s, _ in still]

    def is_still(t: float) -> bool:
        k = bisect_right(starts, t) - 1
        return k >= 0 and still[k][0] <= t < still[k][1]

    def differs(a: int, b: int) -> bool:
        delta = np.abs(scan.thumbs[a].astype(np.int16) - scan.thumbs[b].astype(np.int16))
        return bool((delta > STILL_BLOCK_DELTA).mean() >= STILL_CHANGE_FRACTION)

    last = len(scan.times) - 1
    sample_times = [t for t, _ in scan.samples]
    out = []
    for s, e in zip(bounds, bounds[1:]):
        inside = scan.samples[bisect_left(sample_times, s):bisect_left(sample_times, e)]
        frames = [min(int(np.searchsorted(scan.times, t - 1e-6)), last) for t, _ in inside]
        calm = [k for k, (t, _) in enumerate(inside) if is_still(t)]
        next_calm = dict(zip(calm, calm[1:]))  # the last still sample has none: a change there cannot be seen to hold
        groups: list[list[tuple[float, Path]]] = [[]]
        ref: int | None = None
        for k, x in enumerate(inside):
            if ref is None and k in next_calm:
                ref = frames[k]
            elif k in next_calm and differs(frames[k], ref) and not differs(frames[next_calm[k]], frames[k]):
                groups.append([])
                ref = frames[k]
                since = frames[k - 1] + 1 if k else frames[k]
                changed = since + int(np.argmax(scan.change[since:frames[k] + 1]))
                x = (float(scan.times[changed]), x[1])  # timed where the picture changed; the sample shows it after
            groups[-1].append(x)
        out.append(groups)
    return out


def _keyframes(path: str | Path, bounds: list[float], pictures: list[list[list[tuple[float, Path]]]],
               samples: list[tuple[float, Path]], frames_dir: Path) -> list[tuple[float, Path, int]]:
    """(time, JPEG, shot index) in time order: per shot the sampled frame nearest its middle, or when the shot shows
    several still pictures (`_still_pictures`) the first picture's middle sample and each later picture's first
    sample, timed at the frame where that picture replaced the one before; a shot with no sample inside gets one
    by seeking to its middle."""
    chosen: list[tuple[float, Path, int] | None] = []
    empty: list[tuple[int, int]] = []  # (slot, shot)
    for shot, groups in enumerate(pictures):
        if not groups[0]:
            empty.append((len(chosen), shot))
            chosen.append(None)
            continue
        first = groups[0]
        mid = (first[0][0] + first[-1][0]) / 2 if len(groups) > 1 else (bounds[shot] + bounds[shot + 1]) / 2
        chosen.append((*min(first, key=lambda x: abs(x[0] - mid)), shot))
        chosen.extend((*g[0], shot) for g in groups[1:])
    if empty:
        mids = [round((bounds[k] + bounds[k + 1]) / 2, 3) for _, k in empty]
        for (slot, k), t, jpg in zip(empty, mids, grab_frames(path, mids, frames_dir, prefix="seek"), strict=True):
            chosen[slot] = (t, jpg, k)
    out = []
    kept = set()
    for i, (t, jpg, shot) in enumerate(c for c in chosen if c is not None):
        target = frames_dir / f"keyframe_{i:04d}.jpg"
        jpg.replace(target)
        kept.add(jpg)
        out.append((round(t, 3), target, shot))
    for _, leftover in samples:
        if leftover not in kept:
            leftover.unlink(missing_ok=True)
    return out
