"""The application service: one object that tailors, clarifies and validates for every surface.

The CLI, the MCP server, corpus runs, `claw eval` and training-set construction all call a
`TailorService`, so a rule about backends, clarification or validation lives here once and the
surfaces only translate arguments and render results. The service owns:

- the backend, built on first use and then shared by every call (the `local` backend loads its
  checkpoint once; the `openai` backend's concurrency limit holds across calls);
- the threads: the graph's checkpoints under `settings.state_dir`, started by `tailor` and
  continued by `answer` (a later follow-up on a finished thread continues it the same way). A thread
  id is random (128 bits), so one caller cannot guess another's; a caller that names its own id cannot
  start over a thread that exists. A surface that confines callers to some folders (the MCP server's
  roots) passes them as `roots`: the thread remembers them, and every resume re-checks its source
  against both the remembered and the current ones;
- clarification: `tailor` and `answer` ask an `Ask` callback when one is given, for as many rounds
  as the thread keeps asking (up to `MAX_CLARIFY_ROUNDS`); without one the envelope carries the
  questions and the caller answers later (what an MCP client does across calls);
- validation of any record against a task or schema and a source (`validate`);
- records written outside the graph (`service/hosted.py`): `brief` gives a writer (an assistant in an
  MCP host, a client's model reached by sampling) what a served model reads, `submit` checks what they
  wrote and keeps it in the thread; and refinement (`refine`): a follow-up on a thread with a record makes
  a new version from the cached anchors and the previous record, every version kept in the thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
from pydantic import BaseModel, Field

from ..core import (
    Anchor,
    DataClawError,
    Envelope,
    GenerationRequest,
    InputError,
    Intent,
    Message,
    Question,
    Source,
    TailorContext,
)
from ..core.slots import Slots
from ..core.validate import Checked, check_record
from ..experts.registry import get_task
from ..experts.routing import Route
from ..graph.state import Services, StepProgress
from ..model.base import Backend, create_backend
from ..model.prompt import build_prompt
from ..model.schema import specialise
from ..tools import detect, extract
from ..tools.registry import applicable
from .hosted import Brief, Submission, brief_parts, hints, judge
from .refine import Refinement, refine_by_rules
from .settings import Settings

if TYPE_CHECKING:
    from ..graph.runner import Run, Threads

log = logging.getLogger(__name__)

MAX_CLARIFY_ROUNDS = 3
Answers = dict[str, str] | list[str] | str
Ask = Callable[[list[Question]], Awaitable[Answers | None]]
"""Put questions to the user; return their answers, or None to leave the thread waiting."""


class Clarification(BaseModel):
    """Whether an intent is clear enough for a source, and the thread that asks when it is not."""

    source: Source
    route: Route = Field(description="The router's decision as the intent stands.")
    questions: list[Question] = Field(default_factory=list)
    thread_id: str | None = Field(default=None, description="The paused thread; `answer` it to go on tailoring.")

    @property
    def fuzzy(self) -> bool:
        return bool(self.questions)


def new_thread_id() -> str:
    """A random thread id: 128 bits from the OS's generator, so no caller can guess another's thread."""
    return uuid.uuid4().hex


@functools.cache
def task_schema(name: str) -> dict[str, Any]:
    """A task's JSON Schema, generated once per process (pydantic takes milliseconds per call); read-only."""
    return get_task(name).json_schema()


