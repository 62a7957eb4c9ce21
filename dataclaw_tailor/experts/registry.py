"""The registry of domain experts and their tasks: the one place that knows which tasks exist.

Graph, CLI, MCP server, training and evals look tasks up here by name (`gui.trajectory`) and never
import a domain module directly.
"""

from __future__ import annotations

from ..core import SourceKind, TaskSpec, UnknownTask
from . import aigc, custom, daily, education, embodied, gui
from .common import Expert

EXPERTS: dict[str, Expert] = {e.domain: e for e in (gui.EXPERT, embodied.EXPERT, daily.EXPERT, education.EXPERT, aigc.EXPERT, custom.EXPERT)}
_TASKS: dict[str, TaskSpec] = {t.name: t for e in EXPERTS.values() for t in e.tasks}


def list_tasks() -> list[TaskSpec]:
    """Every task, grouped by expert in registry order."""
    return list(_TASKS.values())


def get_task(name: str) -> TaskSpec:
    try:
        return _TASKS[name]
    except KeyError:
        raise UnknownTask(f"unknown task {name!r}; choose one of {', '.join(_TASKS)}") from None


def get_expert(domain: str) -> Expert:
    try:
        return EXPERTS[domain]
    except KeyError:
        raise UnknownTask(f"unknown domain {domain!r}; choose one of {', '.join(EXPERTS)}") from None


def tasks_for(kind: SourceKind | str) -> list[TaskSpec]:
    """Tasks that make sense for a source kind (`custom` applies to every kind)."""
    kind = SourceKind(kind)
    return [t for t in _TASKS.values() if kind in t.source_kinds]
