"""Write tools never destroy: each attack on `out` through the real SDK client, refused, the victim unchanged."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from mcp import Client

from dataclaw_tailor.server.app import build_server
from dataclaw_tailor.server.config import ServerConfig
from dataclaw_tailor.server.roots import Roots
from dataclaw_tailor.tools.files import new_file_mode

from .conftest import MODES, TRACE, VIDEO

pytestmark = pytest.mark.anyio
GUI = "GUI-agent SFT steps"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The server's one root: a video and a GUI trace of the user's, and nothing else."""
    (tmp_path / "root").mkdir()
    shutil.copy(VIDEO, tmp_path / "root" / "video.mp4")
    shutil.copytree(TRACE, tmp_path / "root" / "trace")
    return tmp_path / "root"


def server(root: Path):
    return build_server(ServerConfig(roots=Roots([root]), state_dir=root.parent / "state"))


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), stat.S_IMODE(path.stat().st_mode)


def text(result) -> str:
    return result.content[0].text


@pytest.mark.parametrize("mode", MODES)
async def test_out_never_replaces_a_users_video_even_with_overwrite(root, mode):
    video = root / "video.mp4"
    before = snapshot(video)
    async with Client(server(root), mode=mode) as client:
        plain = await client.call_tool("tailor", {"path": str(root / "trace"), "intent": GUI, "out": str(video)})
        forced = await client.call_tool("tailor", {"path": str(root / "trace"), "intent": GUI, "out": str(video), "overwrite": True})
    assert plain.is_error and "is never replaced" in text(plain)
    assert forced.is_error and "is never replaced" in text(forced)
    assert snapshot(video) == before


@pytest.mark.parametrize("mode", MODES)
async def test_a_foreign_json_is_replaced_only_with_overwrite(root, mode):
    notes = root / "notes.json"
    notes.write_text('{"mine": true}')
    async with Client(server(root), mode=mode) as client:
        plain = await client.call_tool("tailor", {"path": str(root / "trace"), "intent": GUI, "out": str(notes)})
        assert plain.is_error and "pass `overwrite: true`" in text(plain) and json.loads(notes.read_text()) == {"mine": True}
        forced = await client.call_tool("tailor", {"path": str(root / "trace"), "intent": GUI, "out": str(notes), "overwrite": True})
    assert not forced.is_error, text(forced)
    assert json.loads(notes.read_text())["task"] == "gui.trajectory"


async def test_the_servers_own_outputs_are_rewritten_until_someone_else_changes_them(root):
    one, log = root / "runs" / "one.json", root / "runs" / "all.jsonl"
    args = {"path": str(root / "trace"), "intent": GUI}
    async with Client(server(root)) as client:
        for _ in range(2):
            assert not (await client.call_tool("tailor", {**args, "out": str(one)})).is_error
            assert not (await client.call_tool("tailor", {**args, "out": str(log)})).is_error
        one.write_text(one.read_text() + "\n")  # the user edits the file
        edited = await client.call_tool("tailor", {**args, "out": str(one)})
    assert len(log.read_text().splitlines()) == 2
    assert edited.is_error and "or it changed since" in text(edited)
    assert stat.S_IMODE(one.stat().st_mode) == stat.S_IMODE(log.stat().st_mode) == new_file_mode()  # the umask, not 0600


@pytest.mark.parametrize("mode", MODES)
async def test_export_never_overwrites_the_source_trace_it_was_pointed_at(root, mode):
    trace_json = root / "trace" / "trace.json"
    before = snapshot(trace_json)
    async with Client(server(root), mode=mode) as client:
        records = root / "records.jsonl"
        assert not (await client.call_tool("tailor", {"path": str(root / "trace"), "intent": GUI, "out": str(records)})).is_error
        over_trace = await client.call_tool("export_dataset", {"records": str(records), "format": "openai", "out": str(trace_json)})
        over_input = await client.call_tool("export_dataset", {"records": str(records), "format": "openai", "out": str(records), "overwrite": True})
        into_trace = await client.call_tool("tailor", {"path": str(root / "trace"), "intent": GUI, "out": str(root / "trace" / "new.json")})
        fine = await client.call_tool("export_dataset", {"records": str(records), "format": "sharegpt", "out": str(root / "sft.jsonl")})
    assert over_trace.is_error and "not a file this server wrote" in text(over_trace)
    assert over_input.is_error and "is the source this call reads" in text(over_input)
    assert into_trace.is_error and "inside the source this call reads" in text(into_trace) and not (root / "trace" / "new.json").exists()
    assert snapshot(trace_json) == before and not fine.is_error


