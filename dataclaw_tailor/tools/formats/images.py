"""Still images: one image file, or a folder of images that form no edit sequence (an `image_set`)."""

from __future__ import annotations

from pathlib import Path

from ...core.source import ImageSetMeta, Source, SourceKind
from ..edits import images_in
from ..files import image_size
from ..hashing import content_hash
from .spec import InputFormat

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")


def is_image(path: Path) -> bool:
    """PNG, JPEG, GIF, BMP or WebP, by its first bytes."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head.startswith(IMAGE_MAGIC) or head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _image_size(path: Path, episode: int | None = None) -> tuple[int, int]:
    return image_size(path)


def _describe_image(fmt: InputFormat, given: str, path: Path) -> Source:
    width, height = fmt.load(path, None)
    return Source(path=str(path), kind=SourceKind.image_set, content_hash=content_hash(path), format="image",
                  meta=ImageSetMeta(n_steps=1, width=width, height=height))


def _describe_folder(fmt: InputFormat, given: str, path: Path) -> Source:
    images = fmt.load(path, None)
    return Source(path=str(path), kind=SourceKind.image_set, content_hash=content_hash(path, images),
                  format="images", meta=ImageSetMeta(n_steps=len(images)))


IMAGE = InputFormat(
    name="image", title="image", kind=SourceKind.image_set, priority=220, takes="file",
    sniff=is_image, load=_image_size, describe=_describe_image,
    description="One still image (PNG, JPEG, GIF, BMP, WebP).",
)
IMAGE_FOLDER = InputFormat(
    name="images", title="images", kind=SourceKind.image_set, priority=210, takes="folder",
    sniff=lambda p: bool(images_in(p)), load=lambda p, episode: images_in(p), describe=_describe_folder,
    description="A folder of still images that form no edit sequence.",
)
