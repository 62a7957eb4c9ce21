"""The one shape a tailoring result takes: the record with its evidence, validation and provenance.

`claw tailor --json` prints it, `--out` and corpus runs store it (a JSONL file of envelopes is what
`claw export` reads back), and the MCP `tailor` tool returns a view of it. A thread waiting for
clarification is an envelope too: status `needs_clarification`, its `questions` and the `thread_id`
to answer them in.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SerializationInfo, field_serializer

from .anchor import Anchor
from .intent import Intent
from .report import ValidationSummary
from .source import Source

Status = Literal["ok", "needs_clarification", "invalid"]


class Provenance(BaseModel):
    """Where a record came from: enough to tell which source, task version, backend and evidence made it."""

    source_path: str
    source_hash: str
    source_kind: str
    domain: str
    task: str
    schema_version: str
    backend: str
    model_id: str = ""
    anchors_digest: str = ""
    timings_s: dict[str, float] = Field(default_factory=dict, description="Seconds spent per graph node.")


class Option(BaseModel):
    value: str = Field(description="The value to send back as the answer.")
    label: str = Field(description="What the option means, for the user.")


class Question(BaseModel):
    """A clarification question; answers may name an option by value, label or 1-based number."""

    id: str = Field(description="Key to use in `answers` when calling `tailor` again.")
    text: str = Field(description="The question to put to the user.")
    options: list[Option] = Field(default_factory=list, description="Allowed answers; empty means free text.")


class Envelope(BaseModel):
    """What one tailoring thread produced so far."""

    status: Status = Field(description="ok: valid record; needs_clarification: answer `questions`; invalid: see validation.")
    record: Any = Field(default=None, description="The tailored JSON record (also present when invalid, for inspection).")
    task: str | None = Field(default=None, description="Task the record conforms to, e.g. 'gui.trajectory'.")
    domain: str | None = None
    anchors: list[Anchor] = Field(default_factory=list, description="Factual anchors {id, kind, t, p, c} the record may cite.")
    source: Source | None = Field(default=None, description="The detected source: path, kind, content_hash, format, meta.")
    intent: Intent | None = Field(default=None, description="The intent as resolved (clarification answers included).")
    validation: ValidationSummary = Field(default_factory=ValidationSummary, description="Whether the record is valid, and why not.")
    thread_id: str = Field(description="Resume this thread with answers when status is needs_clarification.")
    questions: list[Question] = Field(default_factory=list, description="Clarification questions (status needs_clarification).")
    provenance: Provenance | None = None

    @field_serializer("anchors")
    def _compact_anchors(self, anchors: list[Anchor]) -> list[dict[str, Any]]:
        return [a.compact() for a in anchors]

    @field_serializer("intent")
    def _intent_by_alias(self, intent: Intent | None, info: SerializationInfo) -> dict[str, Any] | None:
        """The intent's custom schema under its public name `schema`, as the user gives it."""
        return intent.model_dump(mode=info.mode, by_alias=True) if intent is not None else None
