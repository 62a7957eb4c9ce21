"""`render_view` and `claw view` on the three inputs: an envelope, a records JSONL, a corpus folder."""

from __future__ import annotations

import asyncio
import json
import re
import shutil

import pytest
from PIL import Image

from dataclaw_tailor.batch import discover, run_corpus
from dataclaw_tailor.core import InputError
from dataclaw_tailor.service import Settings, TailorService
from dataclaw_tailor.view import render_view
from dataclaw_tailor.view.chart import WIDTH

from ..conftest import run_claw
from .conftest import TRACE, VIDEO, load


def test_an_envelope_gives_one_page_and_its_chart(video_envelope, tmp_path):
    result = render_view(video_envelope, tmp_path / "page.html")
    html = (tmp_path / "page.html").read_text()
    assert result.pages == [str(tmp_path / "page.html")] and result.rows == 0
    assert html.count('class="mk a') == len(load(video_envelope)["anchors"])
    assert html.count('<article class="card') == len(load(video_envelope)["record"]["events"])
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", html)
    chart = Image.open(result.charts[0])
    assert chart.width == WIDTH and len(chart.getcolors(1 << 16) or []) > 8


def test_a_records_jsonl_gets_an_index_and_a_page_per_line(gui_envelope, video_envelope, tmp_path):
    records = tmp_path / "records.jsonl"
    lines = [json.dumps(load(gui_envelope)), "{torn", json.dumps(load(video_envelope)), json.dumps([1])]
    records.write_text("\n".join(lines) + "\n")
    result = render_view(records, chart=False)
    index = (tmp_path / "records.view.html").read_text()
    assert result.page == str(tmp_path / "records.view.html") and result.rows == 4 and len(result.pages) == 2
    assert index.count('<tr class="row"') == 4 and index.count('data-status="error"') == 2
    assert "line 2" in index and "not JSON" in index and "a tailoring envelope is a JSON object" in index
    for page in result.pages:
        assert re.search(r'href="\.\./records\.view\.html"', open(page).read())
        assert f'href="records.view_pages/{page.split("/")[-1]}"' in index


def test_a_corpus_folder_gets_a_row_per_source_with_its_outcome(tmp_path):
    """A real corpus run (rules backend) over the examples and a file that is no source."""
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copytree(TRACE, sources / "login-trace")
    shutil.copy(VIDEO, sources / "three_shots.mp4")
    (sources / "notes.txt").write_text("not a recording")
    out = tmp_path / "corpus"
    service = TailorService(Settings(state_dir=tmp_path / "state"))
    asyncio.run(run_corpus(service, discover(sources), "step-by-step training data", out_dir=out, concurrency=1))
    result = render_view(out)
    index = (out / "view.html").read_text()
    assert result.rows == 3 and len(result.pages) == 2 and len(result.charts) == 2
    assert index.count('data-status="ok"') == 2 and index.count('data-status="error"') == 1
    assert "notes.txt" in index and "view_pages/" in index
    manifest = out / "manifest.jsonl"
    manifest.write_text(manifest.read_text() + '{"source": "torn')
    assert render_view(out, tmp_path / "again.html").rows == 3


def test_inputs_that_are_no_records_are_one_line_errors(tmp_path, gui_envelope):
    (tmp_path / "schema.json").write_text('{"type": "object"}')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "empty.jsonl").write_text("\n")
    cases = {
        tmp_path / "schema.json": "not a tailoring envelope",
        tmp_path / "list.json": "is a JSON object, not list",
        tmp_path / "empty.jsonl": "no records",
        tmp_path: "no manifest.jsonl",
        tmp_path / "missing.json": "file not found",
    }
    for path, message in cases.items():
        with pytest.raises(InputError, match=message):
            render_view(path, tmp_path / "x.html")
    with pytest.raises(InputError, match=r"\.html"):
        render_view(gui_envelope, tmp_path / "page.png")
    (tmp_path / "page_files").symlink_to("/etc")
    with pytest.raises(InputError, match="outside the page's folder"):
        render_view(gui_envelope, tmp_path / "page.html")


def test_claw_view_command(gui_envelope, tmp_path):
    ok = run_claw("view", str(gui_envelope), "--out", str(tmp_path / "g.html"), "--json")
    assert ok.returncode == 0, ok.stderr
    written = json.loads(ok.stdout)
    assert written["page"] == str(tmp_path / "g.html") and written["charts"] == [str(tmp_path / "g.png")]
    bad = run_claw("view", str(tmp_path / "nope.json"))
    assert bad.returncode == 1 and bad.stderr.strip().count("\n") == 0 and "nope.json" in bad.stderr
