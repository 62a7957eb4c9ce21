"""Deterministic routing of (source, intent) to an expert task, with a confidence the graph can act on.

Misrouting is costly (a wrong schema wastes the whole synthesis), so the confidence is meant to be
honest: a fuzzy intent scores low and the graph asks instead of guessing.

Scoring:
1. An explicit task (`intent.task`, or a clarification answer `answers["task"]`) wins with confidence
   1.0; a task that does not apply to the source kind is an `InputError`. A custom JSON Schema in the
   intent selects `custom` the same way.
2. Otherwise the candidates are the tasks whose `source_kinds` include the source's kind (only those of
   `intent.domain` / `answers["domain"]` when one is named), `custom` excluded since it needs a schema.
3. Each candidate's evidence `e` sums keyword hits in the intent text (target use included): a hit on
   one of its expert's `keywords` adds the phrase's word count, a hit on one of the task's own
   `keywords` adds twice that. Matching is on whole words, case-insensitive, with punctuation
   ('-', '_', '/') read as spaces, a possessive "'s" dropped and an optional plural 's'. The task
   with the lowest declared `rank` for the source kind gets 0.25 so that ties resolve to the most
   common use of that kind; the ranks (`usual(kind)`) break the remaining ties.
4. With `E` the best evidence and `gap` its lead over the runner-up:
   `confidence = E / (E + 0.5) * (0.5 + 0.5 * gap / (gap + 1))` — strong evidence *and* a clear lead
   are both needed. The lead is absolute, so phrases that fit both ("questions" for two QA tasks)
   neither help nor hurt; one distinguishing word gives a lead of 1 (or 2 on a task's own keyword).
   No keyword at all gives 0.2 (the primary bonus alone). A single candidate (an edit sequence, or a
   named domain with one task for the kind) is certain: confidence 1.0.
5. `candidates` ranks every candidate by its share of the evidence, each smoothed by +0.5 so that
   candidates without hits still show as alternatives.
"""

from __future__ import annotations

import logging
import re

from pydantic import BaseModel, Field

from ..core import InputError, Intent, Source, SourceKind, TaskSpec
from .registry import EXPERTS, get_expert, get_task, tasks_for

log = logging.getLogger(__name__)

PRIMARY_BONUS = 0.25
"""Evidence the most common task for a source kind (lowest `rank`) starts with."""


def usual(kind: SourceKind) -> tuple[str, ...]:
    """The tasks that declare a rank for `kind`, most common first (equal ranks: registry order).

    The first gets `PRIMARY_BONUS`, and the order breaks ties among candidates, so a fuzzy intent
    lists the likeliest options first.
    """
    ranked = [t for t in tasks_for(kind) if kind in t.rank]
    return tuple(t.name for t in sorted(ranked, key=lambda t: t.rank[kind]))


class Route(BaseModel):
    domain: str = Field(description="Expert domain chosen.")
    task: str = Field(description="Task chosen, e.g. 'gui.trajectory'.")
    confidence: float = Field(ge=0, le=1, description="How sure the routing is; low means ask the user.")
    reasons: list[str] = Field(default_factory=list, description="Why: the explicit choice or the keywords that matched.")
    candidates: list[tuple[str, float]] = Field(default_factory=list, description="Candidate tasks ranked by score (share of evidence).")


def _normalise(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'s", "")) + " "


def _hits(text: str, phrases: tuple[str, ...]) -> list[str]:
    return [p for p in phrases if re.search(rf" {re.escape(_normalise(p).strip())}s? ", text)]


def _explicit(task: TaskSpec, source: Source, why: str) -> Route:
    if source.kind not in task.source_kinds:
        kinds = ", ".join(sorted(k.value for k in task.source_kinds))
        fitting = ", ".join(t.name for t in tasks_for(source.kind))
        raise InputError(source.path, f"task {task.name} takes {kinds} sources, not {source.kind.value}; tasks for it: {fitting}")
    return Route(domain=task.domain, task=task.name, confidence=1.0, reasons=[why], candidates=[(task.name, 1.0)])


def route(source: Source, intent: Intent) -> Route:
    named_task = intent.task or intent.answers.get("task")
    if named_task:
        return _explicit(get_task(named_task), source, f"task {named_task} named explicitly")
    if intent.schema_:
        return _explicit(get_task("custom"), source, "a custom JSON Schema was given")
    domain = intent.domain or intent.answers.get("domain")
    if domain == "custom":
        raise InputError("intent.schema", "the custom domain needs a JSON Schema describing the record to produce")
    candidates = [t for t in tasks_for(source.kind) if t.domain != "custom" and (domain is None or t.domain == domain)]
    if domain is not None:
        get_expert(domain)
    if not candidates:
        raise InputError(source.path, f"the {domain} expert has no task for {source.kind.value} sources")
    text = _normalise(" ".join(filter(None, [intent.text, intent.target_use])))
    evidence: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}
    order = usual(source.kind)
    for task in candidates:
        general = _hits(text, get_expert(task.domain).keywords)
        specific = _hits(text, task.keywords)
        score = sum(len(p.split()) for p in general) + 2 * sum(len(p.split()) for p in specific)
        if order and order[0] == task.name:
            score += PRIMARY_BONUS
        evidence[task.name] = score
        reasons[task.name] = [f"{task.domain} keyword '{p}'" for p in general] + [f"{task.name} keyword '{p}'" for p in specific]
    ranked = sorted(candidates, key=lambda t: (-evidence[t.name], order.index(t.name) if t.name in order else len(order)))
    best = ranked[0]
    top = evidence[best.name]
    second = evidence[ranked[1].name] if len(ranked) > 1 else 0.0
    if len(ranked) == 1:
        confidence = 1.0
    else:
        gap = top - second
        confidence = top / (top + 0.5) * (0.5 + 0.5 * gap / (gap + 1)) if top > 0 else 0.0
    total = sum(evidence.values()) + 0.5 * len(ranked)
    shares = [(t.name, round((evidence[t.name] + 0.5) / total, 3)) for t in ranked]
    why = reasons[best.name] or ["no keyword matched; defaulted to the most common task for this source kind"]
    why.insert(0, f"source kind {source.kind.value} fits {len(ranked)} task{'s' if len(ranked) != 1 else ''}")
    fitting = {t.domain for t in candidates}
    for expert in EXPERTS.values():
        named = _hits(text, expert.keywords)
        if named and expert.domain == "custom":
            why.append(f"the intent mentions a custom format ('{named[0]}') but gives no JSON Schema")
        elif named and expert.domain not in fitting:
            why.append(f"the intent names {expert.domain} ('{named[0]}'), which has no task for {source.kind.value} sources")
    log.debug("routed %s source to %s (confidence %.3f; candidates %s)", source.kind.value, best.name, confidence, shares)
    return Route(domain=best.domain, task=best.name, confidence=round(confidence, 3), reasons=why, candidates=shares)
