"""Pictures for the page: read each keyframe or screenshot once, shrink it, and embed or place it beside the page.

A page must open on another machine with nothing else, so pictures are embedded as data URLs until a
byte budget is spent; the rest go into a folder beside the page (`<page>_files/`). Every read is
bounded: only picture suffixes, a size cap, a pixel cap (no decompression bombs); a picture that
cannot be read becomes a warning on the page, never an error.
"""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path

from PIL import Image

from .model import ImageRef

PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"})
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PIXELS = 50_000_000
MAX_SIDE = 1280
"""Pictures are shrunk to this longest side: screenshots stay readable, a 100-step trace stays small."""
DEFAULT_BUDGET = 24 * 1024 * 1024
"""Bytes of pictures embedded in one page before the rest are written beside it."""


class ImageStore:
    """The pictures of one page, keyed in the order they were first asked for."""

    def __init__(self, *, budget: int = DEFAULT_BUDGET, beside: Path | None = None, page_dir: Path | None = None):
        self.budget = budget
        self.beside = beside
        self.page_dir = page_dir
        self.images: dict[str, ImageRef] = {}
        self.warnings: list[str] = []
        self._keys: dict[Path, str | None] = {}
        self._embedded = 0

    def add(self, file: Path, *, missing_ok: bool = False) -> str | None:
        """The key of `file`'s picture, or None (with a warning, unless `missing_ok` and it does not exist)."""
        real = file.resolve()
        if real in self._keys:
            return self._keys[real]
        if missing_ok and not real.exists():
            return None
        key = None
        try:
            key = self._store(real)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            self.warnings.append(f"{file}: picture not shown ({_reason(exc)})")
        self._keys[real] = key
        return key

    def _store(self, file: Path) -> str | None:
        if file.suffix.lower() not in PICTURE_SUFFIXES:
            raise ValueError("not a picture file")
        if not file.is_file():
            raise ValueError("file not found")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        with Image.open(file) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ValueError(f"{width}x{height} is too many pixels")
            img.draft("RGB", (MAX_SIDE, MAX_SIDE))
            small = img.convert("RGB")
        small.thumbnail((MAX_SIDE, MAX_SIDE))
        buf = io.BytesIO()
        small.save(buf, "JPEG", quality=82)
        data = buf.getvalue()
        key = f"img{len(self.images)}"
        if self._embedded + len(data) <= self.budget:
            self._embedded += len(data)
            src = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        elif self.beside is not None:
            self.beside.mkdir(parents=True, exist_ok=True)
            out = self.beside / f"{key}.jpg"
            out.write_bytes(data)
            src = out.relative_to(self.page_dir).as_posix() if self.page_dir else out.as_posix()
        else:
            self.warnings.append(f"{file}: picture not shown (embedding budget of {self.budget} bytes spent)")
            return None
        self.images[key] = ImageRef(src=src, width=width, height=height)
        return key


def regrab_keyframes(video: Path, times: list[float], store: ImageStore) -> list[str | None]:
    """Keys for frames of `video` at `times`: used when the anchor cache no longer holds the keyframes."""
    from ..core import DataClawError
    from ..tools.video import grab_frames

    with tempfile.TemporaryDirectory(prefix="dataclaw-view-") as tmp:
        try:
            files = grab_frames(video, times, Path(tmp))
        except DataClawError as exc:
            store.warnings.append(f"{video}: keyframes not regrabbed ({exc})")
            return [None] * len(times)
        return [store.add(f) for f in files]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
