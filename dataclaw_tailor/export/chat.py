"""Samples -> chat rows: OpenAI chat-completions, ShareGPT (LLaMA-Factory) and TRL conversational JSONL."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from ..model.openai import data_url
from .units import Sample

SYSTEM = "You turn raw multimodal streams into grounded, schema-valid JSON training data."


class ImageCopier:
    """Copies images beside a chat file (content-addressed names), so the set moves as one folder."""

    def __init__(self, out: Path):
        self.folder = out.parent / f"{out.stem}_images"
        self.root = out.parent

    def __call__(self, path: Path) -> str:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        target = self.folder / f"{digest}{path.suffix.lower() or '.jpg'}"
        if not target.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        return target.relative_to(self.root).as_posix()


def _messages(sample: Sample, image_parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """System, user (images, then the text) and assistant turns; every content is a list of parts so all
    rows share one Arrow schema."""
    return [
        {"role": "system", "content": [{"type": "text", "text": SYSTEM}]},
        {"role": "user", "content": [*image_parts, {"type": "text", "text": sample.user}]},
        {"role": "assistant", "content": [{"type": "text", "text": sample.answer}]},
    ]


def openai_row(sample: Sample, copy: ImageCopier) -> dict[str, Any]:
    """Chat-completions messages, images inlined as data URLs (nothing to copy)."""
    return {"messages": _messages(sample, [{"type": "image_url", "image_url": {"url": data_url(p)}} for p in sample.images])}


def sharegpt_row(sample: Sample, copy: ImageCopier) -> dict[str, Any]:
    return {
        "conversations": [
            {"from": "human", "value": "<image>" * len(sample.images) + sample.user},
            {"from": "gpt", "value": sample.answer},
        ],
        "system": SYSTEM,
        "images": [copy(p) for p in sample.images],
    }


def trl_row(sample: Sample, copy: ImageCopier) -> dict[str, Any]:
    """TRL's vision chat rows: an `image` placeholder part per image, the files in `images`."""
    return {"messages": _messages(sample, [{"type": "image", "text": None} for _ in sample.images]),
            "images": [copy(p) for p in sample.images]}
