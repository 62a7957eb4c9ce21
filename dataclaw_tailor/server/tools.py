"""The MCP tools: thin, typed adapters from tool calls to the application service.

Every tool resolves its paths through the call's allowed roots first and runs its work inside
`tool_errors(roots)` (both from `boundary`), so the package's typed errors reach the client as one-line
tool errors that name the file or field at fault and nothing outside the roots; every tool returns a
pydantic model so the client gets structured content with an output schema. Expected failures never
escape as crashes, so one bad call cannot take the server down for the next.

Tool modules do not use `from __future__ import annotations`: the SDK reads a tool's type hints several
times while building its schema, and string annotations would be compiled and evaluated on every read
(a third of the server's start-up before its first `tools/list`).
"""

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, ValidationError, create_model

from ..core import Envelope, Intent, Question
from ..core.errors import first_problem
from ..export.formats import ExportFormat, ExportSummary
from .boundary import allowed_roots, scrub, server_state, tool_errors
from .models import (
    AnchorsOutput,
    ClarifyOutput,
    CorpusOutput,
    SourceInfo,
    TailorOutput,
    TaskInfo,
    TaskList,
    ValidateOutput,
)
from .roots import Roots
from .writes import Output

if TYPE_CHECKING:
    from ..graph import StepProgress
    from ..service import TailorService


def service(ctx: Context) -> "TailorService":
    """The server's service; the `sampling` backend is bound to this request's way to ask the client's model.

    Sampling is a server-to-client request in the middle of a call, which only the 2025 protocol
    carries; under the 2026 protocol the backend reports that the client could not sample.
    """
    shared = server_state(ctx).service
    if shared.settings.backend != "sampling":
        return shared
    return shared.bound(sample=functools.partial(ctx.session.create_message, related_request_id=ctx.request_context.request_id))


def _intent(
    text: str,
    task: str | None,
    domain: str | None,
    schema: dict[str, Any] | None,
    answers: dict[str, str] | None,
    target_use: str | None,
    max_items: int | None,
    language: str,
) -> Intent:
    try:
        return Intent(
            text=text, task=task, domain=domain, schema=schema, answers=answers or {},
            target_use=target_use, max_items=max_items, language=language,
        )
    except ValidationError as exc:
        raise ToolError(f"invalid argument: {first_problem(exc)}") from exc


@dataclass(frozen=True)
class Ran:
    """A finished graph run handed from a resolver to the tool body."""

    result: Envelope
    path: Path | None
    out: Path | None


def answers_model(questions: list[Question]) -> type[BaseModel]:
    """A flat form (the only shape MCP elicitation allows): one field per question, options as an enum."""
    fields: dict[str, Any] = {}
    for q in questions:
        values = tuple(o.value for o in q.options)
        kind: Any = Literal[values] if values else str  # type: ignore[valid-type]
        labels = "; ".join(f"{o.value}: {o.label}" for o in q.options)
        name = re.sub(r"\W", "_", q.id)
        fields[name] = (kind, Field(title=q.text, description=labels or q.text, alias=q.id if name != q.id else None))
    return create_model("ClarificationAnswers", **fields)


# ---------------------------------------------------------------------------------------------
# tailor: resolvers run before the body (and again on every input-required round under the 2026
# protocol); each round rebuilds the same question from the same inputs, so the client's answer is
# matched to it and the body resumes the very thread that asked.


