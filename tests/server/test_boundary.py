"""The attacks of a hostile client (or a prompt-injected assistant behind one), each refused by the real server.

Driven by the real SDK client in-process, in both protocol modes: a client declaring roots that would
widen the server's (`file:///`, a remote host), resuming a thread whose source lies outside the roots,
reusing a thread id, a symlink leading out of a corpus, NUL bytes and over-long paths, a missing extra.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp_types import ListRootsResult, Root

from dataclaw_tailor.server.app import build_server
from dataclaw_tailor.server.config import ServerConfig
from dataclaw_tailor.server.roots import Roots
from dataclaw_tailor.service import Settings, TailorService

from ..conftest import ROOT
from .conftest import FUZZY, MODES, TRACE, VIDEO, claw_mcp_args

pytestmark = pytest.mark.anyio


@pytest.fixture
def land(tmp_path: Path) -> Path:
    """`inside/` is the server's only root; `outside/` holds a secret video and trace beside it."""
    (tmp_path / "inside").mkdir()
    (tmp_path / "outside").mkdir()
    shutil.copy(VIDEO, tmp_path / "outside" / "secret.mp4")
    shutil.copytree(TRACE, tmp_path / "outside" / "secret-trace")
    shutil.copytree(TRACE, tmp_path / "inside" / "trace")
    return tmp_path


def server(land: Path, *, trust: bool = False):
    return build_server(ServerConfig(roots=Roots([land / "inside"]), trust_client_roots=trust, state_dir=land / "state"))


def declaring(*uris: str):
    async def list_roots(context) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=u) for u in uris])

    return list_roots


def text(result) -> str:
    return result.content[0].text


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("uri", ["file:///", "file://evil.example/", "file://evil.example{outside}", "file://localhost{outside}"])
async def test_a_client_root_never_widens_the_servers(land, mode, uri):
    secret = land / "outside" / "secret.mp4"
    async with Client(server(land), mode=mode, list_roots_callback=declaring(uri.format(outside=land / "outside"))) as client:
        read = await client.call_tool("extract_anchors", {"path": str(secret), "kinds": ["ocr"]})
        wrote = await client.call_tool("tailor", {"path": str(land / "inside" / "trace"), "intent": "GUI-agent SFT steps",
                                                  "out": str(land / "outside" / "planted.json")})
    assert read.is_error and "outside the allowed roots" in text(read) and "ocr" not in text(read)
    assert wrote.is_error and not (land / "outside" / "planted.json").exists()


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_root_inside_the_servers_narrows_it(land, mode):
    project = land / "inside" / "project"
    shutil.copytree(TRACE, project / "trace")
    async with Client(server(land), mode=mode, list_roots_callback=declaring(project.as_uri())) as client:
        inside = await client.call_tool("tailor", {"path": str(project / "trace"), "intent": "GUI-agent SFT steps"})
        beside = await client.call_tool("tailor", {"path": str(land / "inside" / "trace"), "intent": "GUI-agent SFT steps"})
    assert not inside.is_error and inside.structured_content["status"] == "ok"
    assert beside.is_error and "outside the allowed roots" in text(beside)


async def test_only_a_trusting_server_takes_client_roots_as_they_are(land):
    secret = land / "outside" / "secret-trace"
    client_roots = declaring((land / "outside").as_uri())
    async with Client(server(land, trust=True), list_roots_callback=client_roots) as client:
        trusted = await client.call_tool("extract_anchors", {"path": str(secret)})
    async with Client(server(land, trust=True), list_roots_callback=declaring("file://evil.example/")) as client:
        remote = await client.call_tool("extract_anchors", {"path": str(secret)})
    assert not trusted.is_error and trusted.structured_content["source"]["kind"] == "gui_trace"
    assert remote.is_error


@pytest.mark.parametrize("mode", MODES)
async def test_a_thread_started_outside_the_roots_is_not_resumed_here(land, mode):
    """The CLI (no roots) starts a thread on a file outside the server's roots; the server refuses to resume it."""
    cli = TailorService(Settings(state_dir=land / "state"))
    asked = await cli.tailor(land / "outside" / "secret.mp4", FUZZY)
    assert asked.status == "needs_clarification" and len(asked.thread_id) == 32
    async with Client(server(land), mode=mode) as client:
        resumed = await client.call_tool("tailor", {"thread_id": asked.thread_id, "answers": {"task": "daily.dense_captions"}})
    assert resumed.is_error and "outside the allowed roots" in text(resumed)
    assert str(land / "outside") not in text(resumed)
    done = await cli.answer(asked.thread_id, {"task": "daily.dense_captions"})  # still pending for its owner
    assert done.status == "ok"


@pytest.mark.parametrize("mode", MODES)
async def test_a_thread_remembers_its_roots(land, mode):
    """Started under a client's narrow root, a thread cannot be resumed once its source is only reachable more widely."""
    project = land / "inside" / "project"
    project.mkdir()
    shutil.copy(VIDEO, project / "clip.mp4")
    async with Client(server(land), mode=mode, list_roots_callback=declaring(project.as_uri())) as client:
        asked = (await client.call_tool("tailor", {"path": str(project / "clip.mp4"), "intent": FUZZY, "ask_user": False})).structured_content
    (project / "clip.mp4").unlink()
    (project / "clip.mp4").symlink_to(land / "inside" / "trace")  # the thread's source now leads out of its root
    async with Client(server(land), mode=mode) as client:
        resumed = await client.call_tool("tailor", {"thread_id": asked["thread_id"], "answers": {"task": "daily.dense_captions"}})
    assert resumed.is_error and "outside the allowed roots" in text(resumed)


