"""The assistant as the tailor: the real SDK client plays the assistant against the real server, in both protocol modes.

`brief` -> `submit_record` (host-written records), `tailor_by_sampling` (the client's model through the
SDK's `Sample` resolver marker) and `refine_record`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from mcp import Client
from mcp_types import CreateMessageResult, TextContent

from dataclaw_tailor.evals.hosted import write_from_brief
from dataclaw_tailor.server.app import build_server
from dataclaw_tailor.server.config import ServerConfig
from dataclaw_tailor.server.roots import Roots

from ..conftest import EXAMPLES
from .conftest import FUZZY, MODES, VIDEO

pytestmark = pytest.mark.anyio

INTENT = "dense captions for this video"


def server(tmp_path: Path, backend: str = "rules"):
    return build_server(ServerConfig(roots=Roots([EXAMPLES, tmp_path]), state_dir=tmp_path / "state", backend=backend))


async def _brief(client: Client) -> tuple[dict, list]:
    result = await client.call_tool("brief", {"path": str(VIDEO), "intent": INTENT})
    assert not result.is_error, result.content
    return result.structured_content, result.content


@pytest.mark.parametrize("mode", MODES)
async def test_brief_then_submit_refuses_with_hints_and_accepts_the_fix(tmp_path, mode):
    out = tmp_path / "records.jsonl"
    async with Client(server(tmp_path), mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert "submit_record" in tools["brief"].description and "brief" in tools["submit_record"].description
        brief, content = await _brief(client)
        assert brief["status"] == "ready" and brief["task"] == "daily.dense_captions" and brief["thread_id"]
        images = [c for c in content if c.type == "image"]
        assert len(images) == len(brief["images"]) == 4 and all(i.mime_type.startswith("image/") and i.data for i in images)
        schema = brief["json_schema"]
        event = schema["$defs"]["CaptionEvent"]["properties"]
        assert event["end_s"]["maximum"] == 10.0 and "shot:0" in json.dumps(event["anchor_ids"])
        assert "shot:0" in brief["anchor_ids"] and '{"id":"ocr:0"' in brief["prompt"]
        assert "Example record" in brief["prompt"] and "thread_id" in content[0].text

        good = write_from_brief(brief["prompt"], brief["task"], str(VIDEO), INTENT)
        bad = copy.deepcopy(good)
        bad["events"][0]["anchor_ids"] = ["shot:0", "shot:42"]
        bad["events"][1]["end_s"] = 12.5
        del bad["events"][2]["caption"]
        refused = await client.call_tool("submit_record", {"thread_id": brief["thread_id"], "record": bad})
        assert not refused.is_error, refused.content
        verdict = refused.structured_content
        assert not verdict["accepted"] and verdict["result"] is None and not out.exists()
        located = {(e["path"], e["code"]) for e in verdict["errors"]}
        assert ("$.events[0].anchor_ids", "unknown_anchor") in located
        assert ("$.events[1].end_s", "time_range") in located
        assert ("$.events[2]", "schema") in located
        assert len(verdict["hints"]) == len(verdict["errors"])
        hint = dict(zip([e["path"] for e in verdict["errors"]], verdict["hints"], strict=True))
        assert "shot:0" in hint["$.events[0].anchor_ids"] and "[0, 10.0]" in hint["$.events[1].end_s"]
        assert "caption" in hint["$.events[2]"]

        accepted = await client.call_tool(
            "submit_record", {"thread_id": brief["thread_id"], "record": good, "model": "test-assistant", "out": str(out)},
        )
        verdict = accepted.structured_content
        assert verdict["accepted"] and verdict["errors"] == []
        result = verdict["result"]
        assert result["status"] == "ok" and result["validation"]["valid"] and result["validation"]["grounded"]
        assert result["record"]["events"] == good["events"] and result["thread_id"] == brief["thread_id"]
        assert result["provenance"]["backend"] == "host" and result["provenance"]["model_id"] == "test-assistant"
    stored = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(stored) == 1 and stored[0]["status"] == "ok" and stored[0]["record"] == result["record"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_fuzzy_brief_asks_first(tmp_path, mode):
    async with Client(server(tmp_path), mode=mode) as client:
        asked = (await client.call_tool("brief", {"path": str(VIDEO), "intent": FUZZY})).structured_content
        assert asked["status"] == "needs_clarification" and asked["questions"][0]["id"] == "task" and asked["json_schema"] == {}
        ready = await client.call_tool("brief", {"thread_id": asked["thread_id"], "answers": {"task": "daily.dense_captions"}})
        assert not ready.is_error, ready.content
        assert ready.structured_content["status"] == "ready" and ready.structured_content["task"] == "daily.dense_captions"
        early = await client.call_tool("submit_record", {"thread_id": "0" * 32, "record": {}})
        assert early.is_error and "unknown thread" in early.content[0].text


class Model:
    """A sampling callback standing in for the client's model: answers each request with the next reply."""

    def __init__(self, replies: list[str]):
        self.replies = replies
        self.asked: list = []

    async def __call__(self, context, params) -> CreateMessageResult:
        self.asked.append(params)
        text = self.replies[min(len(self.asked), len(self.replies)) - 1]
        return CreateMessageResult(role="assistant", content=TextContent(type="text", text=text), model="test-model-7b")


def _good(prompt: str) -> dict:
    return write_from_brief(prompt, "daily.dense_captions", str(VIDEO), INTENT)


async def _prompt(tmp_path: Path) -> str:
    async with Client(server(tmp_path), mode="auto") as client:
        return (await _brief(client))[0]["prompt"]


