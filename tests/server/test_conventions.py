"""What hosts expect of a server beyond its tools: choices in input schemas, compact tools/list, titles and
completion on resource templates, the logging capability (both protocol generations), a fast first
tools/list. Progress for single `tailor` calls is checked on every transport in `scenarios.tailors_the_examples`."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp_types import ResourceTemplateReference

from dataclaw_tailor.core import SourceKind
from dataclaw_tailor.experts.registry import EXPERTS, TASKS
from dataclaw_tailor.export.formats import ExportFormat
from dataclaw_tailor.server.app import build_server
from dataclaw_tailor.server.config import ServerConfig
from dataclaw_tailor.server.roots import Roots

from ..conftest import EXAMPLES, ROOT
from .conftest import MODES, TRACE

pytestmark = pytest.mark.anyio
GUI = "GUI-agent SFT steps"


def server(tmp_path: Path):
    return build_server(ServerConfig(roots=Roots([EXAMPLES, tmp_path]), state_dir=tmp_path / "state"))


def enum_of(prop: dict) -> list:
    branch = next(b for b in prop.get("anyOf", [prop]) if b.get("type") in ("string", "array") or "enum" in b or "$ref" in b)
    return branch.get("enum") or branch.get("items", {}).get("enum") or []


async def test_registry_arguments_list_their_values(tmp_path):
    async with Client(server(tmp_path)) as client:
        tools = {t.name: t.input_schema for t in (await client.list_tools()).tools}
    tasks, kinds = TASKS.names(), [k.value for k in SourceKind]
    for name, schema in tools.items():
        props = schema["properties"]
        if "task" in props:
            assert enum_of(props["task"]) == tasks, name
        if "domain" in props:
            assert enum_of(props["domain"]) == EXPERTS.names(), name
    assert enum_of(tools["list_tasks"]["properties"]["kind"]) == kinds
    assert {"shot", "ocr", "gui_event", "video"} <= set(enum_of(tools["extract_anchors"]["properties"]["kinds"]))
    fmt = tools["export_dataset"]["properties"]["format"]
    assert (fmt.get("enum") or tools["export_dataset"]["$defs"][fmt["$ref"].rsplit("/", 1)[-1]]["enum"]) == [f.value for f in ExportFormat]
    by_kind = next(b for b in tools["tailor_corpus"]["properties"]["tasks"]["anyOf"] if b.get("type") == "object")
    assert by_kind["propertyNames"]["enum"] == [*kinds, "*"] and by_kind["additionalProperties"]["enum"] == tasks


async def test_a_value_outside_the_enum_is_still_refused_by_the_tool(tmp_path):
    async with Client(server(tmp_path)) as client:
        result = await client.call_tool("tailor", {"path": str(TRACE), "intent": GUI, "task": "gui.nope"})
    assert result.is_error and "gui.nope" in result.content[0].text


async def test_tools_list_is_compact_and_structured_content_still_matches(tmp_path):
    async with Client(server(tmp_path)) as client:
        listed = (await client.list_tools()).tools
        size = len(json.dumps([t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in listed]))
        result = await client.call_tool("tailor", {"path": str(TRACE), "intent": GUI})  # the client validates it
    assert size < 36_000, size  # 66 KB before: full output schemas with their $defs
    for tool in listed:
        text = json.dumps(tool.output_schema)
        assert "$defs" not in text and "$ref" not in text and not any("properties" in p for p in tool.output_schema["properties"].values()), tool.name
        assert not any("title" in p for p in tool.input_schema["properties"].values()), tool.name
    assert not result.is_error and result.structured_content["validation"]["valid"]


@pytest.mark.parametrize("mode", MODES)
async def test_resource_templates_have_titles_and_complete_task_names(tmp_path, mode):
    async with Client(server(tmp_path), mode=mode) as client:
        templates = {t.uri_template: t.title for t in (await client.list_resource_templates()).resource_templates}
        schema = await client.complete(ResourceTemplateReference(uri="dataclaw://tasks/{task}/schema"), {"name": "task", "value": "gui."})
        example = await client.complete(ResourceTemplateReference(uri="dataclaw://tasks/{task}/example"), {"name": "task", "value": "cu"})
        no_schema = await client.complete(ResourceTemplateReference(uri="dataclaw://tasks/{task}/schema"), {"name": "task", "value": "cu"})
    assert all(templates.values()) and len(templates) == 2
    assert schema.completion.values == ["gui.trajectory", "gui.grounding"] and schema.completion.has_more is False
    assert example.completion.values == ["custom"] and no_schema.completion.values == []  # custom has no schema of its own


def messages(seen: list) -> list[str]:
    return [p.data for p in seen]


@pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")  # logging/setLevel: a 2025-protocol method
async def test_log_records_reach_a_legacy_client_at_the_level_it_set(tmp_path):
    seen: list = []
    level_before = logging.getLogger("dataclaw_tailor").level

    async def on_log(params) -> None:
        seen.append(params)

    async with Client(server(tmp_path), mode="legacy", logging_callback=on_log) as client:
        assert client.server_capabilities.logging is not None
        await client.call_tool("tailor", {"path": str(TRACE), "intent": GUI})
        quiet = list(seen)  # warning and above until the client sets a level: a clean run says nothing
        await client.set_logging_level("info")
        await client.call_tool("tailor", {"path": str(TRACE), "intent": GUI})
        informed = list(seen)
        await client.set_logging_level("error")
        await client.call_tool("tailor", {"path": str(TRACE), "intent": GUI})
    assert quiet == []
    assert any("routed to gui.trajectory" in m for m in messages(informed)) and {p.level for p in informed} == {"info"}
    assert {p.logger for p in informed} >= {"dataclaw_tailor.graph.nodes"}
    assert seen == informed  # nothing below error after `error`
    assert logging.getLogger("dataclaw_tailor").level == level_before  # the operator's level is back


async def test_log_records_reach_a_2026_client_only_when_its_request_opts_in(tmp_path):
    seen: list = []

    async def on_log(params) -> None:
        seen.append(params)

    async with Client(server(tmp_path), mode="auto", logging_callback=on_log) as client:
        await client.call_tool("tailor", {"path": str(TRACE), "intent": GUI})
    assert seen == []
    async with Client(server(tmp_path), mode="auto", logging_callback=on_log, log_level="debug") as client:
        await client.call_tool("tailor", {"path": str(TRACE), "intent": GUI})
    assert any("routed to gui.trajectory" in m for m in messages(seen)) and "debug" in {p.level for p in seen}


async def test_log_messages_name_no_path_outside_the_roots(tmp_path):
    seen: list = []

    async def on_log(params) -> None:
        seen.append(params)

    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere" / "secret.mp4"
    noisy = logging.getLogger("dataclaw_tailor.tests")
    inside_only = build_server(ServerConfig(roots=Roots([tmp_path / "root"]), state_dir=tmp_path / "state"))
    inside_only.add_tool(lambda: noisy.warning("read %s and %s", outside, tmp_path / "root" / "a.mp4") or "ok", name="noisy")
    async with Client(inside_only, mode="legacy", logging_callback=on_log) as client:
        await client.call_tool("noisy", {})
    assert messages(seen) == [f"read <a path outside the allowed roots> and {tmp_path / 'root' / 'a.mp4'}"]


def test_the_first_tools_list_loads_none_of_the_tailoring_machinery(tmp_path):
    """What keeps cold start near a bare SDK server's (bench/mcp_bench.py measures the ratio)."""
    script = f"""
import sys, anyio
from pathlib import Path
from mcp import Client
from dataclaw_tailor.server.app import build_server
from dataclaw_tailor.server.config import ServerConfig
from dataclaw_tailor.server.roots import Roots

async def main():
    async with Client(build_server(ServerConfig(roots=Roots([{str(EXAMPLES)!r}]), state_dir=Path({str(tmp_path)!r})))) as client:
        assert len((await client.list_tools()).tools) >= 12
anyio.run(main)
heavy = ("langgraph", "langchain_core", "numpy", "PIL", "jsonschema", "dataclaw_tailor.graph", "dataclaw_tailor.service.tailoring")
print(sorted(m for m in heavy if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
