"""The real server, driven in-process by the SDK client in both protocol modes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mcp import Client

from dataclaw_tailor.server.app import build_server
from dataclaw_tailor.server.config import ServerConfig
from dataclaw_tailor.server.roots import Roots

from ..conftest import EXAMPLES
from . import scenarios
from .conftest import FUZZY, MODES, TRACE, VIDEO, Answerer

pytestmark = pytest.mark.anyio


def server(tmp_path: Path):
    return build_server(ServerConfig(roots=Roots([EXAMPLES, tmp_path]), state_dir=tmp_path / "state"))


@pytest.mark.parametrize("mode", MODES)
async def test_tools_resources_prompt_and_examples(tmp_path, mode):
    async with Client(server(tmp_path), mode=mode) as client:
        await scenarios.lists_tools(client)
        await scenarios.reads_schema_resources(client)
        await scenarios.tailors_the_examples(client)
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert templates == {"dataclaw://tasks/{task}/schema", "dataclaw://tasks/{task}/example"}
        prompt = await client.get_prompt("tailor_dataset", {"path": "~/recordings", "goal": "GUI agent SFT"})
        assert "~/recordings" in prompt.messages[0].content.text and "list_tasks" in prompt.messages[0].content.text


@pytest.mark.parametrize("mode", MODES)
async def test_fuzzy_intent_is_clarified_by_elicitation(tmp_path, mode):
    answerer = Answerer()
    async with Client(server(tmp_path), mode=mode, elicitation_callback=answerer) as client:
        await scenarios.clarifies_by_elicitation(client, answerer)


@pytest.mark.parametrize("mode", MODES)
async def test_declined_elicitation_returns_the_questions(tmp_path, mode):
    async with Client(server(tmp_path), mode=mode, elicitation_callback=Answerer(action="decline")) as client:
        result = await client.call_tool("tailor", {"path": str(VIDEO), "intent": FUZZY})
    out = result.structured_content
    assert out["status"] == "needs_clarification" and out["thread_id"] and out["questions"][0]["id"] == "task"


@pytest.mark.parametrize("mode", MODES)
async def test_clarify_by_thread_id_survives_a_server_restart(tmp_path, mode):
    async with Client(server(tmp_path), mode=mode) as client:  # no elicitation support
        asked = (await client.call_tool("tailor", {"path": str(VIDEO), "intent": FUZZY})).structured_content
        checked = (await client.call_tool("clarify_intent", {"path": str(VIDEO), "intent": FUZZY})).structured_content
    assert asked["status"] == "needs_clarification" and asked["record"] is None
    assert checked["fuzzy"] and checked["questions"] == asked["questions"] and checked["route"]["confidence"] < 0.6
    async with Client(server(tmp_path), mode=mode) as client:  # a fresh server on the same state dir
        done = await client.call_tool("tailor", {"thread_id": asked["thread_id"], "answers": {"task": "daily.dense_captions"}})
    assert not done.is_error, done.content
    assert done.structured_content["status"] == "ok" and done.structured_content["thread_id"] == asked["thread_id"]
    assert done.structured_content["task"] == "daily.dense_captions"


@pytest.mark.parametrize("mode", MODES)
async def test_tailor_corpus_reports_progress_per_item(tmp_path, mode):
    async with Client(server(tmp_path), mode=mode) as client:
        await scenarios.reports_corpus_progress(client, tmp_path)


async def test_bad_calls_are_tool_errors_and_the_server_keeps_serving(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.mp4"
    outside.write_bytes(VIDEO.read_bytes())
    (tmp_path / "escape").symlink_to(outside)
    bad = {
        "malformed": {"path": 12, "intent": ["x"], "max_items": 0},
        "missing file": {"path": str(tmp_path / "nope.mp4"), "intent": "captions"},
        "outside roots": {"path": str(outside), "intent": "captions"},
        "dot-dot": {"path": f"{tmp_path}/../{outside.name}", "intent": "captions"},
        "symlink out": {"path": str(tmp_path / "escape"), "intent": "captions"},
        "unsupported": {"path": str(tmp_path / "notes.txt"), "intent": "captions"},
        "no source": {"intent": "captions"},
        "unknown thread": {"thread_id": "no-such-thread", "answers": {"task": "daily.dense_captions"}},
    }
    (tmp_path / "notes.txt").write_text("not a stream")
    async with Client(server(tmp_path)) as client:
        for case, args in bad.items():
            result = await client.call_tool("tailor", args)
            assert result.is_error, case
            text = result.content[0].text
            assert "Traceback" not in text and text.startswith("Error executing tool tailor"), (case, text)
        text = (await client.call_tool("tailor", bad["outside roots"])).content[0].text
        assert "outside the allowed roots" in text and outside.name in text
        text = (await client.call_tool("tailor", bad["missing file"])).content[0].text
        assert "no such file" in text
        listed = await client.call_tool("list_tasks", {})
        assert not listed.is_error and listed.structured_content["tasks"]


async def test_validate_record_and_extract_anchors(tmp_path):
    async with Client(server(tmp_path)) as client:
        anchors = (await client.call_tool("extract_anchors", {"path": str(VIDEO), "kinds": ["shot"]})).structured_content
        assert anchors["source"]["kind"] == "video" and anchors["counts"]["shot"] == 4
        record = (await client.call_tool("tailor", {"path": str(VIDEO), "intent": "dense captions"})).structured_content["record"]
        good = await client.call_tool("validate_record", {"record": record, "task": "daily.dense_captions", "path": str(VIDEO)})
        assert good.structured_content["valid"], good.structured_content["errors"]
        broken = json.dumps(record)[:-2]  # truncated JSON text
        record["events"][0]["end_s"] = 99.0
        fixed = await client.call_tool("validate_record", {"record": broken, "task": "daily.dense_captions", "path": str(VIDEO)})
        assert {r["action"] for r in fixed.structured_content["repairs"]} >= {"json_repair"}
        strict = await client.call_tool(
            "validate_record", {"record": record, "task": "daily.dense_captions", "path": str(VIDEO), "repair": False}
        )
        assert not strict.structured_content["valid"]
        assert any(e["path"].startswith("$.events[0]") for e in strict.structured_content["errors"])
        neither = await client.call_tool("validate_record", {"record": record})
        assert neither.is_error and "give `task`" in neither.content[0].text
        custom = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
        own = await client.call_tool("validate_record", {"record": '{"n": "3"', "task": "custom", "schema": custom})
        assert own.structured_content["valid"] and own.structured_content["record"] == {"n": 3}
        bad_schema = await client.call_tool("validate_record", {"record": {}, "schema": {"type": 5}})
        assert bad_schema.is_error and "not a valid JSON Schema" in bad_schema.content[0].text


async def test_tailor_writes_envelopes_inside_the_roots_only(tmp_path):
    out = tmp_path / "runs" / "gui.jsonl"
    async with Client(server(tmp_path)) as client:
        for _ in range(2):
            result = await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps", "out": str(out)})
            assert result.structured_content["written"] == str(out)
        refused = await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps", "out": "/tmp/../etc/x.json"})
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2 and all(e["status"] == "ok" and e["record"]["steps"] for e in lines)
    assert refused.is_error and "out: /tmp/../etc/x.json is outside the allowed roots" in refused.content[0].text


async def test_unknown_task_resources_are_errors_naming_the_task(tmp_path):
    from mcp.shared.exceptions import MCPError

    async with Client(server(tmp_path)) as client:
        for uri, words in (("dataclaw://tasks/nope.task/schema", "nope.task"), ("dataclaw://tasks/custom/schema", "own JSON Schema")):
            with pytest.raises(MCPError, match=words):
                await client.read_resource(uri)
        example = json.loads((await client.read_resource("dataclaw://tasks/custom/example")).contents[0].text)
        assert isinstance(example, dict)


async def test_sampling_backend_asks_the_clients_own_model(tmp_path):
    from mcp_types import CreateMessageResult, TextContent

    async with Client(server(tmp_path)) as client:
        good = (await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps"})).structured_content["record"]
    prompts: list[str] = []

    async def client_model(context, params) -> CreateMessageResult:
        blocks = params.messages[-1].content
        prompts.append("".join(b.text for b in (blocks if isinstance(blocks, list) else [blocks]) if b.type == "text"))
        return CreateMessageResult(role="assistant", model="client-llm", content=TextContent(type="text", text=json.dumps(good)))

    sampling = build_server(ServerConfig(roots=Roots([EXAMPLES]), state_dir=tmp_path / "s", backend="sampling"))
    async with Client(sampling, mode="legacy", sampling_callback=client_model) as client:
        done = await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps"})
    assert done.structured_content["status"] == "ok" and done.structured_content["record"] == good
    assert done.structured_content["provenance"]["backend"] == "sampling" and len(prompts) == 1
    assert "gui_event:0" in prompts[0]  # the anchors travel in the prompt
    async with Client(sampling, mode="auto", sampling_callback=client_model) as client:
        refused = await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps"})
    assert refused.is_error and "could not sample" in refused.content[0].text


@pytest.mark.devset
async def test_real_screenagent_trajectory_over_mcp(devset, tmp_path):
    trace = devset / "gui" / "screenagent-task101"
    real = build_server(ServerConfig(roots=Roots([devset]), state_dir=tmp_path / "state"))
    async with Client(real) as client:
        anchors = (await client.call_tool("extract_anchors", {"path": str(trace), "kinds": ["gui_event"]})).structured_content
        result = await client.call_tool("tailor", {"path": str(trace), "intent": "GUI agent SFT steps", "task": "gui.trajectory"})
    assert anchors["source"]["format"] and anchors["counts"]["gui_event"] >= 8
    out = result.structured_content
    assert out["status"] == "ok", out["validation"]
    assert out["record"]["steps"][0]["action"]["type"] == "double_click"


async def test_clear_intents_need_no_questions_and_tasks_filter_by_kind(tmp_path):
    async with Client(server(tmp_path)) as client:
        clear = (await client.call_tool("clarify_intent", {"path": str(TRACE), "intent": "GUI-agent SFT steps"})).structured_content
        gui = (await client.call_tool("list_tasks", {"kind": "gui_trace"})).structured_content["tasks"]
        every = (await client.call_tool("list_tasks", {})).structured_content["tasks"]
        wrong = await client.call_tool("list_tasks", {"kind": "podcast"})
    assert not clear["fuzzy"] and clear["route"]["task"] == "gui.trajectory" and not clear["questions"]
    assert clear["source"]["kind"] == "gui_trace"
    assert {t["name"] for t in gui} >= {"gui.trajectory", "gui.grounding"} and all("gui_trace" in t["source_kinds"] for t in gui)
    assert len(every) == 10 and all(t["schema_uri"] == f"dataclaw://tasks/{t['name']}/schema" for t in every)
    assert wrong.is_error and "podcast" in wrong.content[0].text


@pytest.mark.slow
async def test_three_tailor_calls_load_the_local_checkpoint_once(tmp_path, tiny_model, caplog):
    """The server's service builds the backend once per server run: the checkpoint loads once, not per call."""
    import logging

    caplog.set_level(logging.INFO, logger="dataclaw_tailor")
    options = {"model": str(tiny_model), "max_chars": 12, "max_items": 2, "threads": 1}
    local = build_server(ServerConfig(roots=Roots([EXAMPLES]), state_dir=tmp_path / "state", backend="local", backend_options=options))
    async with Client(local) as client:
        for _ in range(3):
            result = await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps", "task": "gui.trajectory"})
            assert not result.is_error, result.content
            assert result.structured_content["provenance"]["backend"] == "local"
    loads = [r for r in caplog.records if r.name == "dataclaw_tailor.model.local" and r.getMessage().startswith("loaded checkpoint")]
    assert len(loads) == 1


async def test_tailor_corpus_returns_questions_once_per_kind_and_takes_answers_by_kind(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(VIDEO, corpus / "a.mp4")
    (corpus / "a.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nA red frame.\n")
    shutil.copytree(TRACE, corpus / "b-trace")
    shutil.copytree(TRACE, corpus / "c-trace")
    async with Client(server(tmp_path), mode="auto") as client:
        first = (await client.call_tool("tailor_corpus", {"folder": str(corpus), "intent": FUZZY})).structured_content
        assert first["total"] == 3 and first["sidecars"] == 1
        assert first["needs_clarification"] > 0 and first["questions"]
        answers = {kind: "1" for kind in first["questions"]}
        again = await client.call_tool("tailor_corpus", {"folder": str(corpus), "intent": FUZZY, "answers": answers})
        assert not again.is_error, again.content
        assert again.structured_content["needs_clarification"] == 0
        bad = await client.call_tool("tailor_corpus", {"folder": str(corpus), "intent": FUZZY, "answers": {"vidoe": "1"}})
        assert bad.is_error and "not a source kind" in bad.content[0].text
