"""Records written by someone else (an assistant in an MCP host, a client's model): the brief they get
and the verdict on what they submit.

The brief is exactly what a served model reads (`model/prompt.py`: the intent, the task's instructions,
the anchors as one line each with their ids, the JSON Schema specialised to this source, one example,
and at most `PromptBudget.max_images` keyframes or screenshots chosen evenly over the image anchors and
resized to `PromptBudget.image_side` pixels on their longest side), so a record written from the brief
is judged by the same validator as any backend's. A submission is checked strictly where a repair would
hide a grounding mistake: an invented anchor id or a time outside the source is an error with a hint,
not a silent drop or clamp, because the writer can still fix it; JSON syntax, number types, reversed
spans and ordering are repaired deterministically as for every backend.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from ..core import Anchor, Envelope, GenerationRequest, ImagePart, Question, Source
from ..core.report import Problem, ValidationReport

if TYPE_CHECKING:
    from ..core.validate import Checked

STRICT_REPAIRS = {"drop_unknown_anchor": "unknown_anchor", "clamp": "time_range"}
"""Repairs a writer should make themselves: applied silently, they would hide a grounding mistake."""


class Brief(BaseModel):
    """What a record writer needs for one source and intent, and the thread to submit the record in."""

    thread_id: str = Field(description="Pass it to `submit_record` (or back here with `answers` while clarifying).")
    status: str = Field(description="ready: write the record; needs_clarification: answer `questions` first.")
    questions: list[Question] = Field(default_factory=list)
    task: str | None = None
    domain: str | None = None
    source: Source | None = None
    instructions: str = Field(default="", description="The rules every record follows (grounding, ids, language).")
    prompt: str = Field(default="", description="Intent, task instructions, anchors with ids, the schema and an example.")
    json_schema: dict[str, Any] = Field(default_factory=dict, description="The task's JSON Schema specialised to this source.")
    anchor_ids: list[str] = Field(default_factory=list, description="Every id a record may cite.")
    images: list[ImagePart] = Field(
        default_factory=list, description="Keyframes or screenshots within the image budget (resized files; `detail` says which anchor)."
    )
    notes: list[str] = Field(default_factory=list, description="What the budget left out.")
    request: GenerationRequest | None = Field(default=None, exclude=True)


class Submission(BaseModel):
    """The verdict on a submitted record: the stored envelope, or located errors with hints."""

    accepted: bool
    envelope: Envelope | None = None
    errors: list[Problem] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list, description="One concrete fix per error, in the same order.")
    record: Any = Field(default=None, description="The record after deterministic repairs.")


def judge(record: Any, schema: dict[str, Any], anchors: list[Anchor], source: Source | None) -> tuple[Checked, ValidationReport]:
    """Check a written record (object or text): deterministic repairs, then `strict` grounding."""
    from ..core.validate import check_record  # jsonschema: paid by the first check, not by an MCP server's start

    checked = check_record(record, schema, anchors, source)
    return checked, strict(checked.report)


def problems_text(errors: list[Problem], hinted: list[str]) -> str:
    """Errors with their hints, as a writer is told them (a repair round's message, a tool's text)."""
    return "\n".join(f"- {e.path}: {e.message}. Fix: {h.split(': ', 1)[-1]}" for e, h in zip(errors, hinted, strict=True))


def strict(report: ValidationReport) -> ValidationReport:
    """`report` with the grounding repairs a writer should make themselves turned back into errors."""
    kept, moved = [], []
    for repair in report.repairs:
        code = STRICT_REPAIRS.get(repair.action)
        if code is None:
            kept.append(repair)
        else:
            moved.append(Problem(path=repair.path, code=code, message=_strict_message(code, repair.detail)))
    if not moved:
        return report
    return report.model_copy(update={"repairs": kept, "errors": [*moved, *report.errors], "grounded": False})


def _strict_message(code: str, detail: str) -> str:
    if code == "unknown_anchor":
        return f"cites anchor ids this source does not have: {detail.removeprefix('dropped ')}"
    value, _, bounds = detail.partition(" into ")
    return f"{value} lies outside the source ({bounds} s)" if bounds else f"outside the source: {detail}"


def hints(errors: list[Problem], schema: dict[str, Any], anchors: list[Anchor], source: Source | None) -> list[str]:
    """One actionable sentence per error, naming the values that would be accepted."""
    ids = [a.id for a in anchors]
    duration = source.duration_s if source else None
    return [_hint(e, schema, ids, duration) for e in errors]


def _hint(error: Problem, schema: dict[str, Any], ids: list[str], duration: float | None) -> str:
    if error.code == "unknown_anchor" or (error.code == "schema" and "anchor_ids" in error.path and "is not one of" in error.message):
        return f"{error.path}: cite only ids listed in the brief ({_few(ids)}); remove the invented one."
    if error.code == "time_range" or (error.code == "schema" and re.search(r"(greater|less) than", error.message)):
        span = f"[0, {duration}] s" if duration is not None else "the source's range"
        return f"{error.path}: keep times inside {span} and copy them from the anchors you cite."
    missing = re.match(r"'([^']+)' is a required property", error.message)
    if missing:
        field = missing.group(1)
        where = f"{error.path}.{field}" if error.path != "$" else f"$.{field}"
        return f"{where}: add the required field `{field}` (see the schema and the example in the brief)."
    if error.code == "parse":
        return "$: send one JSON object, without prose around it."
    if error.code == "schema":
        return f"{error.path}: {error.message}; change it to match the schema in the brief."
    return f"{error.path}: {error.message}; ground it in the anchors listed in the brief."


def _few(ids: list[str], n: int = 6) -> str:
    return ", ".join(ids[:n]) + (f", ... ({len(ids)} in all)" if len(ids) > n else "")


def brief_parts(request: GenerationRequest) -> tuple[str, str, list[ImagePart]]:
    """The system rules, the user prompt text and the images of a served request."""
    system = "\n\n".join(m.plain_text() for m in request.messages if m.role == "system")
    user = [m for m in request.messages if m.role == "user"]
    prompt = "\n\n".join(m.plain_text() for m in user)
    images = [p for m in user for p in m.content if isinstance(p, ImagePart)]
    return system, prompt, images
