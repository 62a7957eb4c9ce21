"""Conversations every transport must carry the same way (in-process, stdio, HTTP; both protocol modes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
from mcp import Client

from .conftest import FUZZY, TRACE, VIDEO, Answerer

TOOLS = {"tailor", "clarify_intent", "extract_anchors", "validate_record", "list_tasks", "tailor_corpus", "export_dataset", "view_record",
         "brief", "submit_record", "tailor_by_sampling", "refine_record"}


async def lists_tools(client: Client) -> None:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.output_schema, tool.name
        for name, prop in tool.input_schema["properties"].items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"


async def tailors_the_examples(client: Client) -> None:
    gui = await client.call_tool("tailor", {"path": str(TRACE), "intent": "turn this screen recording into GUI-agent SFT steps"})
    assert not gui.is_error, gui.content
    out = gui.structured_content
    assert out["status"] == "ok" and out["task"] == "gui.trajectory" and out["validation"]["valid"]
    assert out["validation"]["schema_valid"] and out["validation"]["grounded"] and out["validation"]["parsed"]
    trace = json.loads((TRACE / "trace.json").read_text())
    assert [s["action"]["type"] for s in out["record"]["steps"]] == [s["action"]["type"] for s in trace["steps"]]
    steps: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        steps.append((progress, total, message))

    video = await client.call_tool("tailor", {"path": str(VIDEO), "intent": "dense captions for this video"}, progress_callback=on_progress)
    assert not video.is_error, video.content
    assert video.structured_content["status"] == "ok" and video.structured_content["task"] == "daily.dense_captions"
    assert len(video.structured_content["record"]["events"]) == 4  # three known cuts
    assert [(p, t) for p, t, _ in steps] == [(1, 4), (2, 4), (3, 4), (4, 4)]  # inspect, extract, tailor, validate
    assert steps[0][2] == "inspected: video (mp4)" and steps[1][2].startswith("extracted ") and steps[3][2] == "validated: no problems"


async def clarifies_by_elicitation(client: Client, answerer: Answerer) -> None:
    result = await client.call_tool("tailor", {"path": str(VIDEO), "intent": FUZZY})
    assert not result.is_error, result.content
    assert result.structured_content["status"] == "ok"
    assert result.structured_content["task"] == "daily.dense_captions"
    assert answerer.asked, "the user was never asked"
    options = answerer.asked[-1]["schema"]["properties"]["task"]["enum"]
    assert "daily.dense_captions" in options and len(options) >= 2


async def reads_schema_resources(client: Client) -> None:
    schema = json.loads((await client.read_resource("dataclaw://tasks/gui.trajectory/schema")).contents[0].text)
    example = json.loads((await client.read_resource("dataclaw://tasks/gui.trajectory/example")).contents[0].text)
    assert schema["type"] == "object"
    jsonschema.validate(example, schema)


async def reports_corpus_progress(client: Client, tmp: Path) -> None:
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copytree(TRACE, corpus / "a-trace")
    shutil.copytree(TRACE, corpus / "b-trace")
    (corpus / "c-notes.txt").write_text("not a stream")
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    result = await client.call_tool(
        "tailor_corpus", {"folder": str(corpus), "intent": "GUI-agent SFT steps", "task": "gui.trajectory", "concurrency": 1},
        progress_callback=on_progress,
    )
    assert not result.is_error, result.content
    summary = result.structured_content
    assert (summary["total"], summary["ok"], summary["errors"]) == (3, 2, 1)
    failed = [i for i in summary["items"] if i["status"] == "error"]
    assert failed[0]["source"].endswith("c-notes.txt") and failed[0]["error"]
    assert sorted(p for p, _, _ in seen) == [1, 2, 3] and {t for _, t, _ in seen} == {3}
    lines = Path(summary["records_path"]).read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["task"] == "gui.trajectory" for line in lines)

    exported = await client.call_tool(
        "export_dataset", {"records": summary["records_path"], "format": "openai", "out": str(tmp / "sft.jsonl")}
    )
    assert not exported.is_error, exported.content
    steps = len(json.loads((TRACE / "trace.json").read_text())["steps"])
    assert exported.structured_content["records"] == 2 and exported.structured_content["samples"] >= 2 * steps - 2
    rows = [json.loads(line) for line in (tmp / "sft.jsonl").read_text().splitlines()]
    assert len(rows) == exported.structured_content["samples"] and rows[0]["messages"][-1]["role"] == "assistant"