class TailorService:
    def __init__(self, settings: Settings | None = None, *, backend: Backend | None = None, extractions: Slots | None = None):
        """`backend` supplies a ready backend instead of building `settings.backend` (tests, embedding);
        `extractions` shares another service's bound on concurrent extractions."""
        self.settings = settings or Settings()
        self.extractions = extractions or Slots(self.settings.max_extractions)
        self._backend = backend
        self._building = threading.Lock()

    @functools.cached_property
    def threads(self) -> Threads:
        """The checkpointed threads, opened on first use: the runner loads LangGraph (about a second), which
        `validate` never needs, so `claw validate` starts as fast as the commands that do not tailor."""
        from ..graph.runner import Threads

        return Threads(self.settings.state_dir)

    @property
    def backend(self) -> Backend:
        """The backend, built from the settings on first use and shared by every later call."""
        if self._backend is None:
            with self._building:
                if self._backend is None:
                    built = create_backend(self.settings.backend, **self.settings.backend_options)
                    log.info("built backend %s (%s)", built.name, built.model_id or "default model")
                    self._backend = built
        return self._backend

    def bound(self, **call_options: Any) -> TailorService:
        """This service with a backend built for one caller, e.g. `sampling` with that MCP request's `sample`.

        Only for backends that live inside a request; any other backend is shared through `backend`.
        """
        backend = create_backend(self.settings.backend, **{**self.settings.backend_options, **call_options})
        return TailorService(self.settings, backend=backend, extractions=self.extractions)

    async def aclose(self) -> None:
        """Release what the backend holds open (an HTTP client pool)."""
        close = getattr(self._backend, "aclose", None)
        if close is not None:
            await close()

    def _services(self, *, plan_only: bool = False, progress: StepProgress | None = None) -> Services:
        s = self.settings
        backend = self._backend if plan_only else self.backend  # a plan never writes, so never builds one
        return Services(backend=backend, max_repairs=s.max_repairs, confidence_threshold=s.confidence_threshold,
                        cache_dir=s.cache_dir, plan_only=plan_only, extractions=self.extractions, progress=progress)

    # -- tailoring and clarification ------------------------------------------------------------

    async def tailor(
        self, source: str | Path | None, intent: Intent | str | None, *, thread_id: str | None = None, ask: Ask | None = None,
        roots: Sequence[Path] | None = None, progress: StepProgress | None = None,
    ) -> Envelope:
        """Tailor `source` for `intent` in a new thread; `ask` answers its clarification questions, if any.

        `thread_id` names the new thread (refused when that thread exists); `roots` confines it (see above);
        `progress` hears of each step as it finishes.
        """
        if source is None or intent is None:
            raise DataClawError("a source and an intent are needed to start a thread")
        intent = Intent(text=intent) if isinstance(intent, str) else intent
        thread_id = thread_id or new_thread_id()
        log.info("thread %s: tailoring %s for %r", thread_id, source, intent.text)
        run = await self.threads.start(self._services(progress=progress), source, intent, thread_id, roots=roots)
        return await self._clarified(self._envelope(run), ask, roots, progress)

    async def answer(
        self, thread_id: str, answers: Answers, *, ask: Ask | None = None, roots: Sequence[Path] | None = None,
        progress: StepProgress | None = None,
    ) -> Envelope:
        """Continue a thread waiting for clarification with the user's answers to its questions."""
        log.info("thread %s: answered %s", thread_id, answers)
        run = await self.threads.resume(self._services(progress=progress), thread_id, answers, roots=roots)
        return await self._clarified(self._envelope(run), ask, roots, progress)

    async def clarify(self, source: str | Path, intent: Intent | str, *, roots: Sequence[Path] | None = None) -> Clarification:
        """Route `intent` for `source` without tailoring; when it is fuzzy, a thread paused at its questions."""
        intent = Intent(text=intent) if isinstance(intent, str) else intent
        thread_id = new_thread_id()
        run = await self.threads.start(self._services(plan_only=True), source, intent, thread_id, roots=roots)
        out = run.output
        route = Route(domain=out["domain"], task=out["task"], confidence=out["confidence"], reasons=out.get("reasons", []),
                      candidates=[(c["task"], c["score"]) for c in out.get("candidates", [])])
        questions = [Question.model_validate(q) for q in run.questions]
        return Clarification(source=Source.model_validate(out["source"]), route=route, questions=questions,
                             thread_id=thread_id if questions else None)

    def _envelope(self, run: Run) -> Envelope:
        envelope = run.envelope(self.backend)
        if envelope.status == "needs_clarification":
            log.info("thread %s: waiting for answers to %d question(s)", run.thread_id, len(envelope.questions))
        else:
            log.info("thread %s: %s %s record", run.thread_id, envelope.status, envelope.task)
        return envelope

    async def _clarified(
        self, envelope: Envelope, ask: Ask | None, roots: Sequence[Path] | None, progress: StepProgress | None,
    ) -> Envelope:
        for _ in range(MAX_CLARIFY_ROUNDS):
            if envelope.status != "needs_clarification" or ask is None:
                break
            answers = await ask(envelope.questions)
            if not answers:
                break
            envelope = await self.answer(envelope.thread_id, answers, roots=roots, progress=progress)
        return envelope

    # -- records written elsewhere, and refinement ----------------------------------------------------

    async def brief(
        self, source: str | Path | None = None, intent: Intent | str | None = None, *, thread_id: str | None = None,
        answers: Answers | None = None, roots: Sequence[Path] | None = None,
    ) -> Brief:
        """What a writer needs to write the record for `source` and `intent`, in a new thread.

        A fuzzy intent gives questions first; call again with that `thread_id` and the `answers`.
        """
        if thread_id is not None:
            if not answers:
                raise DataClawError(f"thread {thread_id}: give the `answers` to its questions (or leave `thread_id` out to start over)")
            run = await self.threads.resume(self._services(plan_only=True), thread_id, answers, roots=roots)
        else:
            if source is None or intent is None:
                raise DataClawError("a source and an intent are needed for a brief")
            intent = Intent(text=intent) if isinstance(intent, str) else intent
            run = await self.threads.start(self._services(plan_only=True), source, intent, new_thread_id(), roots=roots)
        out = run.output
        if run.questions:
            return Brief(thread_id=run.thread_id, status="needs_clarification", task=out.get("task"), domain=out.get("domain"),
                         questions=[Question.model_validate(q) for q in run.questions])
        src, spec = Source.model_validate(out["source"]), get_task(out["task"])
        anchors = await self.extractions.run(extract, src, kinds=applicable(spec.extractors, src.kind), cache_dir=self.settings.cache_dir)
        await self.threads.write(run.thread_id, {"anchors": [a.model_dump(mode="json") for a in anchors]}, as_node="extract")
        ctx = TailorContext(source=src, intent=Intent.model_validate(out["intent"]), anchors=anchors, task=spec.name)
        prompt = build_prompt(ctx, spec, _bounded(ctx))
        system, text, images = brief_parts(prompt.request)
        log.info("thread %s: brief for %s (%d anchors, %d images)", run.thread_id, spec.name, len(anchors), len(images))
        return Brief(thread_id=run.thread_id, status="ready", task=spec.name, domain=spec.domain, source=src, instructions=system,
                     prompt=text, json_schema=prompt.request.json_schema, anchor_ids=[a.id for a in anchors], images=images,
                     notes=prompt.report.notes, request=prompt.request)

    async def submit(
        self, thread_id: str, record: Any, *, roots: Sequence[Path] | None = None, model: str | None = None, writer: str = "host",
    ) -> Submission:
        """Check a record written from `thread_id`'s brief; a valid one becomes the thread's next version.

        `writer` and `model` name who wrote it for the provenance: `host` (an assistant) or `sampling`
        (a client's model), and the model name the client reports.
        """
        values = await self._briefed(thread_id, roots)
        ctx = _context(values)
        schema = _bounded(ctx)
        checked, report = judge(record, schema, ctx.anchors, ctx.source)
        if not report.valid:
            log.info("thread %s: submitted record refused (%d errors)", thread_id, len(report.errors))
            return Submission(accepted=False, errors=report.errors, hints=hints(report.errors, schema, ctx.anchors, ctx.source),
                              record=checked.record)
        envelope = await self._keep(thread_id, values, checked.record, report, Writer(writer, model or "assistant"), "submitted")
        return Submission(accepted=True, envelope=envelope, record=checked.record)

    async def refine(
        self, thread_id: str, request: str, *, roots: Sequence[Path] | None = None, draft: str | None = None,
        model: str | None = None,
    ) -> Refinement:
        """A new version of a finished thread's record, as the follow-up `request` asks.

        The rules backend applies what it can and lists what it cannot; a model backend gets the prompt,
        the previous record and the request (`refine_request`), with the usual repair rounds. `draft`
        is a refined record already written elsewhere (the client's model, by sampling), checked as is.
        """
        values = await self._finished(thread_id, roots)
        ctx = _context(values)
        schema = _bounded(ctx)
        if draft is None and not self.backend.reads_prompt:
            record, applied, unapplied = refine_by_rules(values["record"], request, ctx, schema)
            if not applied:
                return Refinement(envelope=self._current(thread_id, values), version=len(_versions(values)), applied=[], not_applied=unapplied)
            checked = check_record(record, schema, ctx.anchors, ctx.source)
            writer = Writer(self.backend.name, self.backend.model_id)
        else:
            applied, unapplied = [request], []
            checked, writer = await self._rewrite(values, request, draft, model)
        if not checked.report.valid:
            raise DataClawError(f"thread {thread_id}: the refined record is invalid ({checked.report.errors[0].path}: "
                                f"{checked.report.errors[0].message}); the thread keeps version {len(_versions(values))}")
        envelope = await self._keep(thread_id, values, checked.record, checked.report, writer, request)
        return Refinement(envelope=envelope, version=len(_versions(values)) + 1, applied=applied, not_applied=unapplied)

    async def refine_request(self, thread_id: str, request: str, *, roots: Sequence[Path] | None = None) -> GenerationRequest:
        """What a model is asked to refine a finished thread's record: the served prompt, the record, the request."""
        return _refine_request(await self._finished(thread_id, roots), request)

    async def _rewrite(self, values: dict[str, Any], request: str, draft: str | None, model: str | None) -> tuple[Checked, Writer]:
        ctx = _context(values)
        asked = _refine_request(values, request)
        writer = Writer(self.backend.name, self.backend.model_id) if draft is None else Writer("sampling", model or "mcp-client")
        text = draft if draft is not None else await self.backend.generate(asked)
        checked = check_record(text, asked.json_schema, ctx.anchors, ctx.source)
        for _ in range(self.settings.max_repairs if draft is None else 0):
            if checked.report.valid:
                break
            errors = "\n".join(f"- {e.path}: {e.message}" for e in checked.report.errors)
            asked.messages += [Message.text("assistant", text),
                               Message.text("user", f"That JSON has these problems:\n{errors}\nReturn the corrected JSON object only.")]
            text = await self.backend.generate(asked)
            checked = check_record(text, asked.json_schema, ctx.anchors, ctx.source)
        return checked, writer

    async def _briefed(self, thread_id: str, roots: Sequence[Path] | None) -> dict[str, Any]:
        values = await self.threads.read(thread_id, roots=roots)
        if "anchors" not in values or "task" not in values:
            raise DataClawError(f"thread {thread_id}: no brief was made in this thread; ask for a brief first")
        return values

    async def _finished(self, thread_id: str, roots: Sequence[Path] | None) -> dict[str, Any]:
        values = await self.threads.read(thread_id, roots=roots)
        if values.get("status") != "ok" or values.get("record") is None:
            state = values.get("status") or ("waiting for clarification" if "task" not in values else "no record yet")
            raise DataClawError(f"thread {thread_id}: it has no finished record to refine ({state}); refine a thread once it holds a valid record")
        return values

    async def _keep(self, thread_id: str, values: dict[str, Any], record: Any, report: Any, writer: Writer, request: str) -> Envelope:
        versions = [*_versions(values), {"record": record, "backend": writer.name, "model_id": writer.model_id, "request": request}]
        update = {"record": record, "report": report.model_dump(mode="json"), "status": "ok", "versions": versions}
        await self.threads.write(thread_id, update, as_node="tailor")
        log.info("thread %s: version %d by %s", thread_id, len(versions), writer.name)
        from ..graph.runner import Run

        return Run(thread_id=thread_id, output={**values, **update}, questions=[]).envelope(writer)

    def _current(self, thread_id: str, values: dict[str, Any]) -> Envelope:
        from ..graph.runner import Run

        last = _versions(values)[-1]
        return Run(thread_id=thread_id, output=values, questions=[]).envelope(Writer(last.get("backend", ""), last.get("model_id", "")))

    # -- validation -----------------------------------------------------------------------------

    async def validate(
        self,
        record: Any,
        *,
        task: str | None = None,
        schema: dict[str, Any] | None = None,
        source: str | Path | Source | None = None,
        anchors: Sequence[Anchor] = (),
        repair: bool = True,
    ) -> Checked:
        """Check `record` (an object or JSON text) against a task's schema, or a JSON Schema, or both for `custom`.

        A source path is detected and its anchors extracted (those the task uses) to check grounding; a
        `Source` with `anchors` (read from an envelope) is used as given.
        """
        json_schema = _schema(task, schema)
        if isinstance(source, str | Path):
            source = await asyncio.to_thread(detect, source)
            kinds = applicable(get_task(task).extractors if task else (), source.kind)
            anchors = await self.extractions.run(extract, source, kinds=kinds, cache_dir=self.settings.cache_dir)
        return check_record(record, json_schema, list(anchors), source, repair=repair)


