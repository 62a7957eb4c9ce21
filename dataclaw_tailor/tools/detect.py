"""`detect(path) -> Source`: what kind of stream a path holds, judged by content, with its physical facts."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError, UnsupportedFormat
from ..core.source import Source, SourceKind
from .ffmpeg import probe
from .hashing import content_hash

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")


def _head(path: Path, n: int = 16) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


def _gui(path: Path) -> Source | None:
    from .gui import load_trace, sniff_trace

    fmt = sniff_trace(path)
    if fmt is None:
        return None
    trace = load_trace(path)
    duration = max((s.t for s in trace.steps), default=0.0)
    return Source(path=str(path), kind=SourceKind.gui_trace, content_hash=content_hash(path), format=fmt,
                  meta={"width": trace.screen.width, "height": trace.screen.height, "n_steps": len(trace.steps),
                        "duration_s": duration, "platform": trace.platform, "task": trace.task})


def _video(path: Path) -> Source:
    info = probe(path)
    video = info.video
    if video is None:
        raise UnsupportedFormat(path, f"no video stream (container {info.container})")
    if video.codec == "none":
        raise UnsupportedFormat(path, "video codec unknown to ffmpeg (no decoder)")
    if not info.duration_s:
        raise InputError(path, "video has no duration (truncated or still being written?)")
    ext = path.suffix.lower().lstrip(".") or info.container.split(",")[0]
    meta = {"duration_s": round(info.duration_s, 3), "width": video.width, "height": video.height, "fps": video.fps,
            "codec": video.codec, "container": info.container, "audio": info.has_audio,
            "subtitle_streams": len(info.subtitles)}
    sidecars = [str(p) for p in sorted(path.parent.glob(path.stem + "*")) if p.suffix.lower() in (".srt", ".vtt")]
    if sidecars:
        meta["subtitle_files"] = sidecars
    return Source(path=str(path), kind=SourceKind.video, content_hash=content_hash(path), format=ext, meta=meta)


def detect(path: str | Path) -> Source:
    """Detect the stream kind at `path` by content and return a Source with its hash and meta.

    Raises InputError (missing, empty, unreadable) or UnsupportedFormat (readable but not a known
    stream), each naming the file and the problem in one line.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(p, "no such file or folder")
    if p.is_dir():
        found = _gui(p)
        if found is not None:
            return found
        raise UnsupportedFormat(p, "folder holds no stream layout we know (GUI trace, LeRobot, RLDS, edit pairs)")
    if p.stat().st_size == 0:
        raise InputError(p, "empty file (0 bytes)")
    found = _gui(p)
    if found is not None:
        return found
    return _video(p)
