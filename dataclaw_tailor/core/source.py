"""A reference to raw data plus what we learned about it by looking at its content."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_serializer, field_validator

from .registry import Registry, first_line

Number = int | float
"""A JSON number kept as written (an int stays an int), so metadata dumps back to the JSON it came from."""


class SourceKind(StrEnum):
    video = "video"
    gui_trace = "gui_trace"
    robot_episode = "robot_episode"
    edit_sequence = "edit_sequence"
    image_set = "image_set"


FORMAT_METAS: Registry[type[SourceMeta]] = Registry("source format's meta")
"""`Source.format` -> the meta model of a format whose loader learns more than its kind's model holds."""


class SourceMeta(BaseModel):
    """The physical facts grounding checks and prompts read, whatever the kind (None: not known).

    Each source kind extends it with what its loaders learn (`META_TYPES`); a key the model does not
    declare is a validation error where the source is built. An input format that learns more declares a
    subclass of its kind's model in its own module, naming itself:

        class NotesMeta(VideoMeta, format="subs-notes"):
            text: str | None = None
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init_subclass__(cls, format: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if format is not None:
            FORMAT_METAS.add(format, cls, first_line(cls.__doc__))

    duration_s: Number | None = Field(default=None, description="Length in seconds (timed streams).")
    width: int | None = Field(default=None, description="Screen or frame width in pixels.")
    height: int | None = Field(default=None, description="Screen or frame height in pixels.")
    fps: Number | None = Field(default=None, description="Frames (or recorded steps) per second.")
    n_steps: int | None = Field(default=None, description="Steps of a trace or episode, pairs of an edit sequence, images of a set.")

    def to_json(self) -> dict[str, Any]:
        """The JSON form: only the facts that were set."""
        return self.model_dump(mode="json", exclude_unset=True)

    def physical(self) -> dict[str, Number]:
        """The known facts every kind shares (duration_s, width, height, fps, n_steps), in that order:
        what prompts show about a source and training rows keep of it."""
        return {name: value for name in SourceMeta.model_fields if (value := getattr(self, name)) is not None}


class VideoMeta(SourceMeta):
    """What probing a video file tells (`tools.detect`)."""

    codec: str | None = None
    container: str | None = None
    audio: bool | None = Field(default=None, description="The file has an audio stream.")
    subtitle_streams: int | None = Field(default=None, description="Embedded subtitle streams.")
    subtitle_files: list[str] | None = Field(default=None, description="Sidecar .srt/.vtt files beside the video.")


class GuiTraceMeta(SourceMeta):
    """What loading a GUI trace tells."""

    platform: str | None = None
    task: str | None = Field(default=None, description="The task the recorded user worked on.")
    screen_assumed: bool | None = Field(default=None, description="The recording states no screen size: width and "
                                        "height are a documented default, so pixel coordinates are approximate.")


class RobotEpisodeMeta(SourceMeta):
    """What loading one robot episode tells."""

    episode: int | None = Field(default=None, description="Index of the episode in its dataset.")
    n_episodes: int | None = Field(default=None, description="Episodes in the dataset.")
    instruction: str | None = Field(default=None, description="The language instruction.")
    robot: str | None = None
    gripper_signal: str | None = Field(default=None, description="The channel gripper closure is read from.")
    video: str | None = Field(default=None, description="The camera video file, when the episode has one.")
    fps_assumed: bool | None = Field(default=None, description="The dataset does not state its rate; a documented default is used.")
    warnings: list[str] | None = Field(default=None, description="Where the loader trusted the data over its metadata, or degraded.")


class EditSequenceMeta(SourceMeta):
    """What loading a folder of before/after pairs tells."""


class ImageSetMeta(SourceMeta):
    """What reading a folder of images (or one image) tells."""


META_TYPES: dict[SourceKind, type[SourceMeta]] = {
    SourceKind.video: VideoMeta,
    SourceKind.gui_trace: GuiTraceMeta,
    SourceKind.robot_episode: RobotEpisodeMeta,
    SourceKind.edit_sequence: EditSequenceMeta,
    SourceKind.image_set: ImageSetMeta,
}
"""Source kind -> the metadata model its loaders fill."""


def meta_type(kind: SourceKind | str | None, format: str = "") -> type[SourceMeta]:
    """The meta model of a source: its format's when that declares one, else its kind's."""
    base = META_TYPES.get(kind, SourceMeta) if kind is not None else SourceMeta
    if format and format in FORMAT_METAS:
        own = FORMAT_METAS.get(format)
        if issubclass(own, base):
            return own
    return base


class Source(BaseModel):
    """A raw stream, detected by content (see `dataclaw_tailor.tools.detect`).

    `meta` carries the physical facts the grounding checks need (`duration_s` for timed streams,
    `width`/`height` for screens and frames, `fps`, `n_steps` for traces and episodes) and what the
    loader of its kind learnt besides; it is validated into the model of its format or kind (`meta_type`).
    """

    path: str = Field(description="Path of the file or folder as given by the user.")
    kind: SourceKind = Field(description="Detected stream kind.")
    content_hash: str = Field(description="sha256 over the content; keys caches and corpus manifests.")
    format: str = Field(default="", description="Concrete layout, e.g. 'mp4', 'screenagent', 'lerobot-v2.1'.")
    meta: Annotated[SourceMeta, WithJsonSchema({"type": "object"})] = Field(default_factory=dict, validate_default=True,
                             description="duration_s, width, height, fps, n_steps and what the kind's loader adds.")
    files: list[str] = Field(
        default_factory=list,
        description="Every file whose bytes an extractor may read (the media, sidecar subtitles, metadata, "
                    "screenshots); `content_hash` covers them all, and a cached anchor list is reused only "
                    "while none of them changed. Empty when unknown (the hash then covers `path`).")

    @field_validator("meta", mode="before")
    @classmethod
    def _typed_meta(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")
        model = meta_type(kind, info.data.get("format", ""))
        if isinstance(value, SourceMeta):
            if isinstance(value, model):
                return value
            raise ValueError(f"a {kind} source's meta is {model.__name__}, not {type(value).__name__}")
        return model.model_validate(value)

    @field_serializer("meta")
    def _dump_meta(self, meta: SourceMeta) -> dict[str, Any]:
        return meta.to_json()

    @property
    def duration_s(self) -> float | None:
        value = self.meta.duration_s
        return float(value) if value is not None else None

    @property
    def screen(self) -> tuple[int, int] | None:
        w, h = self.meta.width, self.meta.height
        return (int(w), int(h)) if w and h else None
