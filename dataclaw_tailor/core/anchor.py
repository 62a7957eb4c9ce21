"""Factual anchors (t, p, c): the deterministic facts a tailored record must be grounded in."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationInfo, WithJsonSchema, field_serializer, field_validator

from .contents import AnchorContent, content_type

Time = float | tuple[float, float]

Content = Annotated[
    str | AnchorContent | None,
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "null"}]}),
]
"""Text, or the content model of the anchor's kind (see `core.contents`); in JSON a string or an object."""


class Anchor(BaseModel):
    """One fact about a source, as in the paper's (t, p, c) triple.

    `id` is stable across runs (`shot:3`, `gui_event:12`) so records can cite it in `anchor_ids`.
    `c` is validated into the content type of `kind` (`core.contents`): a content that does not fit its
    kind is a validation error here, where the anchor is built or read.
    """

    id: str = Field(description="Stable id, '<kind>:<index>'.")
    kind: str = Field(description="What sort of fact: shot, keyframe, ocr, gui_event, gripper, pause ...")
    t: Time | None = Field(default=None, description="Seconds: a point or a [start, end] span.")
    p: list[float] | None = Field(
        default=None, description="Position: [x, y] pixel point, [x1, y1, x2, y2] bbox, or an end-effector [x, y, z]."
    )
    c: Content = Field(default=None, description="Observed content: text, or an object of the kind's content model.")
    extractor: str = Field(default="", description="'<extractor>@<version>' that produced it.")

    @field_validator("c", mode="before")
    @classmethod
    def _typed_content(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        kind = info.data.get("kind")
        expected = content_type(kind) if isinstance(kind, str) else None
        if expected is None:
            raise ValueError(f"anchor kind {kind!r} declares no content type, so it carries no content")
        if expected is str:
            if not isinstance(value, str):
                raise ValueError(f"a {kind} anchor's content is text, not {type(value).__name__}")
            return value
        if isinstance(value, AnchorContent) and not isinstance(value, expected):
            raise ValueError(f"a {kind} anchor's content is {expected.__name__}, not {type(value).__name__}")
        if isinstance(value, str) and expected.text_field:
            return expected.model_validate({expected.text_field: value})  # written when the kind was plain text
        if isinstance(value, str):
            raise ValueError(f"a {kind} anchor's content is an object ({expected.__name__}), not text")
        return expected.model_validate(value)

    @field_serializer("c")
    def _dump_content(self, c: str | AnchorContent | None) -> str | dict[str, Any] | None:
        return self.content_json

    @property
    def start(self) -> float | None:
        if self.t is None:
            return None
        return float(self.t[0]) if isinstance(self.t, tuple) else float(self.t)

    @property
    def end(self) -> float | None:
        if self.t is None:
            return None
        return float(self.t[1]) if isinstance(self.t, tuple) else float(self.t)

    @property
    def content_json(self) -> str | dict[str, Any] | None:
        """`c` in its JSON form: the text, or the content's set fields by their JSON names (a content holding
        nothing but its text field is the text, as such anchors were written before they held more)."""
        if not isinstance(self.c, AnchorContent):
            return self.c
        fields = self.c.to_json()
        return self.c.said if self.c.text_field and list(fields) == [self.c.text_field] else fields

    def compact(self) -> dict[str, Any]:
        """The `{id, kind, t, p, c}` view used in prompts and CLI/MCP output."""
        return {"id": self.id, "kind": self.kind, "t": self.t, "p": self.p, "c": self.content_json}

    def line(self) -> str:
        """`id t=.. p=.. c=..` on one line, empty fields left out: the cheapest faithful text form
        (the compact training prompt and `claw anchors` both print it)."""
        parts = [self.id]
        if self.t is not None:
            parts.append(f"t={_json(list(self.t) if isinstance(self.t, tuple) else self.t)}")
        if self.p is not None:
            parts.append(f"p={_json([round(v, 1) for v in self.p])}")
        if self.c is not None:
            parts.append(f"c={_json(self.content_json)}")
        return " ".join(parts)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def anchors_digest(anchors: Iterable[Anchor]) -> str:
    """A short hash of the anchor facts, recorded in provenance to tie a record to its evidence."""
    payload = json.dumps([a.compact() for a in anchors], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def by_id(anchors: Iterable[Anchor]) -> dict[str, Anchor]:
    return {a.id: a for a in anchors}


def of_kind(anchors: Iterable[Anchor], *kinds: str) -> list[Anchor]:
    return [a for a in anchors if a.kind in kinds]