async def _first_run(
    ctx: Context,
    path: str | None,
    intent: str | None,
    task: str | None,
    domain: str | None,
    schema: dict[str, Any] | None,
    answers: dict[str, str] | None,
    thread_id: str | None,
    target_use: str | None,
    max_items: int | None,
    language: str,
    out: str | None,
    overwrite: bool,
    roots: Annotated[Roots, Resolve(allowed_roots)],
) -> Ran:
    """Start (or resume) the thread; refuses bad paths before any work is done.

    A new thread always gets a fresh random id: a caller-chosen id could name (and so overwrite)
    a thread that exists, and under the 2026 protocol this resolver runs again on every round.
    """
    target = roots.resolve(out, field="out", must_exist=False) if out else None
    if thread_id is not None:
        if not answers:
            raise ToolError("thread_id: resuming a thread needs `answers` to its questions; leave `thread_id` out to start a new one")
        real = roots.resolve(path) if path else None
        _check_out(ctx, roots, target, overwrite, real)
        with tool_errors(roots):
            return Ran(await service(ctx).answer(thread_id, answers, roots=roots.dirs, progress=step_progress(ctx)), real, target)
    if path is None or intent is None:
        raise ToolError("give `path` and `intent` to start, or `thread_id` and `answers` to resume a clarification")
    real = roots.resolve(path)
    _check_out(ctx, roots, target, overwrite, real)
    text = _intent(intent, task, domain, schema, answers, target_use, max_items, language)
    with tool_errors(roots):
        return Ran(await service(ctx).tailor(real, text, roots=roots.dirs, progress=step_progress(ctx)), real, target)


STEPS = ("inspect", "extract", "tailor", "validate")
"""The steps of one `tailor` call a client hears of, as progress 1-4 of 4."""


def step_progress(ctx: Context) -> "StepProgress":
    """Progress notifications for the client, one per step as it finishes (a repeated validation is not re-sent)."""
    told: set[str] = set()

    async def report(step: str, update: dict[str, Any]) -> None:
        if step in STEPS and step not in told:
            told.add(step)
            await ctx.report_progress(STEPS.index(step) + 1, len(STEPS), _step_message(step, update))

    return report


def _step_message(step: str, update: dict[str, Any]) -> str:
    if step == "inspect":
        source = update.get("source", {})
        return f"inspected: {source.get('kind')} ({source.get('format')})"
    if step == "extract":
        return f"extracted {len(update.get('anchors', []))} anchors"
    if step == "tailor":
        return "drafted the record"
    errors = len(update.get("report", {}).get("errors", []))
    return "validated: no problems" if not errors else f"validated: {errors} problem(s), repairing"


def _check_out(ctx: Context, roots: Roots, target: Path | None, overwrite: bool, source: Path | None) -> None:
    """Refuse a bad `out` before any work is done (the claim at write time checks again)."""
    if target is not None:
        server_state(ctx).writes.check(roots, [Output(target)], overwrite=overwrite, reading=[source] if source else [])


async def _ask_user(ctx: Context, ask_user: bool, first: Annotated[Ran, Resolve(_first_run)]) -> Elicit[BaseModel] | None:
    """Ask the run's questions through the client's form UI, when there are some and it can show one."""
    caps = ctx.client_capabilities
    questions = first.result.questions
    if first.result.status != "needs_clarification" or not questions or not ask_user:
        return None
    if caps is None or caps.elicitation is None:
        return None
    name = first.path.name if first.path else "this source"
    message = "\n".join([f"Your request for {name} is ambiguous. Please answer:", *(f"- {q.text}" for q in questions)])
    return Elicit(message, answers_model(questions))


