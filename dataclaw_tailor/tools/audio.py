"""Sound vs silence spans of a video's first audio track (ffmpeg `silencedetect`; audio-only decode).

A cheap stand-in for speech segments when a video has no subtitles: spans where something is audible
bound narration, dialogue and action sounds; silences often mark pauses between steps.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.anchor import Anchor
from ..core.contents import AudioContent
from ..core.source import VideoMeta
from .ffmpeg import run_ffmpeg

NOISE_DB = -35
MIN_SILENCE_S = 0.5
_START = re.compile(r"silence_start: (-?[\d.]+)")
_END = re.compile(r"silence_end: (-?[\d.]+)")


def audio_anchors(video: Path, meta: VideoMeta, extractor: str) -> list[Anchor]:
    if not meta.audio:
        return []
    proc = run_ffmpeg(["-loglevel", "info", "-i", str(video), "-map", "0:a:0", "-af",
                       f"silencedetect=noise={NOISE_DB}dB:d={MIN_SILENCE_S}", "-f", "null", "-"], video)
    log = proc.stderr.decode(errors="replace")
    duration = float(meta.duration_s or 0.0)
    starts = [max(0.0, float(x)) for x in _START.findall(log)]
    ends = [min(duration, float(x)) for x in _END.findall(log)]
    ends += [duration] * (len(starts) - len(ends))
    spans: list[tuple[float, float, str]] = []
    cursor = 0.0
    for s, e in zip(starts, ends):
        if s > cursor:
            spans.append((cursor, s, "sound"))
        spans.append((s, e, "silence"))
        cursor = e
    if cursor < duration:
        spans.append((cursor, duration, "sound"))
    return [Anchor(id=f"audio:{i}", kind="audio", t=(round(s, 3), round(e, 3)), c=AudioContent(state=state),
                   extractor=extractor) for i, (s, e, state) in enumerate(spans) if e > s]