@pytest.mark.parametrize("out", [".", "./", "trace/.."])
async def test_out_naming_a_root_or_a_folder_is_refused_and_nothing_lands_beside_the_root(root, out):
    beside = set(root.parent.iterdir())
    async with Client(server(root)) as client:
        result = await client.call_tool("tailor", {"path": str(root / "video.mp4"), "intent": "dense captions", "out": out})
        folder = await client.call_tool("tailor", {"path": str(root / "video.mp4"), "intent": "dense captions", "out": "trace"})
    assert result.is_error and "is an allowed root itself" in text(result), text(result)
    assert folder.is_error and "is a folder; name a file inside it" in text(folder)
    assert set(root.parent.iterdir()) - beside <= {root.parent / "state"}


async def test_folder_outputs_must_be_new_empty_or_the_servers(root):
    foreign = root / "mine"
    foreign.mkdir()
    (foreign / "README.md").write_text("my notes")
    corpus = root / "corpus"
    shutil.copytree(TRACE, corpus / "a-trace")
    args = {"folder": str(corpus), "intent": GUI, "task": "gui.trajectory"}
    async with Client(server(root)) as client:
        into_foreign = await client.call_tool("tailor_corpus", {**args, "out": str(foreign)})
        over_items = await client.call_tool("tailor_corpus", {**args, "out": str(corpus)})
        first = await client.call_tool("tailor_corpus", {**args, "out": str(root / "run")})
        again = await client.call_tool("tailor_corpus", {**args, "out": str(root / "run")})  # resumes its own folder
        records = first.structured_content["records_path"]
        hf_foreign = await client.call_tool("export_dataset", {"records": records, "format": "hf", "out": str(foreign)})
        page = await client.call_tool("view_record", {"records": records, "out": str(foreign / "README.html")})
        (foreign / "README.html").write_text("<p>mine</p>")
        page_over = await client.call_tool("view_record", {"records": records, "out": str(foreign / "README.html")})
    assert into_foreign.is_error and "files this server did not write" in text(into_foreign)
    assert over_items.is_error and "holds a source this call reads" in text(over_items)
    assert not first.is_error and not again.is_error and again.structured_content["skipped"] == 1
    assert hf_foreign.is_error and (foreign / "README.md").read_text() == "my notes"
    assert not page.is_error, text(page)
    assert page_over.is_error and "is never replaced" in text(page_over) and (foreign / "README.html").read_text() == "<p>mine</p>"


async def test_annotations_tell_the_truth(root):
    """A tool is read-only exactly when it writes nothing the user sees (it takes no `out`); one that can
    replace a file (`overwrite`) is destructive; the rules backend reaches nothing beyond the roots."""
    async with Client(server(root)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    for name, tool in tools.items():
        params, hints = tool.input_schema["properties"], tool.annotations
        assert hints.read_only_hint == ("out" not in params), name
        assert hints.open_world_hint is False, name
        if hints.read_only_hint:
            assert hints.destructive_hint is False and hints.idempotent_hint, name
        if "overwrite" in params:
            assert hints.destructive_hint, name
    assert {"list_tasks", "validate_record", "extract_anchors", "clarify_intent"} <= {n for n, t in tools.items() if t.annotations.read_only_hint}
    assert tools["view_record"].annotations.destructive_hint and not tools["tailor_corpus"].annotations.destructive_hint
    assert tools["tailor_corpus"].annotations.idempotent_hint and not tools["tailor"].annotations.idempotent_hint
