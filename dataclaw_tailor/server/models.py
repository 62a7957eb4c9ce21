"""Structured outputs of the MCP tools: views of the service's results.

Each model becomes the tool's `outputSchema`, and its field descriptions are what an assistant reads
to decide its next step, so they say what to do with a value, not only what it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core import Envelope, Provenance, Question, Source, ValidationSummary

if TYPE_CHECKING:
    from ..service import Clarification


class TailorOutput(BaseModel):
    """The `tailor` tool's view of an envelope: the record and its verdict, anchors only on request."""

    status: Literal["ok", "needs_clarification", "invalid"] = Field(
        description="'ok': `record` is valid training data. 'needs_clarification': ask the user `questions`, then call "
        "`tailor` again with the same `thread_id` and `answers`. 'invalid': `record` still fails the checks listed in "
        "`validation.errors` after bounded repair."
    )
    path: str | None = Field(default=None, description="The source that was tailored (resolved inside the allowed roots).")
    task: str | None = Field(default=None, description="Task schema the record follows, e.g. 'gui.trajectory'.")
    domain: str | None = Field(default=None, description="Expert domain that handled the source.")
    record: dict[str, Any] | None = Field(default=None, description="The tailored JSON record (null while clarifying).")
    validation: ValidationSummary = Field(
        default_factory=ValidationSummary, description="Validation summary: valid, schema_valid, grounded, errors (with JSON paths), repairs."
    )
    thread_id: str | None = Field(default=None, description="Conversation thread; pass it back with `answers` to resume.")
    questions: list[Question] = Field(default_factory=list, description="Clarification questions (status 'needs_clarification').")
    anchor_count: int = Field(default=0, description="How many factual anchors the record could cite.")
    anchors: list[dict[str, Any]] | None = Field(
        default=None, description="The anchors ({id, kind, t, p, c}) when `include_anchors` was requested."
    )
    provenance: Provenance | None = Field(default=None, description="Source hash, backend, model, anchors digest, timings.")
    written: str | None = Field(default=None, description="File the record envelope was written to, if `out` was given.")

    @classmethod
    def of(cls, envelope: Envelope, path: Path | None, *, include_anchors: bool, written: Path | None) -> TailorOutput:
        return cls(
            status=envelope.status, path=str(path) if path else (envelope.provenance.source_path if envelope.provenance else None),
            task=envelope.task, domain=envelope.domain,
            record=envelope.record if isinstance(envelope.record, dict) else None,
            validation=envelope.validation, thread_id=envelope.thread_id, questions=envelope.questions,
            anchor_count=len(envelope.anchors), anchors=[a.compact() for a in envelope.anchors] if include_anchors else None,
            provenance=envelope.provenance, written=str(written) if written else None,
        )


class SourceInfo(BaseModel):
    path: str = Field(description="Resolved path of the source.")
    kind: str = Field(description="Detected stream kind: video, gui_trace, robot_episode, edit_sequence, image_set.")
    format: str = Field(description="Concrete layout, e.g. 'mp4', 'screenagent', 'lerobot-v2.1'.")
    content_hash: str = Field(description="sha256 of the content; identifies the source in caches and manifests.")
    meta: dict[str, Any] = Field(default_factory=dict, description="duration_s, width, height, fps, n_steps ...")

    @classmethod
    def of(cls, source: Source) -> SourceInfo:
        return cls.model_validate(source.model_dump(mode="json"))


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

    @classmethod
    def of(cls, clarification: Clarification) -> ClarifyOutput:
        decision = clarification.route
        route = Route(domain=decision.domain, task=decision.task, confidence=decision.confidence, reasons=decision.reasons,
                      candidates=[task for task, _ in decision.candidates])
        return cls(fuzzy=clarification.fuzzy, route=route, questions=clarification.questions,
                   thread_id=clarification.thread_id, source=SourceInfo.of(clarification.source))


class ValidateOutput(ValidationSummary):
    """The verdict on a record, with the record after repairs."""

    record: dict[str, Any] | None = Field(default=None, description="The record after repairs (use it instead of the input when valid); null when the input is not a JSON object.")


class CorpusOutput(BaseModel):
    """A corpus run's summary (batch/work.py `CorpusSummary`): counts, where the records are, each item's outcome.

    Items are listed as plain objects and any further summary field passes through as it is: the shape
    speaks for itself, and a compact schema keeps `tools/list` small.
    """

    model_config = ConfigDict(extra="allow")

    out_dir: str = Field(description="Folder of this run: manifest.jsonl, records/ and records.jsonl; re-run into it to resume.")
    records_path: str = Field(description="JSONL of result envelopes for every valid record: the `records` of `export_dataset`.")
    total: int
    ok: int
    invalid: int
    needs_clarification: int
    errors: int
    skipped: int = Field(description="Items finished by an earlier run into the same `out`.")
    questions: dict[str, list[Question]] = Field(default_factory=dict, description="Unanswered questions by source kind: ask the user, re-run with `answers` by kind.")
    items: list[dict[str, Any]] = Field(description="One per item: source, status (ok, invalid, needs_clarification, error), task, error (the reason), record_path.")

    @classmethod
    def of(cls, summary: BaseModel, refused: list[dict[str, Any]]) -> CorpusOutput:
        """The run's summary, counting the items refused before the run (a symlink out of the roots) as errors."""
        out = cls.model_validate(summary.model_dump(mode="json"))
        out.items += refused
        out.total += len(refused)
        out.errors += len(refused)
        return out


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
