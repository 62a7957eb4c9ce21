"""The ffmpeg binary and what `ffmpeg -i` tells us about a media file.

imageio-ffmpeg ships a static ffmpeg but no ffprobe (and Debian's ffprobe may be absent), so media
facts come from parsing the banner `ffmpeg -i FILE` prints: container, duration, streams.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from pydantic import BaseModel, Field

from ..core.errors import InputError, UnsupportedFormat


@functools.cache
def ffmpeg_exe() -> str:
    """The bundled imageio-ffmpeg binary, else `ffmpeg` on PATH (override with DATACLAW_FFMPEG)."""
    override = os.environ.get("DATACLAW_FFMPEG")
    if override:
        return override
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        found = shutil.which("ffmpeg")
        if not found:
            raise InputError("ffmpeg", "no ffmpeg binary found (pip install imageio-ffmpeg or apt-get install ffmpeg)")
        return found


class StreamInfo(BaseModel):
    """One stream line of the banner."""

    index: int = Field(description="Stream index inside the container.")
    type: str = Field(description="video, audio, subtitle or data.")
    codec: str = Field(description="Codec name ffmpeg reports; 'none' when it has no decoder.")
    width: int | None = Field(default=None, description="Frame width in pixels (video; a bitmap subtitle's plane).")
    height: int | None = Field(default=None, description="Frame height in pixels (video; a bitmap subtitle's plane).")
    fps: float | None = Field(default=None, description="Nominal frame rate (video; 'fps' else 'tbr').")
    language: str | None = Field(default=None, description="Language tag, when the container has one.")
    default: bool = Field(default=False, description="The container marks the stream as its default.")


class MediaInfo(BaseModel):
    """Facts about a media file, from `ffmpeg -i`."""

    container: str = Field(description="Demuxer name list, e.g. 'mov,mp4,m4a,3gp,3g2,mj2' or 'matroska,webm'.")
    duration_s: float | None = Field(default=None, description="Container duration in seconds.")
    streams: list[StreamInfo] = Field(default_factory=list, description="All streams in order.")

    @property
    def video(self) -> StreamInfo | None:
        return next((s for s in self.streams if s.type == "video"), None)

    @property
    def subtitles(self) -> list[StreamInfo]:
        return [s for s in self.streams if s.type == "subtitle"]

    @property
    def has_audio(self) -> bool:
        return any(s.type == "audio" for s in self.streams)


_INPUT = re.compile(r"^Input #0, ([^,]+(?:,[^ ,]+)*), from")
_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #0:(\d+)(?:\[[^\]]*\])?(?:\((\w+)\))?: (Video|Audio|Subtitle|Data|Attachment): (\w+)")
_SIZE = re.compile(r", (\d{2,5})x(\d{2,5})[ ,]")
_FPS = re.compile(r", (\d+(?:\.\d+)?)(k?) fps")
_TBR = re.compile(r", (\d+(?:\.\d+)?)(k?) tbr")


def parse_banner(text: str) -> MediaInfo | None:
    """Parse the `Input #0` section of ffmpeg's stderr; None when there is none."""
    container = None
    duration = None
    streams: list[StreamInfo] = []
    for line in text.splitlines():
        stripped = line.strip()
        if container is None and (m := _INPUT.match(stripped)):
            container = m.group(1)
        elif duration is None and (m := _DURATION.search(stripped)):
            h, mi, s = m.groups()
            duration = int(h) * 3600 + int(mi) * 60 + float(s)
        elif m := _STREAM.search(stripped):
            width = height = fps = None
            if m.group(3) in ("Video", "Subtitle") and (size := _SIZE.search(stripped + " ")):
                width, height = int(size.group(1)), int(size.group(2))
            if m.group(3) == "Video":
                rate = _FPS.search(stripped) or _TBR.search(stripped)
                if rate:
                    fps = float(rate.group(1)) * (1000 if rate.group(2) else 1)
            streams.append(StreamInfo(index=int(m.group(1)), type=m.group(3).lower(), codec=m.group(4),
                                      width=width, height=height, fps=fps, language=m.group(2),
                                      default="(default)" in stripped))
    if container is None:
        return None
    return MediaInfo(container=container, duration_s=duration, streams=streams)


def _problem(stderr: str) -> str:
    if "moov atom not found" in stderr:
        return "truncated or incomplete file (moov atom not found)"
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if "Invalid data found" in ln:
            return "not a media file ffmpeg can read (invalid data)"
    return lines[-1] if lines else "ffmpeg could not read it"


TEXT_HEAD_BYTES = 1 << 16


