"""Read-only resources: each task's JSON Schema and an example record, by URI.

An assistant reads `dataclaw://tasks/{task}/schema` before writing or checking a record for that
task, and the example to see what a good one looks like. A host completes `{task}` as the user types
(`completion/complete`), from the task registry.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp_types import Completion, CompletionArgument, ResourceTemplateReference

from ..core import UnknownTask


def _spec(task: str):
    from ..experts.registry import get_task

    try:
        return get_task(task)
    except UnknownTask as exc:
        raise ResourceError(f"dataclaw://tasks/{task}: {exc}") from exc


def schema_resource(task: str) -> str:
    from ..service import task_schema

    spec = _spec(task)
    if spec.model is None:
        raise ResourceError(f"dataclaw://tasks/{task}/schema: task {task!r} takes the caller's own JSON Schema")
    return json.dumps(task_schema(spec.name), indent=2)


def example_resource(task: str) -> str:
    return json.dumps(_spec(task).example, indent=2, ensure_ascii=False)


SCHEMA_URI = "dataclaw://tasks/{task}/schema"
EXAMPLE_URI = "dataclaw://tasks/{task}/example"
MAX_COMPLETIONS = 100
"""The most values one completion answer may carry (the MCP limit)."""


async def complete_task(ref: Any, argument: CompletionArgument, context: Any) -> Completion | None:
    """Task names that start with what was typed: for the schema template only tasks with a schema of their own."""
    if not isinstance(ref, ResourceTemplateReference) or ref.uri not in (SCHEMA_URI, EXAMPLE_URI) or argument.name != "task":
        return None
    from ..experts.registry import list_tasks

    names = [t.name for t in list_tasks() if t.name.startswith(argument.value) and (ref.uri == EXAMPLE_URI or t.model is not None)]
    return Completion(values=names[:MAX_COMPLETIONS], total=len(names), has_more=len(names) > MAX_COMPLETIONS)


def register_resources(server: MCPServer) -> None:
    server.resource(
        SCHEMA_URI, name="task-schema", title="Task record schema", mime_type="application/json",
        description="JSON Schema of a task's records (task names from `list_tasks`, e.g. gui.trajectory).",
    )(schema_resource)
    server.resource(
        EXAMPLE_URI, name="task-example", title="Task example record", mime_type="application/json",
        description="An example record of a task, valid against its schema.",
    )(example_resource)
    server.completion()(complete_task)
