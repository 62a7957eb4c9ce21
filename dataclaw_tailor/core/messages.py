"""Chat messages with text and images: the request shape every backend accepts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .task import Synthesizer, TailorContext


class TextPart(BaseModel):
    type: Literal["text"] = "text"
    text: str


class ImagePart(BaseModel):
    """An image by local path; backends that send images over the wire encode it themselves."""

    type: Literal["image"] = "image"
    path: str
    detail: str = Field(default="", description="Why this image is included, e.g. 'keyframe shot:3'.")


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: list[TextPart | ImagePart]

    @classmethod
    def text(cls, role: Literal["system", "user", "assistant"], text: str) -> "Message":
        return cls(role=role, content=[TextPart(text=text)])

    def plain_text(self) -> str:
        return "\n".join(p.text for p in self.content if isinstance(p, TextPart))


class GenerationRequest(BaseModel):
    """One call to a tailoring backend.

    `context` carries the structured inputs (source, intent, anchors) and `synthesize` the task's
    deterministic synthesiser, for backends that do not read prose such as the rules backend; model
    backends read `messages` only.
    """

    model_config = {"arbitrary_types_allowed": True}

    messages: list[Message]
    json_schema: dict[str, Any] | None = None
    task: str
    max_tokens: int = 4096
    temperature: float = 0.0
    context: TailorContext | None = None
    synthesize: Synthesizer | None = None
