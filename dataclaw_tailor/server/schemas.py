"""What `tools/list` says about each tool: the values an argument may take, and compact output schemas.

`describe` is applied to every tool when the server is built (`app.build_server`), so a tool added to the
server gets both rules without doing anything:

- An argument named after a registry lists its values as an `enum`, read from the registry at that
  moment: `task` (every task), `domain`, `kind` (a stream kind), `kinds` (an anchor kind or extractor
  name), `tasks` (task by stream kind). A host can show them as choices and an assistant picks a valid
  one without a `list_tasks` round trip; a plugin registered before the server starts is listed like a
  built-in. The tools still check every value they get (the registry's error names the valid ones).
- An output schema keeps its top-level fields, each with its description and its JSON type (and the
  values of an enum), and nothing below: a nested object (a validation summary, a question, provenance)
  speaks for itself in the structured content, and its full schema, repeated by every tool that returns
  it, made half of `tools/list`. Input schemas lose what repeats the obvious: property titles (the name
  again) and `"default": null` (leaving a property out of `required` says it may be omitted).
  bench/mcp_bench.py prints the size of `tools/list`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver.tools import Tool


def task_names() -> list[str]:
    from ..experts.registry import TASKS

    return TASKS.names()


def domain_names() -> list[str]:
    from ..experts.registry import EXPERTS

    return EXPERTS.names()


def stream_kinds() -> list[str]:
    from ..core import SourceKind

    return [k.value for k in SourceKind]


def anchor_kinds() -> list[str]:
    """What `kinds` may name: an extractor, or an anchor kind one of them makes."""
    from ..tools.registry import EXTRACTORS

    return sorted({name for ex in EXTRACTORS.values() for name in (ex.name, *ex.produces)})


CHOICES: dict[str, Callable[[], list[str]]] = {"task": task_names, "domain": domain_names, "kind": stream_kinds, "kinds": anchor_kinds}
"""Argument name -> its values. A `tasks` argument maps stream kinds (or '*') to tasks."""


def describe(tool: Tool) -> Tool:
    """`tool` with the enums filled in and its output schema made compact (both in place)."""
    for name, prop in tool.parameters.get("properties", {}).items():
        prop.pop("title", None)
        if "default" in prop and prop["default"] is None:
            del prop["default"]  # not in `required` already says it may be left out
        if name in CHOICES:
            _enum(prop, CHOICES[name]())
        elif name == "tasks":
            for branch in _branches(prop, "object"):
                branch["propertyNames"] = {"enum": [*stream_kinds(), "*"]}
                branch["additionalProperties"] = {"type": "string", "enum": task_names()}
    if tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = compact(tool.fn_metadata.output_schema)
    return tool


def _branches(prop: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The parts of a property's schema of JSON type `kind` (the property itself, or branches of `anyOf`)."""
    return [b for b in prop.get("anyOf", [prop]) if b.get("type") == kind]


def _enum(prop: dict[str, Any], values: list[str]) -> None:
    for branch in _branches(prop, "string"):
        branch["enum"] = values
    for branch in _branches(prop, "array"):
        branch["items"] = {"type": "string", "enum": values}


def compact(schema: dict[str, Any]) -> dict[str, Any]:
    """The top level of an object schema: each property's description and shallow type, no definitions."""
    defs = schema.get("$defs", {})
    out: dict[str, Any] = {"type": "object", "properties": {name: _shallow(prop, defs, top=True) for name, prop in schema.get("properties", {}).items()}}
    if schema.get("required"):
        out["required"] = schema["required"]
    return out


def _shallow(prop: dict[str, Any], defs: dict[str, Any], *, top: bool = False) -> dict[str, Any]:
    if "$ref" in prop:
        target = defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
        shallow = {"enum": target["enum"]} if "enum" in target else {"type": target.get("type", "object")}
    elif "anyOf" in prop:
        branches = [_shallow(b, defs) for b in prop["anyOf"]]
        unique = [b for i, b in enumerate(branches) if b not in branches[:i]]
        shallow = unique[0] if len(unique) == 1 else {"anyOf": unique}
    elif "enum" in prop or "const" in prop:
        shallow = {k: prop[k] for k in ("type", "enum", "const") if k in prop}
    else:
        shallow = {"type": prop["type"]} if "type" in prop else {}
    if top and prop.get("description"):
        shallow["description"] = prop["description"]
    return shallow
