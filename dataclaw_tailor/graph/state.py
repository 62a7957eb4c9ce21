"""The graph's state, its public input and output, and the services injected through the runtime context.

State holds only JSON-native values (dicts of dumped pydantic models) so the SQLite checkpointer can
persist and resume it in another process without trusting pickled classes. A run starts from
`TailorInput` and returns `TailorOutput`; the working values between nodes (the schema, the draft,
the repair count) stay inside.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from operator import or_
from typing import Annotated, Any

from typing_extensions import NotRequired, TypedDict

from ..core.slots import Slots
from ..model.base import Backend


class TailorInput(TypedDict):
    """What starts a thread: the path of the source and the user's intent (an `Intent` dumped by alias),
    and the folders the caller was confined to, if any (checked again whenever the thread resumes)."""

    source_path: str
    intent: dict[str, Any]
    roots: NotRequired[list[str]]


class TailorOutput(TypedDict, total=False):
    """What a run returns (plus LangGraph's `__interrupt__` while a clarification is pending)."""

    source: dict[str, Any]
    intent: dict[str, Any]
    domain: str
    task: str
    confidence: float
    reasons: list[str]
    candidates: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    anchors: list[dict[str, Any]]
    record: Any
    report: dict[str, Any]
    status: str
    versions: list[dict[str, Any]]
    timings: Annotated[dict[str, float], or_]


class TailorState(TailorOutput, total=False):
    source_path: str
    roots: list[str]
    schema: dict[str, Any]
    draft: str
    attempts: int


StepProgress = Callable[[str, dict[str, Any]], Awaitable[None]]
"""Told `(node, update)` after each step of a run."""


@dataclass(frozen=True)
class Services:
    """Run-scoped services: the backend that writes drafts and the limits the graph obeys.

    `plan_only` stops a run once the route is known (or pauses it at its clarification question):
    what checking an intent needs, without extracting anchors or writing a record. `extractions` bounds
    the anchor extractions running at once across every run that shares it (the service's). `progress`
    hears of each step as it finishes (its node name and the state it updated): an MCP call reports it.
    """

    backend: Backend
    max_repairs: int = 2
    confidence_threshold: float = 0.6
    cache_dir: str | None = None
    plan_only: bool = False
    extractions: Slots = field(default_factory=Slots)
    progress: StepProgress | None = None
