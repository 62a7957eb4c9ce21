"""What each kind of anchor observed: one pydantic content model per anchor kind.

An anchor's `c` holds the content of its kind: a text (`ocr`) or an instance of the kind's model. A producer that writes a key the model does not declare gets a validation error where it builds
the anchor; a consumer that reads a field the model does not declare gets an AttributeError. Every field
is optional: extractors of older versions, hand-written examples and tests leave some out, and a reader
treats a missing field like a missing fact.

The JSON form is the model dumped by alias without the fields that were not set, so an anchor dumps to
exactly the JSON it was read from (`Anchor.model_dump(mode="json", exclude_unset=True)`).

The built-in models live here rather than beside their extractors because both the extractors
(`tools/`) and the tasks that read them (`experts/`, `model/`, `export/`) build on `core` and not on
each other; each model names the extractor that makes it. A new extractor declares its kinds' models the
same way, in its own module:

    class FootstepContent(AnchorContent, kind="footstep"):
        foot: Literal["left", "right"] | None = None

and `register_text_kind("caption", "...")` declares a kind whose content is plain text. `CONTENT_TYPES`
lists every kind with its content type and description, and refuses a second declaration of a kind.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Protocol, Self

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from .registry import Registry, UnknownName, first_line

Number = int | float
"""A JSON number kept as written (an int stays an int), so contents dump back to the JSON they came from."""
Steps = list[int]
"""`[first, last]` step indices of a span of a recorded episode."""

class Carrier(Protocol):
    """What holds a content: an `Anchor` (not imported here; `core.anchor` builds on this module)."""

    c: object


CONTENT_TYPES: Registry[type[AnchorContent] | type[str]] = Registry("anchor kind")
"""Anchor kind -> its content type: an `AnchorContent` model, or `str` for a kind whose content is text."""


def register_text_kind(kind: str, description: str) -> None:
    """Declare an anchor kind whose content is plain text (a subtitle cue, an OCR line)."""
    CONTENT_TYPES.add(kind, str, description)


def content_type(kind: str) -> type[AnchorContent] | type[str] | None:
    """The content type declared for an anchor kind (None: the kind has none and carries no content)."""
    try:
        return CONTENT_TYPES.get(kind)
    except UnknownName:
        return None


class AnchorContent(BaseModel):
    """Base of the content models: unknown keys are errors; subclasses name their kind as a class argument."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True)

    kind: ClassVar[str] = ""
    image_field: ClassVar[str | None] = None
    """The field naming the image file the anchor shows (prompts attach it; the cache checks it exists)."""
    text_field: ClassVar[str | None] = None
    """The field holding what the anchor says, for a kind whose content was plain text before it carried
    more: a plain string (JSON written then) reads into this field."""

    def __init_subclass__(cls, kind: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if kind is not None:
            cls.kind = kind
            CONTENT_TYPES.add(kind, cls, first_line(cls.__doc__))

    @classmethod
    def of(cls, anchor: Carrier | None) -> Self:
        """The anchor's content as this model; an empty one when the anchor has none or is of another kind
        (a reader treats an absent content like absent facts)."""
        content = anchor.c if anchor is not None else None
        return content if isinstance(content, cls) else cls()

    @property
    def image(self) -> str | None:
        """The image file the anchor shows (relative to the source or absolute), if any."""
        value = getattr(self, self.image_field) if self.image_field else None
        return value if isinstance(value, str) and value else None

    @property
    def said(self) -> str:
        """What the anchor says (its `text_field`), '' when the kind has no text or it is not set."""
        value = getattr(self, self.text_field) if self.text_field else None
        return value if isinstance(value, str) else ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form: fields by their JSON names, only those that were set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def value(self, name: str, default: Any = None) -> Any:
        """The value of the field whose JSON name is `name` (`default` when it is not set).

        For readers that name fields at run time (the custom task fills a user's schema by field
        name); code that knows the kind reads attributes.
        """
        return self.to_json().get(name, default)


# ---------------------------------------------------------------- video (extractor `video`)


class ShotContent(AnchorContent, kind="shot"):
    """A shot between two cuts (`video`)."""

    index: int | None = Field(default=None, description="Position of the shot in the video, from 0.")


class CutContent(AnchorContent, kind="cut"):
    """A shot boundary (`video`)."""

    type: Literal["hard", "fade"] | None = Field(default=None, description="A hard cut or a fade through black/white.")
    score: Number | None = Field(default=None, description="How strong the change is (frame difference plus histogram distance).")
    frame: int | None = Field(default=None, description="Index of the first frame of the new shot.")


class DissolveContent(AnchorContent, kind="dissolve"):
    """One take blending into the next without a break in the picture, at the half-way frame (`video`)."""

    score: Number | None = Field(default=None, description="Summed frame change over the blend.")
    frame: int | None = Field(default=None, description="Index of the half-way frame.")
    shot: str | None = Field(default=None, description="Id of the shot it lies inside.")


class KeyframeContent(AnchorContent, kind="keyframe"):
    """The representative frame of a shot, as a JPEG file (`video`)."""

    image_field: ClassVar[str | None] = "path"
    path: str | None = Field(default=None, description="The frame's image file.")
    shot: str | None = Field(default=None, description="Id of the shot it represents.")


class MotionContent(AnchorContent, kind="motion"):
    """A span where the picture is still or moving (`video`)."""

    state: Literal["static", "motion"] | None = None


class AudioContent(AnchorContent, kind="audio"):
    """A span of sound or silence on the first audio track (`audio`)."""

    state: Literal["sound", "silence"] | None = None


class SubtitleContent(AnchorContent, kind="subtitle"):
    """A subtitle cue: its text, timed by the anchor, and its track's language (`subtitle`)."""

    text_field: ClassVar[str | None] = "text"
    text: str | None = Field(default=None, description="What the cue says.")
    language: str | None = Field(default=None, description="Language tag of its track ('en', 'de', ...; 'und' when "
                                 "the source does not tell). Anchors written before it existed are plain text.")
    track: str | None = Field(default=None, description="Id of the subtitle_track it belongs to.")


class SubtitleTrackContent(AnchorContent, kind="subtitle_track"):
    """The subtitle track the cues come from, chosen among sidecars and the video's streams (`subtitle`)."""

    language: str | None = Field(default=None, description="Language tag ('und' when the source does not tell).")
    origin: Literal["sidecar", "text", "bitmap"] | None = Field(
        default=None, description="A sidecar file, an embedded text stream, or an embedded bitmap stream read by OCR.")
    file: str | None = Field(default=None, description="The sidecar file (sidecar tracks).")
    stream: int | None = Field(default=None, description="Stream index inside the video (embedded tracks).")
    word_level: bool | None = Field(default=None, description="Automatic (ASR) word-level captions, folded into phrases.")
    cues: int | None = Field(default=None, description="How many cues it gave.")


register_text_kind("ocr", "A line of on-screen text in a keyframe, boxed by the anchor (`ocr`).")


# ---------------------------------------------------------------- GUI traces (extractors `gui`, `gui_element`)


class GuiTaskContent(AnchorContent, kind="gui_task"):
    """What the recorded user set out to do, on which platform and screen (`gui`)."""

    task: str | None = None
    platform: str | None = None
    system: str | None = Field(default=None, description="Operating system the trace names (Windows, macOS, Ubuntu...).")
    width: int | None = Field(default=None, description="Screen width in pixels.")
    height: int | None = Field(default=None, description="Screen height in pixels.")


class GuiEventContent(AnchorContent, kind="gui_event"):
    """One recorded action (`gui`). Other recorders' spellings are accepted where they are unambiguous."""

    image_field: ClassVar[str | None] = "screenshot"
    step: int | None = Field(default=None, description="Index of the step in the trace.")
    action: str | None = Field(default=None, description="click, double_click, right_click, type, key, scroll, drag, wait, done.")
    x: Number | None = Field(default=None, description="Pointer x in pixels.")
    y: Number | None = Field(default=None, description="Pointer y in pixels.")
    text: str | None = Field(default=None, description="Typed text.")
    keys: list[str] | None = Field(default=None, description="Pressed keys, a chord in order ('ctrl+c' is read as ['ctrl', 'c']).")
    direction: str | None = Field(default=None, description="Scroll direction.")
    button: str | None = Field(default=None, description="Mouse button.")
    screenshot: str | None = Field(default=None, description="The screenshot seen before acting.")
    amount: int | None = Field(default=None, validation_alias=AliasChoices("amount", "repeat", "scroll_repeat", "clicks"),
                               description="Scroll repeat count (also read from `repeat`, `scroll_repeat`, `clicks`).")
    to_x: Number | None = Field(default=None, description="Drag end x in pixels.")
    to_y: Number | None = Field(default=None, description="Drag end y in pixels.")
    subtask: str | None = Field(default=None, description="The sub-task or plan text the recorder attached.")
    observation: str | None = Field(default=None, description="What the recorder or its annotator said was on screen before the action.")

    @field_validator("keys", mode="before")
    @classmethod
    def _chord(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [k for k in value.replace("+", " ").split() if k]
        return value


class ScreenChangeContent(AnchorContent, kind="screen_change"):
    """The screen changed between two consecutive screenshots (`gui`)."""

    step: int | None = Field(default=None, description="The step whose screenshot differs from the previous one.")
    changed_fraction: Number | None = Field(default=None, description="Fraction of pixels that changed, 0-1.")


class GuiElementContent(AnchorContent, kind="gui_element"):
    """The element under a pointer event (`gui_element`)."""

    text: str | None = Field(default=None, description="Its visible text or accessible name.")
    step: int | None = None
    event: str | None = Field(default=None, description="Id of the gui_event acting on it.")
    origin: Literal["trace", "ui_elements", "ocr"] | None = Field(
        default=None, alias="from", description="Where its text came from: the trace's own record of the element acted on, "
                                                "the step's UI element tree (DOM, accessibility, UI annotations) under the "
                                                "point, or OCR of the screenshot.")


# ---------------------------------------------------------------- robot episodes (extractor `robot`)


class RobotTaskContent(AnchorContent, kind="robot_task"):
    """The episode's language instruction and robot (`robot`)."""

    instruction: str | None = None
    robot: str | None = None


class GripperContent(AnchorContent, kind="gripper"):
    """The gripper opened or closed (`robot`)."""

    state: Literal["open", "close"] | None = None
    step: int | None = None
    change: Number | None = Field(default=None, description="Signed change of the closure signal (+ closing).")
    signal: str | None = Field(default=None, description="The channel the closure was read from.")


class PauseContent(AnchorContent, kind="pause"):
    """The end effector stood still (`robot`)."""

    steps: Steps | None = None
    mean_speed: Number | None = None


class HesitationContent(AnchorContent, kind="hesitation"):
    """The arm approached, retreated and approached again (`robot`)."""

    steps: Steps | None = None
    retreat: Number | None = Field(default=None, description="How far it backed off.")
    toward: str | None = Field(default=None, description="What it was approaching: 'grasp' or 'final pose'.")


class RegraspContent(AnchorContent, kind="regrasp"):
    """The gripper closed, opened and closed again within a short window (`robot`)."""

    steps: Steps | None = None


class PhaseContent(AnchorContent, kind="phase"):
    """A skill phase: reach, grasp, lift, transport, release, retreat (`robot`)."""

    skill: str | None = None
    steps: Steps | None = None


class FrameContent(AnchorContent, kind="frame"):
    """A camera frame at a key step, as a JPEG file (`robot`)."""

    image_field: ClassVar[str | None] = "path"
    path: str | None = None
    step: int | None = None


# ---------------------------------------------------------------- edit sequences (extractor `edits`)


class EditPairContent(AnchorContent, kind="edit_pair"):
    """A before/after image pair and the instruction that turned one into the other (`edits`)."""

    before: str | None = None
    after: str | None = None
    instruction: str | None = None


class EditRegionContent(AnchorContent, kind="edit_region"):
    """The region an edit changed (`edits`); its box is the anchor's `p`."""

    magnitude: Number | None = Field(default=None, description="Fraction of pixels inside the box that changed.")
    pair: str | None = Field(default=None, description="Id of the edit_pair.")
