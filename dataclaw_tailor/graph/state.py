"""The graph's state and the services injected through LangGraph's runtime context.

State holds only JSON-native values (dicts of dumped pydantic models) so the SQLite checkpointer can
persist and resume it in another process without trusting pickled classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import or_
from typing import Annotated, Any, TypedDict

from ..model.base import Backend


class TailorState(TypedDict, total=False):
    source_path: str
    source: dict[str, Any]
    intent: dict[str, Any]
    domain: str
    task: str
    confidence: float
    reasons: list[str]
    candidates: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    anchors: list[dict[str, Any]]
    schema: dict[str, Any]
    messages: list[dict[str, Any]]
    draft: str
    record: Any
    report: dict[str, Any]
    attempts: int
    status: str
    timings: Annotated[dict[str, float], or_]


@dataclass
class Services:
    """Run-scoped services: the backend that writes drafts and the limits the graph obeys."""

    backend: Backend
    max_repairs: int = 2
    confidence_threshold: float = 0.6
    cache_dir: str | None = None
    extract_kinds: list[str] | None = field(default=None)
