"""The MCP tools: thin, typed adapters from tool calls to the package's functions.

Every tool resolves its paths through the allowed roots first (flags plus the client's MCP roots,
fetched with the SDK's `ListRoots` resolver), turns the package's typed errors into `ToolError`s
that name the file or field at fault, and returns a pydantic model so the client gets structured
content with an output schema. Expected failures never escape as crashes, so one bad call cannot
take the server down for the next.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ListRoots,
    Resolve,
)
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ListRootsResult
from pydantic import BaseModel, Field, ValidationError, create_model

from ..core import DataClawError, Intent, Source
from ..core.validate import check_record
from .config import ServerConfig
from .models import (
    AnchorsOutput,
    ClarifyOutput,
    CorpusOutput,
    ExportOutput,
    ItemOutcome,
    Question,
    Route,
    SourceInfo,
    TailorOutput,
    TaskInfo,
    TaskList,
    ValidateOutput,
)
from .roots import Roots, root_from_uri

# ---------------------------------------------------------------------------------------------
# Shared plumbing: configuration, roots, errors.


def server_config(ctx: Context) -> ServerConfig:
    return ctx.request_context.lifespan_context


def _client_roots(ctx: Context) -> ListRoots | ListRootsResult:
    """Ask the client for its roots when it declared the capability; otherwise it has none."""
    caps = ctx.client_capabilities
    return ListRoots() if caps is not None and caps.roots is not None else ListRootsResult(roots=[])


async def allowed_roots(ctx: Context, listed: Annotated[ListRootsResult, Resolve(_client_roots)]) -> Roots:
    """The server's `--root` directories plus the client's `file://` roots."""
    client_dirs = [p for r in listed.roots if (p := root_from_uri(str(r.uri))) is not None]
    return server_config(ctx).roots.with_client(client_dirs)


@contextmanager
def tool_errors() -> Iterator[None]:
    """Report the package's deliberate errors as tool errors (the client sees the one-line message)."""
    try:
        yield
    except ToolError:
        raise
    except DataClawError as exc:
        raise ToolError(str(exc)) from exc
    except ValidationError as exc:
        raise ToolError(f"invalid argument: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from exc


def _source_info(source: Source) -> SourceInfo:
    return SourceInfo(
        path=source.path, kind=str(source.kind), format=source.format, content_hash=source.content_hash, meta=source.meta
    )


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
    with tool_errors():
        return Intent(
            text=text, task=task, domain=domain, schema=schema, answers=answers or {},
            target_use=target_use, max_items=max_items, language=language,
        )


async def _detect(path: Path) -> Source:
    from ..tools import detect

    with tool_errors():
        return await anyio.to_thread.run_sync(detect, path)


async def _run_tailor(
    ctx: Context, path: Path, intent: Intent, thread_id: str | None, answers: dict[str, str] | None
) -> Any:
    """One run of the tailoring graph, off the event loop (extraction and synthesis block)."""
    from ..graph.runner import tailor as run

    config = server_config(ctx)
    source = await _detect(path)

    def call() -> Any:
        return run(
            source, intent, backend=config.backend, backend_options=config.backend_options or None,
            thread_id=thread_id, answers=answers, state_dir=config.state_dir,
        )

    with tool_errors():
        return await anyio.to_thread.run_sync(call)


@dataclass(frozen=True)
class Ran:
    """A finished graph run handed from the resolver to the tool body (no question was asked)."""

    result: Any


def _questions(result: Any) -> list[Question]:
    return [Question.model_validate(q) for q in (getattr(result, "questions", None) or [])]


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


def _elicitation_message(path: Path, questions: list[Question]) -> str:
    lines = [f"Your request for {path.name} is ambiguous. Please answer:"]
    lines += [f"- {q.text}" for q in questions]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# tailor


async def _tailor_or_ask(
    ctx: Context,
    path: str,
    intent: str,
    task: str | None,
    domain: str | None,
    schema: dict[str, Any] | None,
    answers: dict[str, str] | None,
    thread_id: str | None,
    target_use: str | None,
    max_items: int | None,
    language: str,
    ask_user: bool,
    roots: Annotated[Roots, Resolve(allowed_roots)],
) -> Elicit[BaseModel] | Ran:
    """Run the graph; if it needs clarification and the client can show a form, ask there.

    Runs before the tool body (and again on each input-required round under the 2026 protocol), so
    the question the client sees is rebuilt identically from the same inputs every time.
    """
    real = roots.resolve(path)
    result = await _run_tailor(
        ctx, real, _intent(intent, task, domain, schema, answers, target_use, max_items, language), thread_id, answers
    )
    caps = ctx.client_capabilities
    can_elicit = caps is not None and caps.elicitation is not None
    if result.status == "needs_clarification" and ask_user and can_elicit and _questions(result):
        questions = _questions(result)
        return Elicit(_elicitation_message(real, questions), answers_model(questions))
    return Ran(result)


def _write_envelope(result: Any, out: Path) -> None:
    envelope = {
        "record": result.record, "task": result.task, "domain": result.domain, "status": result.status,
        "validation": result.validation, "provenance": result.provenance,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(envelope, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(out)


def _tailor_output(result: Any, path: Path, include_anchors: bool, written: Path | None) -> TailorOutput:
    anchors = list(result.anchors or [])
    return TailorOutput(
        status=result.status, path=str(path), task=result.task, domain=result.domain, record=result.record,
        validation=result.validation or {}, thread_id=result.thread_id, questions=_questions(result),
        anchor_count=len(anchors), anchors=anchors if include_anchors else None, provenance=result.provenance,
        written=str(written) if written else None,
    )


async def tailor(
    ctx: Context,
    path: Annotated[str, Field(description="Source to tailor: a video file, a GUI trace folder or file, a robot episode (LeRobot/RLDS/HDF5) or an image-edit sequence, inside the allowed roots.")],
    intent: Annotated[str, Field(description="What training data the user wants, in their words, e.g. 'GUI-agent SFT steps from this recording'.")],
    outcome: Annotated[AcceptedElicitation[Any] | DeclinedElicitation | CancelledElicitation, Resolve(_tailor_or_ask)],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    task: Annotated[str | None, Field(description="Task schema to produce (see `list_tasks`), e.g. 'gui.trajectory'. Omit to let the router choose.")] = None,
    domain: Annotated[str | None, Field(description="Expert domain if known: gui, embodied, daily, education, aigc, custom.")] = None,
    schema: Annotated[dict[str, Any] | None, Field(description="A JSON Schema for task 'custom'.")] = None,
    answers: Annotated[dict[str, str] | None, Field(description="Answers to earlier clarification questions, by question id.")] = None,
    thread_id: Annotated[str | None, Field(description="thread_id from an earlier 'needs_clarification' result, to resume it (with `answers`).")] = None,
    target_use: Annotated[str | None, Field(description="Downstream use, e.g. 'SFT for Qwen-VL GUI agent'.")] = None,
    max_items: Annotated[int | None, Field(ge=1, description="Upper bound on list items (steps, events, QA pairs).")] = None,
    language: Annotated[str, Field(description="Language of generated text.")] = "en",
    ask_user: Annotated[bool, Field(description="Ask clarification questions through the client's form UI when it supports elicitation; false returns them with a thread_id instead.")] = True,
    include_anchors: Annotated[bool, Field(description="Also return the extracted anchors (can be long).")] = False,
    out: Annotated[str | None, Field(description="Optional JSON file (inside the roots) to write the record envelope to.")] = None,
) -> TailorOutput:
    """Tailor one raw stream into a schema-valid, anchor-grounded JSON training record.

    Detects the source by content, clarifies a fuzzy intent (by elicitation when the client supports
    it, otherwise by returning `questions` and a `thread_id`), routes to a domain expert, extracts
    factual anchors, synthesises the record and validates/repairs it.
    """
    real = roots.resolve(path)
    target = roots.resolve(out, field="out", must_exist=False) if out else None
    if isinstance(outcome, AcceptedElicitation) and isinstance(outcome.data, Ran):
        result = outcome.data.result
    else:
        given = dict(answers or {})
        if isinstance(outcome, AcceptedElicitation):
            given |= outcome.data.model_dump(by_alias=True)
        # Elicited answers start a fresh run that carries them; a declined form falls back to
        # returning the questions with a thread_id, so the user can still answer later.
        result = await _run_tailor(
            ctx, real, _intent(intent, task, domain, schema, given, target_use, max_items, language),
            thread_id if not isinstance(outcome, AcceptedElicitation) else None, given or None,
        )
    if target is not None and result.record is not None:
        _write_envelope(result, target)
    return _tailor_output(result, real, include_anchors, target if result.record is not None else None)


# ---------------------------------------------------------------------------------------------
# clarify_intent, extract_anchors, validate_record, list_tasks


def _route(value: Any) -> Route:
    return Route(
        domain=getattr(value, "domain", None), task=getattr(value, "task", None),
        confidence=float(getattr(value, "confidence", 0.0) or 0.0),
        reasons=list(getattr(value, "reasons", None) or []), candidates=list(getattr(value, "candidates", None) or []),
    )


async def clarify_intent(
    ctx: Context,
    path: Annotated[str, Field(description="The source the intent is about (its kind decides which tasks make sense).")],
    intent: Annotated[str, Field(description="The user's request, as given.")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    task: Annotated[str | None, Field(description="Task the user already named, if any.")] = None,
    domain: Annotated[str | None, Field(description="Domain the user already named, if any.")] = None,
) -> ClarifyOutput:
    """Check whether an intent is clear enough to tailor `path`, and get the questions to ask if not.

    Returns the route the intent would take and, when it is fuzzy, concrete multiple-choice questions
    plus a `thread_id`: pass both the answers and the thread_id to `tailor` to continue.
    """
    from ..experts.routing import route

    real = roots.resolve(path)
    source = await _detect(real)
    text = _intent(intent, task, domain, None, None, None, None, "en")
    with tool_errors():
        routed = _route(route(source, text))
    result = await _run_tailor(ctx, real, text, None, None) if _questions_needed(routed, text) else None
    fuzzy = result is not None and result.status == "needs_clarification"
    return ClarifyOutput(
        fuzzy=fuzzy, route=routed, questions=_questions(result) if fuzzy else [],
        thread_id=result.thread_id if fuzzy else None, source=_source_info(source),
    )


def _questions_needed(routed: Route, intent: Intent) -> bool:
    """Only a run of the graph knows its questions; skip it when the user pinned the task."""
    return intent.task is None or routed.task is None


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
    from ..tools import extract

    real = roots.resolve(path)
    source = await _detect(real)
    with tool_errors():
        anchors = await anyio.to_thread.run_sync(lambda: extract(source, kinds=kinds))
    return AnchorsOutput(
        source=_source_info(source), counts=dict(Counter(a.kind for a in anchors)),
        anchors=[a.compact() for a in anchors[:limit]], truncated=len(anchors) > limit,
    )


async def validate_record(
    ctx: Context,
    record: Annotated[dict[str, Any] | list[Any] | str, Field(description="The record: a JSON object, or JSON text (possibly malformed; it will be repaired when `repair`).")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    task: Annotated[str | None, Field(description="Task whose schema to check against (see `list_tasks`).")] = None,
    schema: Annotated[dict[str, Any] | None, Field(description="A JSON Schema to check against instead of a task's.")] = None,
    path: Annotated[str | None, Field(description="The source the record describes; when given, grounding (times, positions, anchor ids) is checked against its anchors.")] = None,
    repair: Annotated[bool, Field(description="Apply deterministic repairs (JSON repair, type coercion, clamping, dropping unknown anchor ids).")] = True,
) -> ValidateOutput:
    """Check a record: strict JSON parse, JSON repair, schema validation and grounding against the source.

    Use it on records from any model before training on them; every remaining problem has a JSON path.
    """
    import jsonschema

    if (task is None) == (schema is None):
        raise ToolError("give exactly one of `task` or `schema`")
    if schema is not None:
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ToolError(f"schema: not a valid JSON Schema: {exc.message}") from exc
        json_schema = schema
    else:
        from ..experts.registry import get_task

        with tool_errors():
            json_schema = get_task(task).json_schema()
    anchors, source = [], None
    if path is not None:
        real = roots.resolve(path)
        from ..tools import extract

        source = await _detect(real)
        with tool_errors():
            anchors = await anyio.to_thread.run_sync(extract, source)
    with tool_errors():
        checked = check_record(record, json_schema, anchors, source, repair=repair)
    summary = checked.report.summary()
    return ValidateOutput(
        valid=summary["valid"], parsed=summary["parsed"], schema_valid=summary["schema_valid"],
        grounded=summary["grounded"], errors=summary["errors"], repairs=summary["repairs"], record=checked.record,
    )


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


def _corpus_items(folder: Path, out: Path) -> list[Path]:
    """Every visible entry of the folder is one source (a GUI trace or a LeRobot episode is a folder)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p != out)


async def tailor_corpus(
    ctx: Context,
    folder: Annotated[str, Field(description="Folder whose entries (files or sub-folders) are the sources to tailor.")],
    intent: Annotated[str, Field(description="What training data to make from every item.")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
    task: Annotated[str | None, Field(description="Task for every item; strongly recommended for a corpus (no per-item clarification).")] = None,
    domain: Annotated[str | None, Field(description="Expert domain, if known.")] = None,
    schema: Annotated[dict[str, Any] | None, Field(description="A JSON Schema for task 'custom'.")] = None,
    target_use: Annotated[str | None, Field(description="Downstream use, e.g. 'SFT for Qwen-VL GUI agent'.")] = None,
    max_items: Annotated[int | None, Field(ge=1, description="Upper bound on list items per record.")] = None,
    language: Annotated[str, Field(description="Language of generated text.")] = "en",
    out: Annotated[str | None, Field(description="JSONL file to write (inside the roots); default <folder>/.dataclaw/tailored.jsonl.")] = None,
) -> CorpusOutput:
    """Tailor every item of a folder, with one progress notification per item and a summary at the end.

    Items that cannot be read are reported with the reason and never stop the run; records that stay
    invalid after repair are written with their validation report so nothing is silently dropped.
    """
    real = roots.resolve(folder, field="folder")
    if not real.is_dir():
        raise ToolError(f"folder: {folder} is not a directory")
    target = roots.resolve(out, field="out", must_exist=False) if out else real / ".dataclaw" / "tailored.jsonl"
    items = _corpus_items(real, target)
    text = _intent(intent, task, domain, schema, None, target_use, max_items, language)
    outcomes: list[ItemOutcome] = []
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as sink:
        for i, item in enumerate(items):
            outcome = await _corpus_item(ctx, roots, item, text, sink)
            outcomes.append(outcome)
            await ctx.report_progress(i + 1, len(items), f"{item.name}: {outcome.status}")
    tmp.replace(target)
    counts = Counter(o.status for o in outcomes)
    return CorpusOutput(
        folder=str(real), out=str(target), total=len(items), ok=counts["ok"], invalid=counts["invalid"],
        needs_clarification=counts["needs_clarification"], failed=counts["failed"], items=outcomes,
    )


async def _corpus_item(ctx: Context, roots: Roots, item: Path, intent: Intent, sink: Any) -> ItemOutcome:
    try:
        real = roots.resolve(str(item))
        result = await _run_tailor(ctx, real, intent, None, None)
    except ToolError as exc:
        return ItemOutcome(path=str(item), status="failed", error=str(exc))
    if result.record is not None:
        line = {"path": str(real), "status": result.status, "task": result.task, "domain": result.domain,
                "record": result.record, "validation": result.validation, "provenance": result.provenance}
        sink.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        sink.flush()
    errors = (result.validation or {}).get("errors") or []
    detail = "; ".join(f"{e.get('path')}: {e.get('message')}" for e in errors[:3]) or None
    if result.status == "needs_clarification":
        detail = "intent too fuzzy for this item; name a task"
    return ItemOutcome(path=str(real), status=result.status, task=result.task, error=detail if result.status != "ok" else None)


async def export_dataset(
    records: Annotated[str, Field(description="JSONL of record envelopes, e.g. the `out` of `tailor_corpus`.")],
    format: Annotated[str, Field(description="Fine-tuning format to write (e.g. 'sharegpt', 'openai-chat', 'hf-dataset').")],
    out: Annotated[str, Field(description="File or folder to write (inside the roots).")],
    roots: Annotated[Roots, Resolve(allowed_roots)],
) -> ExportOutput:
    """Convert tailored records into a fine-tuning dataset format; invalid records are skipped and counted."""
    from ..evals.export import export_records

    src = roots.resolve(records, field="records")
    target = roots.resolve(out, field="out", must_exist=False)
    with tool_errors():
        summary = await anyio.to_thread.run_sync(lambda: export_records(src, format, target))
    return ExportOutput(out=str(target), format=format, summary=dict(summary) if not isinstance(summary, BaseModel) else summary.model_dump())
