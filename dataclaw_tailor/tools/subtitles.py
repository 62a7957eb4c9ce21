"""Subtitle segments: sidecar .srt / .vtt files beside a video, or subtitle streams inside it."""

from __future__ import annotations

import re
from pathlib import Path

from ..core.anchor import Anchor
from ..core.errors import InputError

_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
_TAG = re.compile(r"<[^>]+>|\{\\[^}]*\}")


def _seconds(text: str) -> float:
    m = _TIME.search(text)
    if not m:
        raise ValueError(text)
    h, mi, s, ms = m.groups()
    return int(h or 0) * 3600 + int(mi) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_cues(text: str, origin: str | Path) -> list[tuple[float, float, str]]:
    """(start, end, text) cues from SRT or WebVTT text; a malformed timing line raises InputError."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\ufeff", "")):
        lines = [ln for ln in block.strip().split("\n") if ln.strip()]
        timing = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
        if timing is None:
            continue
        start_s, _, rest = lines[timing].partition("-->")
        try:
            start, end = _seconds(start_s), _seconds(rest.strip().split(" ")[0])
        except ValueError:
            raise InputError(origin, f"bad subtitle timing line '{lines[timing]}'") from None
        body = " ".join(_TAG.sub("", ln).strip() for ln in lines[timing + 1:]).strip()
        if body:
            cues.append((round(start, 3), round(end, 3), body))
    return sorted(cues)


def embedded_cues(video: Path, stream: int) -> list[tuple[float, float, str]]:
    from .ffmpeg import run_ffmpeg

    proc = run_ffmpeg(["-loglevel", "error", "-i", str(video), "-map", f"0:s:{stream}", "-f", "srt", "pipe:1"], video)
    return parse_cues(proc.stdout.decode("utf-8", "replace"), video)


def subtitle_anchors(video: Path, meta: dict, extractor: str) -> list[Anchor]:
    """Cues from sidecar files first, else from the first embedded subtitle stream."""
    cues: list[tuple[float, float, str]] = []
    for file in meta.get("subtitle_files") or []:
        cues += parse_cues(Path(file).read_text(encoding="utf-8", errors="replace"), file)
    if not cues and meta.get("subtitle_streams"):
        cues = embedded_cues(video, 0)
    duration = meta.get("duration_s")
    out = []
    for s, e, text in sorted(cues):
        if duration:
            s, e = min(s, duration), min(e, duration)
        out.append(Anchor(id=f"subtitle:{len(out)}", kind="subtitle", t=(s, e), c=text, extractor=extractor))
    return out
