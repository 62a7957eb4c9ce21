"""Structured outputs of the MCP tools.

Each model becomes the tool's `outputSchema`, and its field descriptions are what an assistant reads
to decide its next step, so they say what to do with a value, not only what it is.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Option(BaseModel):
    value: str = Field(description="The value to send back as the answer.")
    label: str = Field(description="What the option means, for the user.")


class Question(BaseModel):
    id: str = Field(description="Key to use in `answers` when calling `tailor` again.")
    text: str = Field(description="The question to put to the user.")
    options: list[Option] = Field(default_factory=list, description="Allowed answers; empty means free text.")


class TailorOutput(BaseModel):
    status: Literal["ok", "needs_clarification", "invalid"] = Field(
        description="'ok': `record` is valid training data. 'needs_clarification': ask the user `questions`, then call "
        "`tailor` again with the same `thread_id` and `answers`. 'invalid': `record` still fails the checks listed in "
        "`validation.errors` after bounded repair."
    )
    path: str | None = Field(default=None, description="The source that was tailored (resolved inside the allowed roots).")
    task: str | None = Field(default=None, description="Task schema the record follows, e.g. 'gui.trajectory'.")
    domain: str | None = Field(default=None, description="Expert domain that handled the source.")
    record: dict[str, Any] | None = Field(default=None, description="The tailored JSON record (null while clarifying).")
    validation: dict[str, Any] = Field(
        default_factory=dict, description="Validation summary: valid, schema_valid, grounded, errors (with JSON paths), repairs."
    )
    thread_id: str | None = Field(default=None, description="Conversation thread; pass it back with `answers` to resume.")
    questions: list[Question] = Field(default_factory=list, description="Clarification questions (status 'needs_clarification').")
    anchor_count: int = Field(default=0, description="How many factual anchors the record could cite.")
    anchors: list[dict[str, Any]] | None = Field(
        default=None, description="The anchors ({id, kind, t, p, c}) when `include_anchors` was requested."
    )
    provenance: dict[str, Any] | None = Field(default=None, description="Source hash, backend, model, anchors digest, timings.")
    written: str | None = Field(default=None, description="File the record envelope was written to, if `out` was given.")


class SourceInfo(BaseModel):
    path: str = Field(description="Resolved path of the source.")
    kind: str = Field(description="Detected stream kind: video, gui_trace, robot_episode, edit_sequence, image_set.")
    format: str = Field(description="Concrete layout, e.g. 'mp4', 'screenagent', 'lerobot-v2.1'.")
    content_hash: str = Field(description="sha256 of the content; identifies the source in caches and manifests.")
    meta: dict[str, Any] = Field(default_factory=dict, description="duration_s, width, height, fps, n_steps ...")


class AnchorsOutput(BaseModel):
    source: SourceInfo
    counts: dict[str, int] = Field(description="Number of anchors per kind, over all extracted anchors.")
    anchors: list[dict[str, Any]] = Field(description="Anchors {id, kind, t, p, c}; cite their ids in `anchor_ids`.")
    truncated: bool = Field(description="True when `limit` cut the list; raise `limit` or filter by `kinds` to see more.")


class Route(BaseModel):
    domain: str | None = Field(default=None, description="Expert domain the router picked.")
    task: str | None = Field(default=None, description="Task the router picked.")
    confidence: float = Field(default=0.0, description="Router confidence in [0, 1]; low confidence means ask the user.")
    reasons: list[str] = Field(default_factory=list, description="Why this route was picked.")
    candidates: list[str] = Field(default_factory=list, description="Other plausible tasks, best first.")


class ClarifyOutput(BaseModel):
    fuzzy: bool = Field(description="True when the intent should be clarified before tailoring.")
    route: Route = Field(description="Where the intent would be routed as it stands.")
    questions: list[Question] = Field(default_factory=list, description="Questions to ask the user when `fuzzy`.")
    thread_id: str | None = Field(default=None, description="Pass to `tailor` with `answers` to continue this clarification.")
    source: SourceInfo | None = Field(default=None, description="The detected source, when a path was given.")


class ValidateOutput(BaseModel):
    valid: bool = Field(description="Parsed, schema-valid and grounded, with no remaining errors.")
    parsed: bool = Field(description="The input was strict JSON before any repair.")
    schema_valid: bool = Field(description="The (repaired) record satisfies the task's JSON Schema.")
    grounded: bool = Field(description="Times, positions and anchor ids agree with the source's anchors.")
    errors: list[dict[str, Any]] = Field(default_factory=list, description="Remaining problems: {path, code, message}.")
    repairs: list[dict[str, Any]] = Field(default_factory=list, description="Deterministic repairs applied: {path, action, detail}.")
    record: dict[str, Any] | None = Field(default=None, description="The record after repairs (use it instead of the input when valid); null when the input is not a JSON object.")


class TaskInfo(BaseModel):
    name: str = Field(description="Task name to pass as `task`, e.g. 'gui.trajectory'.")
    domain: str = Field(description="Expert domain.")
    version: str = Field(description="Schema version.")
    description: str = Field(description="What the records are for.")
    source_kinds: list[str] = Field(description="Stream kinds this task accepts.")
    schema_uri: str = Field(description="Resource with the task's JSON Schema.")
    example_uri: str = Field(description="Resource with an example record.")


class TaskList(BaseModel):
    tasks: list[TaskInfo]
