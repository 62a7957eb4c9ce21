"""The graph's nodes: each a small function from state to a partial state update.

inspect -> route -> (clarify) -> extract -> tailor -> validate (-> repair -> validate, bounded).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from ..core import Anchor, GenerationRequest, Intent, Message, Source, TailorContext
from ..core.validate import check_record
from ..experts.registry import get_task
from ..experts.routing import route as route_intent
from ..model.base import Backend
from ..model.prompt import serving_request
from ..tools import detect, extract
from ..tools.registry import applicable
from .clarify import resolve_answers, task_question
from .state import Services, TailorState

log = logging.getLogger(__name__)

Node = Callable[[TailorState, Runtime[Services]], Awaitable[dict[str, Any]]]


def timed(name: str) -> Callable[[Node], Node]:
    """Record each node's wall time under `timings[name]` (summed over repeats such as repairs), and tell
    the run's `progress` (if any) that the step finished."""

    def deco(fn: Node) -> Node:
        @wraps(fn)
        async def wrapper(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
            start = time.perf_counter()
            update = await fn(state, runtime)
            took = time.perf_counter() - start
            log.debug("node %s took %.3f s", name, took)
            spent = took + state.get("timings", {}).get(name, 0.0)
            if runtime.context.progress is not None:
                await runtime.context.progress(name, update)
            return {**update, "timings": {name: round(spent, 4)}}

        return wrapper

    return deco


def _context(state: TailorState) -> TailorContext:
    return TailorContext(
        source=Source.model_validate(state["source"]),
        intent=Intent.model_validate(state["intent"]),
        anchors=[Anchor.model_validate(a) for a in state.get("anchors", [])],
        task=state["task"],
    )


@timed("inspect")
async def inspect_source(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
    source = await asyncio.to_thread(detect, state["source_path"])
    log.info("%s: %s (%s)", source.path, source.kind.value, source.format)
    return {"source": source.model_dump(mode="json"), "attempts": 0}


@timed("route")
async def route(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
    decision = route_intent(Source.model_validate(state["source"]), Intent.model_validate(state["intent"]))
    log.info("routed to %s (confidence %.2f)", decision.task, decision.confidence)
    return {
        "domain": decision.domain,
        "task": decision.task,
        "confidence": decision.confidence,
        "reasons": list(decision.reasons),
        "candidates": [{"task": t, "score": s} for t, s in decision.candidates],
    }


def after_route(state: TailorState, runtime: Runtime[Services]) -> str:
    if state["confidence"] < runtime.context.confidence_threshold:
        return "clarify"
    return END if runtime.context.plan_only else "extract"


async def clarify(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
    """Pause the thread with concrete questions; the resume value carries the answers."""
    questions = [task_question(state["candidates"], state["source"]["kind"])]
    log.info("asking: %s", "; ".join(q["text"] for q in questions))
    raw = interrupt({"questions": questions, "reasons": state.get("reasons", [])})
    answers = resolve_answers(questions, raw)
    intent = dict(state["intent"])
    intent["answers"] = {**intent.get("answers", {}), **answers}
    if "task" in answers:
        intent["task"] = answers["task"]
        intent["domain"] = get_task(answers["task"]).domain
    return {"intent": intent, "questions": questions}


@timed("extract")
async def extract_anchors(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
    source = Source.model_validate(state["source"])
    wanted = applicable(get_task(state["task"]).extractors, source.kind)
    anchors = await runtime.context.extractions.run(extract, source, kinds=wanted, cache_dir=runtime.context.cache_dir)
    log.info("%d anchors (%s)", len(anchors), ", ".join(wanted) if wanted else "default extractors")
    return {"anchors": [a.model_dump(mode="json") for a in anchors]}


def _request(state: TailorState, backend: Backend, schema: dict[str, Any]) -> GenerationRequest:
    """What this backend reads: the served prompt for a model, the context and synthesiser for rules.

    Building a prompt specialises the schema and resizes images, which a backend that never reads
    prompts must not pay for (nor leave behind in a temp folder).
    """
    ctx, spec = _context(state), get_task(state["task"])
    if backend.reads_prompt:
        return serving_request(ctx, spec, schema)
    return GenerationRequest(messages=[], json_schema=schema, task=spec.name, context=ctx, synthesize=spec.synthesize)


@timed("tailor")
async def tailor(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
    intent = Intent.model_validate(state["intent"])
    schema = get_task(state["task"]).json_schema(intent.schema_)
    backend = runtime.context.backend
    draft = await backend.generate(_request(state, backend, schema))
    return {"schema": schema, "draft": draft}


@timed("validate")
async def validate(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
    ctx = _context(state)
    checked = check_record(state["draft"], state["schema"], ctx.anchors, ctx.source)
    report = checked.report
    status = "ok" if report.valid else "invalid"
    log.info("record %s: %d errors, %d repairs", status, len(report.errors), len(report.repairs))
    return {"record": checked.record, "report": report.model_dump(mode="json"), "status": status}


def after_validate(state: TailorState, runtime: Runtime[Services]) -> str:
    if state["status"] == "ok" or state.get("attempts", 0) >= runtime.context.max_repairs:
        return "done"
    return "repair"


@timed("repair")
async def repair(state: TailorState, runtime: Runtime[Services]) -> dict[str, Any]:
    """Re-ask the backend with the located errors; deterministic fixes already ran in validate."""
    backend = runtime.context.backend
    request = _request(state, backend, state["schema"])
    errors = "\n".join(f"- {e['path']}: {e['message']}" for e in state["report"]["errors"])
    request.messages += [
        Message.text("assistant", state["draft"]),
        Message.text("user", f"That JSON has these problems:\n{errors}\nReturn the corrected JSON object only."),
    ]
    attempt = state.get("attempts", 0) + 1
    log.info("repair %d of %d: re-asking %s with %d located errors", attempt, runtime.context.max_repairs, backend.name,
             len(state["report"]["errors"]))
    draft = await backend.generate(request)
    return {"draft": draft, "attempts": attempt}
