"""The registry of domain experts and their tasks: the one place that knows which tasks exist.

Graph, CLI, MCP server, training and evals look tasks up here by name (`gui.trajectory`) and never
import a domain module directly. The built-in domains are imported on the first lookup, in the order
of `BUILTIN_DOMAINS` (which is the order `list_tasks` and `claw tasks` show).

Adding a task to a domain: declare a `TaskSpec` in the domain's module (with its `keywords`, `rank`,
`export_unit` and `examples=examples_of("<domain>")`), add it to the module's `TASKS`, and put its
example record under `records` in `experts/examples/<domain>.json`. Adding a domain: a module defining
`EXPERT`, named in `BUILTIN_DOMAINS` (or registered by a plugin with `register_expert`).
"""

from __future__ import annotations

import logging
from importlib import import_module

from ..core import SourceKind, TaskSpec, UnknownTask
from ..core.registry import Registry
from .common import Expert

log = logging.getLogger(__name__)

BUILTIN_DOMAINS = ("gui", "embodied", "daily", "education", "aigc", "custom")


def _register_builtin_domains() -> None:
    for name in BUILTIN_DOMAINS:
        register_expert(import_module(f"{__package__}.{name}").EXPERT)


EXPERTS: Registry[Expert] = Registry("domain", builtins=_register_builtin_domains, unknown=UnknownTask)
TASKS: Registry[TaskSpec] = Registry("task", builtins=EXPERTS.names, unknown=UnknownTask)
"""Every task of every registered expert (filled as the experts register)."""


def register_expert(expert: Expert) -> Expert:
    """Register a domain expert and its tasks; a taken domain or task name raises DuplicateName."""
    for task in expert.tasks:
        if task.domain != expert.domain:
            raise ValueError(f"task {task.name} declares domain {task.domain!r} but belongs to expert {expert.domain!r}")
    EXPERTS.add(expert.domain, expert, expert.description)
    for task in expert.tasks:
        TASKS.add(task.name, task, task.description)
    log.debug("registered domain %s with tasks %s", expert.domain, ", ".join(t.name for t in expert.tasks))
    return expert


def list_tasks() -> list[TaskSpec]:
    """Every task, grouped by expert in registry order."""
    return TASKS.values()


def get_task(name: str) -> TaskSpec:
    return TASKS.get(name)


def get_expert(domain: str) -> Expert:
    return EXPERTS.get(domain)


def tasks_for(kind: SourceKind | str) -> list[TaskSpec]:
    """Tasks that make sense for a source kind (`custom` applies to every kind)."""
    kind = SourceKind(kind)
    return [t for t in TASKS.values() if kind in t.source_kinds]