def _text_head(path: Path) -> str | None:
    """The first TEXT_HEAD_BYTES of a file as text (gunzipped when gzip), or None when it is not text."""
    import zlib

    try:
        with Path(path).open("rb") as fh:
            raw = fh.read(TEXT_HEAD_BYTES)
    except OSError:
        return None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = zlib.decompressobj(wbits=31).decompress(raw, TEXT_HEAD_BYTES)
        except zlib.error:
            return None
    text = raw.decode("utf-8", errors="ignore")
    printable = sum(c.isprintable() or c.isspace() for c in text)
    if not text.strip() or len(text) < len(raw) * 0.25 or printable < 0.95 * len(text):
        return None
    return text.lstrip("\ufeff")


def describe_text(path: str | Path) -> str | None:
    """What a text file is, in words, when it is JSON, JSON Lines or subtitles (not media): so that the
    error for an annotation file or a cut-short trace says so instead of ffmpeg's "invalid data"."""
    import json

    path = Path(path)
    text = _text_head(path)
    if text is None:
        return None
    stripped = text.strip()
    if "-->" in text[:2000] and path.suffix.lower() in (".srt", ".vtt", ".ass", ".ssa", ".txt"):
        return "a subtitle file, not a video (give the video it belongs to: sidecar subtitles beside it are read)"
    if stripped[:1] not in "{[":
        return "text, not a media file or a stream layout we know"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    complete = path.stat().st_size <= TEXT_HEAD_BYTES and not path.name.endswith(".gz")
    try:
        first = json.loads(lines[0])
    except (ValueError, RecursionError):  # ValueError: JSONDecodeError, or a number past the interpreter's digit limit
        first = None
    if first is not None and len(lines) > 1:
        keys = ", ".join(list(first)[:8]) if isinstance(first, dict) else type(first).__name__
        return (f"JSON Lines text (first record: {keys}): annotations or records, not a stream layout we know "
                f"(a GUI trace, a robot episode) nor a media file")
    try:
        doc = json.loads(text) if complete else None
    except json.JSONDecodeError as exc:
        return f"JSON text that does not parse ({exc.msg} at line {exc.lineno}): truncated or malformed"
    except (ValueError, RecursionError) as exc:
        return f"JSON text that cannot be read ({type(exc).__name__}: {str(exc)[:80]}): malformed or hostile"
    if doc is None and first is None:
        return "JSON text (too long to check here), not a stream layout we know nor a media file"
    doc = doc if doc is not None else first
    keys = ", ".join(list(doc)[:8]) if isinstance(doc, dict) else f"a list of {len(doc)}" if isinstance(doc, list) \
        else type(doc).__name__
    return f"a JSON document ({keys}), not a stream layout we know (a GUI trace, a robot episode) nor a media file"


def probe(path: str | Path) -> MediaInfo:
    """Media facts for `path`; raises UnsupportedFormat (naming the file) when ffmpeg cannot open it."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True, text=True, errors="replace", timeout=60)
    info = parse_banner(proc.stderr)
    if info is None:
        raise UnsupportedFormat(path, describe_text(path) or _problem(proc.stderr))
    return info


_TIMEBASE = re.compile(r"^#tb 0: (\d+)/(\d+)", re.MULTILINE)


def sync_points(path: str | Path) -> tuple[list[tuple[float, int]], int]:
    """Where decoding can start, from a demux-only pass (`-c copy -f framecrc`, no decoding).

    Returns ([(time, bytes before it)] for each sync sample of the first video stream, total video
    bytes). Times are on ffmpeg's output clock (the CLI subtracts the container start, stream copy
    included), which is what `-ss` takes, so seeking there lands exactly on that sample. Empty when the
    stream has no timestamps.
    """
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0", "-c", "copy",
                           "-f", "framecrc", "-"], check=False, capture_output=True, timeout=600)
    out = proc.stdout.decode(errors="replace")
    timebase = _TIMEBASE.search(out)
    if proc.returncode != 0 or timebase is None:
        return [], 0
    tb = int(timebase.group(1)) / int(timebase.group(2))
    points, total = [], 0
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 6:
            continue
        flags = int(fields[6][2:], 0) if len(fields) > 6 and fields[6].startswith("F=") else 1
        pts = int(fields[2])
        if flags & 1 and pts != -(2 ** 63):
            points.append((pts * tb, total))
        total += int(fields[4])
    return points, total


def run_ffmpeg(args: list[str], path: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with `args`; a failure becomes an InputError naming `path` and ffmpeg's last error line."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", *args], capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        raise InputError(path, f"ffmpeg failed: {_problem(proc.stderr.decode(errors='replace'))}")
    return proc