@dataclass(frozen=True)
class Writer:
    """Who wrote a version, for its provenance: a backend, or a writer outside the graph (`host`, `sampling`)."""

    name: str
    model_id: str | None = None


def _context(values: dict[str, Any]) -> TailorContext:
    return TailorContext(source=Source.model_validate(values["source"]), intent=Intent.model_validate(values["intent"]),
                         anchors=[Anchor.model_validate(a) for a in values.get("anchors", [])], task=values["task"])


def _bounded(ctx: TailorContext) -> dict[str, Any]:
    """The task's schema (or the user's, for `custom`) specialised to the source, as served models get it."""
    return specialise(get_task(ctx.task).json_schema(ctx.intent.schema_), ctx.source, ctx.anchors, max_items=ctx.intent.max_items)


def _versions(values: dict[str, Any]) -> list[dict[str, Any]]:
    """A thread's record versions, oldest first; a record the graph wrote is the first one."""
    if values.get("versions"):
        return list(values["versions"])
    if values.get("record") is None:
        return []
    return [{"record": values["record"], "backend": "", "model_id": "", "request": Intent.model_validate(values["intent"]).text}]


def _refine_request(values: dict[str, Any], request: str) -> GenerationRequest:
    import json

    ctx = _context(values)
    served = build_prompt(ctx, get_task(ctx.task), _bounded(ctx)).request
    served.messages += [
        Message.text("assistant", json.dumps(values["record"], ensure_ascii=False)),
        Message.text("user", f"Revise that record: {request}\nKeep it grounded in the same anchors and return the whole JSON object only."),
    ]
    return served


def _schema(task: str | None, schema: dict[str, Any] | None) -> dict[str, Any]:
    """The schema a record is checked against: the task's own, the given one, or the given one for `custom`."""
    if task is None and schema is None:
        raise DataClawError("give `task` (see `list_tasks`) or `schema` (a JSON Schema), or both for task 'custom'")
    if schema is not None:
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise InputError("schema", f"not a valid JSON Schema: {exc.message}") from None
    if task is None:
        return schema
    spec = get_task(task)
    if spec.model is None:
        return spec.json_schema(schema)
    if schema is not None:
        raise InputError("schema", f"task {spec.name!r} has its own schema; pass `schema` alone or with task 'custom'")
    return task_schema(spec.name)
