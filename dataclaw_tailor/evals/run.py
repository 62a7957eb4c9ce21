"""Run a benchmark: tailor every case through the application service (the real graph) and score it.

Clear-intent cases are tailored from the user's words alone (routing is part of what is measured).
When the system asks a question, the case's `answers` reply in the same thread, as a user would;
fuzzy-intent cases are expected to ask. With `host_written`, no backend writes the record: the scripted
assistant of `evals/hosted.py` writes it from the brief alone and submits it, as an assistant in an MCP
host would (`brief` -> `submit_record`); that row measures whether the brief carries what a record needs. A case that fails with an error scores zero and keeps its
error message, so a benchmark run always covers every case.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..core import DataClawError, Envelope, Intent, Question, ValidationSummary
from ..service import TailorService, task_schema
from .cases import BenchCase, load_cases, resolve_source
from .embed import require_eval_extra
from .hosted import write_from_brief
from .metrics import score_record

Progress = Callable[[int, int, str], Awaitable[None]]


class CaseResult(BaseModel):
    """One case's outcome and scores."""

    id: str
    domain: str
    task: str = Field(description="Task of the reference.")
    routed_task: str | None = Field(default=None, description="Task the system chose (after clarification).")
    fuzzy: bool
    asked: bool = Field(default=False, description="The system asked a clarification question.")
    status: str = Field(description="ok, invalid, needs_clarification (unanswered), or error.")
    valid_strict: bool = Field(default=False, description="Valid with no repair of any kind.")
    valid_repaired: bool = Field(default=False, description="Valid after the graph's repairs.")
    field: float = 0.0
    semantic: float = 0.0
    sequence: float = 0.0
    seconds: float = 0.0
    error: str = ""
    record: Any = None

    @property
    def overall(self) -> float:
        return (self.field + self.semantic + self.sequence) / 3


async def _tailor_case(case: BenchCase, source: str, service: TailorService) -> tuple[Envelope, bool]:
    """Tailor one case, answering clarification questions from `case.answers` as the user would."""
    asked = False

    async def answer(questions: list[Question]) -> dict[str, str]:
        nonlocal asked
        asked = True
        return {q.id: case.answers[q.id] for q in questions if q.id in case.answers}

    result = await service.tailor(source, Intent(text=case.intent), ask=answer)
    return result, asked


async def _host_written_case(case: BenchCase, source: str, service: TailorService) -> tuple[Envelope, bool]:
    """The scripted assistant's turn: a brief (clarified with the case's answers), a record from it, a submission."""
    made = await service.brief(source, Intent(text=case.intent))
    asked = made.status == "needs_clarification"
    if asked:
        answers = {q.id: case.answers[q.id] for q in made.questions if q.id in case.answers}
        if not answers:
            return Envelope(status="needs_clarification", thread_id=made.thread_id, questions=made.questions), asked
        made = await service.brief(thread_id=made.thread_id, answers=answers)
    record = write_from_brief(made.prompt, made.task, source, case.intent)
    sub = await service.submit(made.thread_id, record, model="scripted-assistant")
    if sub.accepted and sub.envelope is not None:
        return sub.envelope, asked
    return Envelope(status="invalid", record=sub.record, task=made.task, thread_id=made.thread_id,
                    validation=ValidationSummary(errors=sub.errors)), asked


async def run_case(case: BenchCase, source: str, service: TailorService, *, host_written: bool = False) -> CaseResult:
    start = time.perf_counter()
    base = {"id": case.id, "domain": case.domain, "task": case.task, "fuzzy": case.fuzzy}
    try:
        result, asked = await (_host_written_case if host_written else _tailor_case)(case, source, service)
    except DataClawError as exc:
        return CaseResult(**base, status="error", error=str(exc), seconds=time.perf_counter() - start)
    repairs = result.validation.repairs
    valid = result.status == "ok" and result.validation.valid
    scored = score_record(result.record if isinstance(result.record, dict) else None, case.reference, task_schema(case.task))
    return CaseResult(
        **base,
        routed_task=result.task,
        asked=asked,
        status=result.status,
        valid_strict=valid and not repairs,
        valid_repaired=valid,
        field=scored.field,
        semantic=scored.semantic,
        sequence=scored.sequence,
        seconds=time.perf_counter() - start,
        record=result.record,
    )


async def run_benchmark(
    bench: str | Path,
    service: TailorService,
    *,
    only: list[str] | None = None,
    progress: Progress | None = None,
    host_written: bool = False,
) -> list[CaseResult]:
    """Tailor and score every case of a benchmark file (sources are all resolved before anything runs).

    `host_written`: records are written by the scripted assistant from each brief instead of the backend.

    The threads a benchmark starts are scratch: give `service` a state dir of its own.
    """
    require_eval_extra()
    bench_path = Path(bench)
    cases = [c for c in load_cases(bench_path) if not only or c.id in only]
    sources = [resolve_source(c, bench_path) for c in cases]
    results: list[CaseResult] = []
    for i, (case, source) in enumerate(zip(cases, sources), 1):
        results.append(await run_case(case, source, service, host_written=host_written))
        if progress is not None:
            r = results[-1]
            await progress(i, len(cases), f"{case.id}: {r.status} overall {r.overall:.1f}" + (f" ({r.error})" if r.error else ""))
    return results


def evaluate(bench: str | Path, service: TailorService, **kwargs: Any) -> list[CaseResult]:
    """Synchronous `run_benchmark`."""
    return asyncio.run(run_benchmark(bench, service, **kwargs))