@pytest.mark.parametrize("mode", MODES)
async def test_thread_ids_are_random_and_an_existing_one_is_never_restarted(land, mode):
    clip = land / "inside" / "clip.mp4"
    shutil.copy(VIDEO, clip)
    async with Client(server(land), mode=mode) as client:
        asked = (await client.call_tool("tailor", {"path": str(clip), "intent": FUZZY, "ask_user": False})).structured_content
        other = (await client.call_tool("tailor", {"path": str(clip), "intent": FUZZY, "ask_user": False})).structured_content
        hijack = await client.call_tool("tailor", {"path": str(land / "inside" / "trace"), "intent": "GUI-agent SFT steps",
                                                   "thread_id": asked["thread_id"]})
        done = await client.call_tool("tailor", {"thread_id": asked["thread_id"], "answers": {"task": "daily.dense_captions"}})
    assert len(asked["thread_id"]) == 32 and asked["thread_id"] != other["thread_id"]
    assert hijack.is_error and "needs `answers`" in text(hijack)
    assert not done.is_error and done.structured_content["status"] == "ok", text(done)
    service = TailorService(Settings(state_dir=land / "state"))
    with pytest.raises(Exception, match="already exists"):
        await service.tailor(land / "inside" / "trace", "GUI-agent SFT steps", thread_id=other["thread_id"])
    again = await service.answer(other["thread_id"], {"task": "daily.dense_captions"})  # its question survived the attempt
    assert again.status == "ok"


@pytest.mark.parametrize("mode", MODES)
async def test_a_symlink_out_of_a_corpus_is_one_refused_item(land, mode):
    corpus = land / "inside" / "corpus"
    corpus.mkdir()
    shutil.copytree(TRACE, corpus / "a-trace")
    (corpus / "b-escape").symlink_to(land / "outside" / "secret-trace")
    (corpus / "c-dangling").symlink_to(land / "outside" / "no-such-thing")
    async with Client(server(land), mode=mode) as client:
        result = await client.call_tool("tailor_corpus", {"folder": str(corpus), "intent": "GUI-agent SFT steps", "task": "gui.trajectory"})
    assert not result.is_error, text(result)
    summary = result.structured_content
    assert (summary["total"], summary["ok"], summary["errors"]) == (3, 1, 2)
    refused = {Path(i["source"]).name: i["error"] for i in summary["items"] if i["status"] == "error"}
    assert set(refused) == {"b-escape", "c-dangling"} and all("outside the allowed roots" in e for e in refused.values())
    assert str(land / "outside") not in json.dumps(summary) + text(result)


@pytest.mark.parametrize("mode", MODES)
async def test_nul_bytes_and_over_long_paths_are_refused_with_the_reason(land, mode):
    cases = {
        "NUL byte": (f"{land}/inside/trace\0/../../outside/secret.mp4", "contains a NUL byte"),
        "too long": ("/".join(["x" * 200] * 30), "over the 4096 a path may have"),
        "long name": (str(land / "inside" / ("y" * 300)), "over the 255 a file name may have"),
    }
    async with Client(server(land), mode=mode) as client:
        for case, (path, why) in cases.items():
            for tool, args in (("extract_anchors", {"path": path}), ("tailor", {"path": path, "intent": "x"}),
                               ("validate_record", {"record": {}, "task": "gui.trajectory", "path": path}),
                               ("tailor", {"path": str(land / "inside" / "trace"), "intent": "x", "out": path})):
                result = await client.call_tool(tool, args)
                assert result.is_error and why in text(result), (case, tool, text(result))
        assert not (await client.call_tool("list_tasks", {})).is_error  # and the server serves on


async def test_a_missing_extra_is_named_with_the_install_command(land):
    """`export_dataset` in hf format on a server without `datasets`: a stdio server whose import of it fails."""
    shim = land / "no-datasets"
    (shim / "datasets").mkdir(parents=True)
    (shim / "datasets" / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'datasets'\", name='datasets')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH")]))}
    params = StdioServerParameters(command=sys.executable, args=claw_mcp_args("--root", str(land / "inside"), "--state-dir", str(land / "state")),
                                   env=env, cwd=str(ROOT))
    records = land / "inside" / "records.jsonl"
    async with Client(params) as client:
        made = await client.call_tool("tailor", {"path": str(land / "inside" / "trace"), "intent": "GUI-agent SFT steps", "out": str(records)})
        exported = await client.call_tool("export_dataset", {"records": str(records), "format": "hf", "out": str(land / "inside" / "hf")})
    assert not made.is_error, text(made)
    assert exported.is_error and "pip install 'dataclaw-tailor[eval]'" in text(exported) and "`datasets`" in text(exported)
