"""Read-only resources: each task's JSON Schema and an example record, by URI.

An assistant reads `dataclaw://tasks/{task}/schema` before writing or checking a record for that
task, and the example to see what a good one looks like.
"""

from __future__ import annotations

import json

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError

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


def register_resources(server: MCPServer) -> None:
    server.resource(
        "dataclaw://tasks/{task}/schema", name="task-schema", mime_type="application/json",
        description="JSON Schema of a task's records (task names from `list_tasks`, e.g. gui.trajectory).",
    )(schema_resource)
    server.resource(
        "dataclaw://tasks/{task}/example", name="task-example", mime_type="application/json",
        description="An example record of a task, valid against its schema.",
    )(example_resource)
