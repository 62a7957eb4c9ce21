"""OCR anchors from video keyframes, mapped back to the source frame's pixel coordinates.

Only text the recogniser is confident of and that looks like words (`ocr.names`) becomes an anchor: a
misread string on a film frame would otherwise end up quoted in captions, instructions and questions."""

from __future__ import annotations

from ..core.anchor import Anchor
from ..core.contents import KeyframeContent
from ..core.source import VideoMeta
from .files import decode_image
from .ocr import names, read_text


def ocr_anchors(keyframes: list[Anchor], meta: VideoMeta, extractor: str) -> list[Anchor]:
    width = float(meta.width or 0)
    out: list[Anchor] = []
    for kf in keyframes:
        rgb = decode_image(KeyframeContent.of(kf).path, "keyframe", max_side=4096)
        scale = width / rgb.shape[1] if width else 1.0
        for box in names(read_text(rgb)):
            bbox = [round(v * scale, 1) for v in box.bbox]
            out.append(Anchor(id=f"ocr:{len(out)}", kind="ocr", t=kf.t, p=bbox, c=box.text, extractor=extractor))
    return out
