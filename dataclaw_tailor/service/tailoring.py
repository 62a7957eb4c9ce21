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
- validation of any record against a task or schema and a source (`validate`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import BaseModel, Field

from ..core import Anchor, DataClawError, Envelope, InputError, Intent, Question, Source
from ..core.validate import Checked, check_record
from ..experts.registry import get_task
from ..experts.routing import Route
from ..graph import Run, Services, Threads
from ..model.base import Backend, create_backend
from ..tools import detect, extract
from ..tools.registry import applicable
from .settings import Settings

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
    def __init__(self, settings: Settings | None = None, *, backend: Backend | None = None):
        """`backend` supplies a ready backend instead of building `settings.backend` (tests, embedding)."""
        self.settings = settings or Settings()
        self.threads = Threads(self.settings.state_dir)
        self._backend = backend
        self._building = threading.Lock()

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
        return TailorService(self.settings, backend=backend)

    async def aclose(self) -> None:
        """Release what the backend holds open (an HTTP client pool)."""
        close = getattr(self._backend, "aclose", None)
        if close is not None:
            await close()

    def _services(self, *, plan_only: bool = False) -> Services:
        s = self.settings
        return Services(backend=self.backend, max_repairs=s.max_repairs, confidence_threshold=s.confidence_threshold,
                        cache_dir=s.cache_dir, plan_only=plan_only)

    # -- tailoring and clarification ------------------------------------------------------------

    async def tailor(
        self, source: str | Path | None, intent: Intent | str | None, *, thread_id: str | None = None, ask: Ask | None = None,
        roots: Sequence[Path] | None = None,
    ) -> Envelope:
        """Tailor `source` for `intent` in a new thread; `ask` answers its clarification questions, if any.

        `thread_id` names the new thread (refused when that thread exists); `roots` confines it (see above).
        """
        if source is None or intent is None:
            raise DataClawError("a source and an intent are needed to start a thread")
        intent = Intent(text=intent) if isinstance(intent, str) else intent
        thread_id = thread_id or new_thread_id()
        log.info("thread %s: tailoring %s for %r", thread_id, source, intent.text)
        run = await self.threads.start(self._services(), source, intent, thread_id, roots=roots)
        return await self._clarified(self._envelope(run), ask, roots)

    async def answer(self, thread_id: str, answers: Answers, *, ask: Ask | None = None, roots: Sequence[Path] | None = None) -> Envelope:
        """Continue a thread waiting for clarification with the user's answers to its questions."""
        log.info("thread %s: answered %s", thread_id, answers)
        run = await self.threads.resume(self._services(), thread_id, answers, roots=roots)
        return await self._clarified(self._envelope(run), ask, roots)

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

    async def _clarified(self, envelope: Envelope, ask: Ask | None, roots: Sequence[Path] | None) -> Envelope:
        for _ in range(MAX_CLARIFY_ROUNDS):
            if envelope.status != "needs_clarification" or ask is None:
                break
            answers = await ask(envelope.questions)
            if not answers:
                break
            envelope = await self.answer(envelope.thread_id, answers, roots=roots)
        return envelope

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
            anchors = await asyncio.to_thread(extract, source, kinds=kinds, cache_dir=self.settings.cache_dir)
        return check_record(record, json_schema, list(anchors), source, repair=repair)


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