async def tailor(
    ctx: Context,
    first: Annotated[Ran, Resolve(_first_run)],
    asked: Annotated[AcceptedElicitation[Any] | DeclinedElicitation | CancelledElicitation, Resolve(_ask_user)],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    path: Annotated[str | None, Field(description="Source to tailor: a video file, a GUI trace folder or file, a robot episode (LeRobot/RLDS/HDF5) or an image-edit sequence, inside the allowed roots. Not needed when resuming with `thread_id`.")] = None,
    intent: Annotated[str | None, Field(description="What training data the user wants, in their words, e.g. 'GUI-agent SFT steps from this recording'. Not needed when resuming.")] = None,
    task: Annotated[str | None, Field(description="Task schema to produce (see `list_tasks`), e.g. 'gui.trajectory'. Omit to let the router choose.")] = None,
    domain: Annotated[str | None, Field(description="Expert domain if known: gui, embodied, daily, education, aigc, custom.")] = None,
    schema: Annotated[dict[str, Any] | None, Field(description="Your own JSON Schema, for task 'custom'.")] = None,
    answers: Annotated[dict[str, str] | None, Field(description="Answers to clarification questions, by question id (an option's value, label or 1-based number).")] = None,
    thread_id: Annotated[str | None, Field(description="thread_id of a 'needs_clarification' result, given with `answers` to resume that thread (also after a server restart); a new thread always gets a fresh id.")] = None,
    target_use: Annotated[str | None, Field(description="Downstream use, e.g. 'SFT for Qwen-VL GUI agent'.")] = None,
    max_items: Annotated[int | None, Field(ge=1, description="Upper bound on list items (steps, events, QA pairs).")] = None,
    language: Annotated[str, Field(description="Language of generated text.")] = "en",
    ask_user: Annotated[bool, Field(description="Ask clarification questions through the client's form UI when it supports elicitation; false returns them with a thread_id instead.")] = True,
    include_anchors: Annotated[bool, Field(description="Also return the extracted anchors (can be long).")] = False,
    out: Annotated[str | None, Field(description="Optional file (inside the roots) for the full result envelope: a .jsonl name appends a line (input for `export_dataset`), any other name is written as one JSON document. An existing file the server did not write is refused unless `overwrite`.")] = None,
    overwrite: Annotated[bool, Field(description="Allow `out` to replace an existing .json/.jsonl file the server did not write (other files are never replaced).")] = False,
) -> TailorOutput:
    """Tailor one raw stream into a schema-valid, anchor-grounded JSON training record.

    Detects the source by content, clarifies a fuzzy intent (by elicitation when the client supports
    it, otherwise by returning `questions` and a `thread_id` to answer in a later call), routes to a
    domain expert, extracts factual anchors, synthesises the record and validates/repairs it.
    """
    result = first.result
    if isinstance(asked, AcceptedElicitation) and asked.data is not None:
        with tool_errors(roots):
            result = await service(ctx).answer(result.thread_id, asked.data.model_dump(by_alias=True), roots=roots.dirs,
                                               progress=step_progress(ctx))
    written = first.out if first.out is not None and result.record is not None else None
    if written is not None:
        reading = [first.path] if first.path else []
        from ..service import write_envelope

        async with server_state(ctx).writes.claim(roots, [Output(written)], overwrite=overwrite, reading=reading):
            with tool_errors(roots):
                write_envelope(result, written)
    return TailorOutput.of(result, first.path, include_anchors=include_anchors, written=written)


# ---------------------------------------------------------------------------------------------
# clarify_intent, extract_anchors, validate_record, list_tasks


