"""Video containers (anything ffmpeg opens) with their subtitle sidecars, the last resort for a file no other
format claims.

Its `sniff` accepts every file so that `ffprobe`'s verdict (no video stream, unknown codec, truncated)
becomes the one-line error the user sees for a file that is no stream at all.
"""

from __future__ import annotations

from pathlib import Path

from ...core.errors import InputError, UnsupportedFormat
from ...core.source import Source, SourceKind, VideoMeta
from ..ffmpeg import describe_text, probe
from ..hashing import content_hash, sources_hash
from ..subtitles import sidecar_files
from .spec import InputFormat


def _describe(fmt: InputFormat, given: str, path: Path) -> Source:
    info = fmt.load(path, None)
    video = info.video
    if video is None:
        raise UnsupportedFormat(path, describe_text(path) or f"no video stream (container {info.container})")
    if video.codec == "none":
        raise UnsupportedFormat(path, "video codec unknown to ffmpeg (no decoder)")
    if not info.duration_s:
        raise InputError(path, "video has no duration (truncated or still being written?)")
    ext = path.suffix.lower().lstrip(".") or info.container.split(",")[0]
    found = sidecar_files(path)
    sidecars = [str(p) for p in found]
    meta = VideoMeta(duration_s=round(info.duration_s, 3), width=video.width, height=video.height, fps=video.fps,
                     codec=video.codec, container=info.container, audio=info.has_audio,
                     subtitle_streams=len(info.subtitles), **({"subtitle_files": sidecars} if sidecars else {}))
    return Source(path=str(path), kind=SourceKind.video, content_hash=sources_hash(content_hash(path), found),
                  format=ext, meta=meta, files=[str(path), *sidecars])


VIDEO = InputFormat(
    name="video", title="video", kind=SourceKind.video, priority=1000, takes="file",
    sniff=lambda p: True, load=lambda p, episode: probe(p), describe=_describe,
    description="Any video container ffmpeg can decode (MP4, MKV, WebM, AVI, MOV...), with sidecar subtitles.",
)
