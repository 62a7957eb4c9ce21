"""`detect(path) -> Source`: what kind of stream a path holds, judged by content, with its physical facts."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.errors import InputError, UnsupportedFormat
from ..core.source import Source, SourceKind
from .ffmpeg import probe
from .hashing import content_hash, sources_hash
from .subtitles import sidecar_files

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")


def _head(path: Path, n: int = 16) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


def _gui(given: str, path: Path) -> Source | None:
    from .gui import load_trace, sniff_trace

    fmt = sniff_trace(path)
    if fmt is None:
        return None
    trace = load_trace(given)
    duration = max((s.t for s in trace.steps), default=0.0)
    shots = sorted({p for p in (trace.screenshot_path(s) for s in trace.steps) if p is not None})
    outside = [] if path.is_dir() else shots  # a folder's hash already covers its screenshots
    digest = sources_hash(content_hash(path), outside)
    if given != str(path):
        digest = hashlib.sha256(f"{digest}{given[len(str(path)):]}".encode()).hexdigest()
    files = sorted({str(p) for p in (path.rglob("*") if path.is_dir() else [path]) if p.is_file()} |
                   {str(p) for p in shots})
    return Source(path=given, kind=SourceKind.gui_trace, content_hash=digest, format=fmt, files=files,
                  meta={"width": trace.screen.width, "height": trace.screen.height, "n_steps": len(trace.steps),
                        "duration_s": duration, "platform": trace.platform, "task": trace.task})


def _robot(given: str, path: Path) -> Source | None:
    from .robot import load_episode, sniff_episode

    fmt = sniff_episode(path)
    if fmt is None:
        return None
    ep = load_episode(given)
    root = ep.root or (path if path.is_dir() else path.parent)
    digest = hashlib.sha256(f"{content_hash(root, ep.files)}#episode={ep.episode_index}".encode()).hexdigest()
    meta = {"duration_s": round(ep.duration_s, 3), "fps": ep.fps, "n_steps": ep.n_steps,
            "episode": ep.episode_index, "n_episodes": ep.n_episodes, "instruction": ep.instruction,
            "robot": ep.robot, "gripper_signal": ep.gripper_source or None,
            "video": str(ep.video) if ep.video else None}
    if ep.extra.get("fps_assumed"):
        meta["fps_assumed"] = True
    if ep.warnings:
        meta["warnings"] = ep.warnings
    return Source(path=given, kind=SourceKind.robot_episode, content_hash=digest, format=ep.format, meta=meta,
                  files=[str(f) for f in ep.files])


def _edits(path: Path) -> Source | None:
    from .edits import images_in, load_pairs

    pairs, layout = load_pairs(path)
    if pairs:
        from PIL import Image

        with Image.open(path / pairs[0].after) as im:
            width, height = im.size
        return Source(path=str(path), kind=SourceKind.edit_sequence, content_hash=content_hash(path), format=layout,
                      meta={"n_steps": len(pairs), "width": width, "height": height})
    images = images_in(path)
    if images:
        return Source(path=str(path), kind=SourceKind.image_set, content_hash=content_hash(path, images),
                      format="images", meta={"n_steps": len(images)})
    return None


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
    sidecars = sidecar_files(path)
    if sidecars:
        meta["subtitle_files"] = [str(p) for p in sidecars]
    return Source(path=str(path), kind=SourceKind.video, content_hash=sources_hash(content_hash(path), sidecars),
                  format=ext, meta=meta, files=[str(path), *meta.get("subtitle_files", [])])


def detect(path: str | Path) -> Source:
    """Detect the stream kind at `path` by content and return a Source with its hash and meta.

    Raises InputError (missing, empty, unreadable) or UnsupportedFormat (readable but not a known
    stream), each naming the file and the problem in one line.
    """
    from .robot.episode import split_episode

    p, _ = split_episode(Path(path).expanduser())
    given = str(Path(path).expanduser())
    if not p.exists():
        raise InputError(p, "no such file or folder")
    if p.is_dir():
        found = _gui(given, p) or _robot(given, p) or _edits(p)
        if found is not None:
            return found
        raise UnsupportedFormat(p, "folder holds no stream layout we know (GUI trace, LeRobot, RLDS, robomimic, "
                                   "edit pairs, images)")
    if p.stat().st_size == 0:
        raise InputError(p, "empty file (0 bytes)")
    found = _gui(given, p) or _robot(given, p)
    if found is not None:
        return found
    head = _head(p)
    if head.startswith(IMAGE_MAGIC) or head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        from PIL import Image

        with Image.open(p) as im:
            width, height = im.size
        return Source(path=str(p), kind=SourceKind.image_set, content_hash=content_hash(p), format="image",
                      meta={"n_steps": 1, "width": width, "height": height})
    return _video(p)