async def clarify_intent(
    ctx: Context,
    path: Annotated[str, Field(description="The source the intent is about (its kind decides which tasks make sense).")],
    intent: Annotated[str, Field(description="The user's request, as given.")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    task: Annotated[str | None, Field(description="Task the user already named, if any.")] = None,
    domain: Annotated[str | None, Field(description="Domain the user already named, if any.")] = None,
) -> ClarifyOutput:
    """Check whether an intent is clear enough to tailor `path`, and get the questions to ask if not.

    Returns where the intent would be routed and, when it is fuzzy, concrete multiple-choice questions
    plus a `thread_id`: call `tailor` with that `thread_id` and the user's `answers` to continue.
    """
    real = roots.resolve(path)
    text = _intent(intent, task, domain, None, None, None, None, "en")
    with tool_errors(roots):
        return ClarifyOutput.of(await service(ctx).clarify(real, text, roots=roots.dirs))


async def extract_anchors(
    ctx: Context,
    path: Annotated[str, Field(description="Source to extract factual anchors from (inside the allowed roots).")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    kinds: Annotated[list[str] | None, Field(description="Only these anchor kinds, e.g. ['shot', 'ocr'] or ['gui_event'].")] = None,
    limit: Annotated[int, Field(ge=1, le=5000, description="Return at most this many anchors (counts cover all of them).")] = 200,
) -> AnchorsOutput:
    """Detect a source by content and extract its deterministic factual anchors (t, p, c).

    Anchors are the facts a record must be grounded in: shots, cuts, keyframes, OCR text, GUI events
    and elements, gripper changes, pauses, edit regions. Each has a stable id to cite in `anchor_ids`.
    """
    from ..tools import anchors_payload

    real = roots.resolve(path)
    with tool_errors(roots):
        payload = await server_state(ctx).service.extractions.run(anchors_payload, real, kinds)
    anchors = payload["anchors"]
    return AnchorsOutput(
        source=SourceInfo.model_validate(payload["source"]), counts=dict(Counter(a["kind"] for a in anchors)),
        anchors=anchors[:limit], truncated=len(anchors) > limit,
    )


async def validate_record(
    ctx: Context,
    record: Annotated[dict[str, Any] | str, Field(description="The record: a JSON object, or JSON text (possibly malformed; it will be repaired when `repair`).")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    task: Annotated[str | None, Field(description="Task whose schema to check against (see `list_tasks`).")] = None,
    schema: Annotated[dict[str, Any] | None, Field(description="A JSON Schema to check against: alone, or with task 'custom'.")] = None,
    path: Annotated[str | None, Field(description="The source the record describes; when given, grounding (times, positions, anchor ids) is checked against its anchors.")] = None,
    repair: Annotated[bool, Field(description="Apply deterministic repairs (JSON repair, type coercion, clamping, dropping unknown anchor ids).")] = True,
) -> ValidateOutput:
    """Check a record: strict JSON parse, JSON repair, schema validation and grounding against the source.

    Use it on records from any model before training on them; every remaining problem has a JSON path.
    """
    source = roots.resolve(path) if path is not None else None
    with tool_errors(roots):
        checked = await server_state(ctx).service.validate(record, task=task, schema=schema, source=source, repair=repair)
    verdict = checked.report.outcome().model_dump()
    return ValidateOutput(**verdict, record=checked.record if isinstance(checked.record, dict) else None)


def task_info(spec: Any) -> TaskInfo:
    return TaskInfo(
        name=spec.name, domain=spec.domain, version=spec.version, description=spec.description,
        source_kinds=sorted(str(k) for k in spec.source_kinds),
        schema_uri=f"dataclaw://tasks/{spec.name}/schema", example_uri=f"dataclaw://tasks/{spec.name}/example",
    )


def list_tasks(
    kind: Annotated[str | None, Field(description="Only tasks for this stream kind: video, gui_trace, robot_episode, edit_sequence, image_set.")] = None,
) -> TaskList:
    """List the task schemas records can follow, with links to each JSON Schema and example record."""
    from ..core import SourceKind
    from ..experts import registry

    if kind is not None and kind not in SourceKind.__members__:
        raise ToolError(f"kind: {kind!r} is not a stream kind; use one of {', '.join(SourceKind.__members__)}")
    specs = registry.list_tasks() if kind is None else registry.tasks_for(SourceKind(kind))
    return TaskList(tasks=[task_info(s) for s in specs])


# ---------------------------------------------------------------------------------------------
# tailor_corpus, export_dataset


async def tailor_corpus(
    ctx: Context,
    folder: Annotated[str, Field(description="Folder whose visible entries (files or sub-folders) are the sources to tailor.")],
    intent: Annotated[str, Field(description="What training data to make from every item.")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    task: Annotated[str | None, Field(description="Task for every item; recommended for a corpus, since a fuzzy intent leaves items waiting for clarification.")] = None,
    domain: Annotated[str | None, Field(description="Expert domain, if known.")] = None,
    schema: Annotated[dict[str, Any] | None, Field(description="A JSON Schema for task 'custom'.")] = None,
    target_use: Annotated[str | None, Field(description="Downstream use, e.g. 'SFT for Qwen-VL GUI agent'.")] = None,
    max_items: Annotated[int | None, Field(ge=1, description="Upper bound on list items per record.")] = None,
    out: Annotated[str | None, Field(description="Output folder (inside the roots; new, empty, or an earlier run's) for manifest.jsonl, records/ and records.jsonl; default <folder>/.dataclaw/corpus.")] = None,
    concurrency: Annotated[int, Field(ge=1, le=32, description="Items tailored at once.")] = 4,
    tasks: Annotated[dict[str, str] | None, Field(description="Task by source kind (video, gui_trace, robot_episode, edit_sequence, image_set; '*' for every kind); overrides `task` for that kind.")] = None,
    answers: Annotated[dict[str, str] | None, Field(description="Answer to the clarification question by source kind ('*' for every kind), as the summary's `questions` lists them; used for every item of that kind.")] = None,
    episodes: Annotated[str, Field(description="Episodes of a multi-episode dataset, one item each: all, first, N or N-M.")] = "all",
) -> CorpusOutput:
    """Tailor every item of a folder, with a progress notification per item and a summary at the end.

    A video's .srt/.vtt/.json sidecars go with it; a multi-episode dataset is one item per episode. A fuzzy
    intent leaves items `needs_clarification` and the summary's `questions` holds them once per source kind:
    re-run with `answers` by kind, and the answered items are tailored while finished ones are skipped.
    Re-running into the same `out` resumes: finished items are skipped. Items that cannot be read are
    listed with the reason and never stop the run; invalid records are kept with their report.
    """
    from ..batch import WorkSpec, discover, run_corpus

    real = roots.resolve(folder, field="folder")
    target = roots.resolve(out, field="out", must_exist=False) if out else real / ".dataclaw" / "corpus"
    text = _intent(intent, task, domain, schema, None, target_use, max_items, "en")
    try:
        spec = WorkSpec(intent=text, tasks=tasks or {}, answers=answers or {}, episodes=episodes, out_dir=str(target))
    except ValidationError as exc:
        raise ToolError(f"invalid argument: {first_problem(exc)}") from exc
    with tool_errors(roots):
        items, refused = admit_items(discover(real), roots)
    async with server_state(ctx).writes.claim(roots, [Output(target, folder=True)], reading=items):
        with tool_errors(roots):
            summary = await run_corpus(service(ctx), items, spec, out_dir=target, concurrency=concurrency, progress=ctx.report_progress)
    output = CorpusOutput.of(summary, refused)
    for item in output.items:  # an item's loader may name a file a symlink inside it leads to
        if item.get("error"):
            item["error"] = scrub(item["error"], roots)
    return output


def admit_items(found: list[Path], roots: Roots) -> tuple[list[Path], list[dict[str, Any]]]:
    """The folder's items inside the roots, and an error outcome for each one that is not (a symlink out)."""
    admitted: list[Path] = []
    refused: list[dict[str, Any]] = []
    for item in found:
        try:
            admitted.append(roots.resolve(str(item), field="folder item"))
        except ToolError as exc:
            refused.append({"source": str(item), "status": "error", "error": f"refused: {exc}"})
    return admitted, refused


async def export_dataset(
    ctx: Context,
    records: Annotated[str, Field(description="JSONL of tailoring envelopes: `records_path` of `tailor_corpus`, or a .jsonl `out` of `tailor`.")],
    format: Annotated[ExportFormat, Field(description="openai (chat messages), sharegpt (LLaMA-Factory), trl (messages + images) or hf (parquet dataset folder).")],
    out: Annotated[str, Field(description="Output .jsonl for the chat formats, or a new (or empty) folder for hf, inside the roots.")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    unit: Annotated[Literal["auto", "record"], Field(description="auto: one sample per step / pair / question where the task has them; record: one sample per record.")] = "auto",
    overwrite: Annotated[bool, Field(description="Allow `out` to replace an existing .jsonl file the server did not write (other files are never replaced).")] = False,
) -> ExportSummary:
    """Turn valid tailored records into a supervised fine-tuning set; every line left out is listed with its reason."""
    from ..export import export_records

    src = roots.resolve(records, field="records")
    target = roots.resolve(out, field="out", must_exist=False)
    async with server_state(ctx).writes.claim(roots, [Output(target, folder=format == ExportFormat.hf)], overwrite=overwrite, reading=[src]):
        with tool_errors(roots):
            return await anyio.to_thread.run_sync(lambda: export_records(src, format, target, unit=unit))