@pytest.mark.parametrize("mode", MODES)
async def test_sampling_valid_record(tmp_path, mode):
    model = Model([json.dumps(_good(await _prompt(tmp_path)))])
    async with Client(server(tmp_path), mode=mode, sampling_callback=model) as client:
        result = await client.call_tool("tailor_by_sampling", {"path": str(VIDEO), "intent": INTENT, "out": str(tmp_path / "r.json")})
    assert not result.is_error, result.content
    out = result.structured_content
    assert out["status"] == "ok" and out["samples"] == 1 and len(model.asked) == 1
    assert out["result"]["provenance"]["backend"] == "sampling" and out["result"]["provenance"]["model_id"] == "test-model-7b"
    assert out["result"]["validation"]["valid"] and json.loads((tmp_path / "r.json").read_text())["status"] == "ok"
    sent = model.asked[0]
    assert sent.system_prompt and any(getattr(c, "type", "") == "image" for c in sent.messages[0].content)


@pytest.mark.parametrize("mode", MODES)
async def test_sampling_fenced_record_with_trailing_comma_is_repaired(tmp_path, mode):
    text = json.dumps(_good(await _prompt(tmp_path)), indent=1)
    fenced = "Here it is:\n```json\n" + text[:-1].rstrip() + ",\n}\n```"
    model = Model([fenced])
    async with Client(server(tmp_path), mode=mode, sampling_callback=model) as client:
        out = (await client.call_tool("tailor_by_sampling", {"path": str(VIDEO), "intent": INTENT})).structured_content
    assert out["status"] == "ok" and out["samples"] == 1
    assert {r["action"] for r in out["result"]["validation"]["repairs"]} >= {"json_repair"}
    assert not out["result"]["validation"]["parsed"]


@pytest.mark.parametrize("mode", MODES)
async def test_sampling_garbage_is_retried_then_invalid(tmp_path, mode):
    model = Model(["I cannot see the video, sorry."])
    async with Client(server(tmp_path), mode=mode, sampling_callback=model) as client:
        out = (await client.call_tool("tailor_by_sampling", {"path": str(VIDEO), "intent": INTENT})).structured_content
    assert out["status"] == "invalid" and out["samples"] == 3 and len(model.asked) == 3
    assert out["errors"] and out["errors"][0]["path"] == "$" and out["result"] is None
    repair = model.asked[1].messages
    assert repair[-2].role == "assistant" and "problems" in repair[-1].content.text


@pytest.mark.parametrize("mode", MODES)
async def test_sampling_repair_round_fixes_an_invented_anchor(tmp_path, mode):
    good = _good(await _prompt(tmp_path))
    bad = copy.deepcopy(good)
    bad["events"][0]["anchor_ids"] = ["shot:77"]
    model = Model([json.dumps(bad), json.dumps(good)])
    async with Client(server(tmp_path), mode=mode, sampling_callback=model) as client:
        out = (await client.call_tool("tailor_by_sampling", {"path": str(VIDEO), "intent": INTENT})).structured_content
    assert out["status"] == "ok" and out["samples"] == 2
    assert "$.events[0].anchor_ids" in model.asked[1].messages[-1].content.text


@pytest.mark.parametrize("mode", MODES)
async def test_refine_with_the_rules_backend(tmp_path, mode):
    async with Client(server(tmp_path), mode=mode) as client:
        early = await client.call_tool("brief", {"path": str(VIDEO), "intent": INTENT})
        unfinished = await client.call_tool("refine_record", {"thread_id": early.structured_content["thread_id"], "request": "shorter"})
        assert unfinished.is_error and "no finished record to refine" in unfinished.content[0].text
        first = (await client.call_tool("tailor", {"path": str(VIDEO), "intent": INTENT})).structured_content
        assert len(first["record"]["events"]) == 4
        refined = await client.call_tool("refine_record", {"thread_id": first["thread_id"], "request": "at most 2 events, in Chinese"})
        assert not refined.is_error, refined.content
        out = refined.structured_content
        assert out["version"] == 2 and out["applied"] and any("English only" in n for n in out["not_applied"])
        result = out["result"]
        assert result["validation"]["valid"] and result["validation"]["grounded"] and result["thread_id"] == first["thread_id"]
        assert result["record"]["events"] == first["record"]["events"][:2]
        again = (await client.call_tool("refine_record", {"thread_id": first["thread_id"], "request": "write it as a poem"})).structured_content
        assert again["version"] == 2 and not again["applied"] and "rules backend only" in again["not_applied"][0]


@pytest.mark.parametrize("mode", MODES)
async def test_refine_with_the_sampling_backend(tmp_path, mode):
    good = _good(await _prompt(tmp_path))
    shorter = copy.deepcopy(good)
    for event in shorter["events"]:
        event["caption"] = event["caption"].split(";")[0]
    model = Model([json.dumps(good), json.dumps(shorter)])
    async with Client(server(tmp_path, backend="sampling"), mode=mode, sampling_callback=model) as client:
        first = (await client.call_tool("tailor_by_sampling", {"path": str(VIDEO), "intent": INTENT})).structured_content
        assert first["status"] == "ok"
        refined = await client.call_tool("refine_record", {"thread_id": first["result"]["thread_id"], "request": "shorter captions"})
    assert not refined.is_error, refined.content
    out = refined.structured_content
    assert out["version"] == 2 and out["applied"] == ["shorter captions"]
    assert out["result"]["record"]["events"] == shorter["events"] and out["result"]["validation"]["valid"]
    assert out["result"]["provenance"]["backend"] == "sampling" and out["result"]["provenance"]["model_id"] == "test-model-7b"
    asked = model.asked[-1].messages
    assert asked[-2].role == "assistant" and json.loads(asked[-2].content.text) == good and "shorter captions" in asked[-1].content.text
