"""A reference to raw data plus what we learned about it by looking at its content."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class SourceKind(StrEnum):
    video = "video"
    gui_trace = "gui_trace"
    robot_episode = "robot_episode"
    edit_sequence = "edit_sequence"
    image_set = "image_set"


class Source(BaseModel):
    """A raw stream, detected by content (see `dataclaw_tailor.tools.detect`).

    `meta` carries the physical facts the grounding checks need: `duration_s` for timed streams,
    `width`/`height` for screens and frames, `fps`, `n_steps` for traces and episodes.
    """

    path: str = Field(description="Path of the file or folder as given by the user.")
    kind: SourceKind = Field(description="Detected stream kind.")
    content_hash: str = Field(description="sha256 over the content; keys caches and corpus manifests.")
    format: str = Field(default="", description="Concrete layout, e.g. 'mp4', 'screenagent', 'lerobot-v2.1'.")
    meta: dict[str, Any] = Field(default_factory=dict, description="duration_s, width, height, fps, n_steps ...")
    files: list[str] = Field(
        default_factory=list,
        description="Every file whose bytes an extractor may read (the media, sidecar subtitles, metadata, "
                    "screenshots); `content_hash` covers them all, and a cached anchor list is reused only "
                    "while none of them changed. Empty when unknown (the hash then covers `path`).")

    @property
    def duration_s(self) -> float | None:
        value = self.meta.get("duration_s")
        return float(value) if value is not None else None

    @property
    def screen(self) -> tuple[int, int] | None:
        w, h = self.meta.get("width"), self.meta.get("height")
        return (int(w), int(h)) if w and h else None
