import json
import shutil

import pytest

from dataclaw_tailor.batch import discover, run_corpus
from dataclaw_tailor.core import Intent

from ..conftest import EXAMPLES, run_claw


@pytest.fixture
def corpus_dir(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(EXAMPLES / "video" / "three_shots.mp4", folder / "a.mp4")
    shutil.copytree(EXAMPLES / "gui" / "login-trace", folder / "b-trace")
    (folder / "c.txt").write_text("not a stream")
    return folder


@pytest.mark.anyio
async def test_corpus_run_records_failures_and_resumes_without_redoing_work(corpus_dir, tmp_path):
    out = tmp_path / "out"
    seen = []

    async def progress(done, total, message):
        seen.append((done, total))

    summary = await run_corpus(discover(corpus_dir), Intent(text="make training data", task="daily.dense_captions"),
                               out_dir=out, state_dir=tmp_path / "s", progress=progress)
    assert (summary.total, summary.ok, summary.errors) == (3, 1, 2)
    assert seen[-1] == (3, 3)
    errors = [i for i in summary.items if i.status == "error"]
    assert any("c.txt" in e.error for e in errors)
    records = (out / "records.jsonl").read_text().splitlines()
    assert len(records) == 1 and json.loads(records[0])["task"] == "daily.dense_captions"

    again = await run_corpus(discover(corpus_dir), Intent(text="make training data", task="daily.dense_captions"),
                             out_dir=out, state_dir=tmp_path / "s")
    assert again.skipped == 1 and again.ok == 1
    assert len((out / "records.jsonl").read_text().splitlines()) == 1

    with (out / "manifest.jsonl").open("a") as fh:
        fh.write('{"source": "a.mp4", "content_hash": "ab')  # a run killed in the middle of a line
    torn = await run_corpus(discover(corpus_dir), Intent(text="make training data", task="daily.dense_captions"),
                            out_dir=out, state_dir=tmp_path / "s")
    assert torn.skipped == 1 and torn.ok == 1
    lines = (out / "manifest.jsonl").read_text().splitlines()
    assert lines[-1].startswith("{") and json.loads(lines[-1])["status"] == "error"  # appended after the torn line, intact


def test_corpus_cli(corpus_dir, tmp_path):
    (corpus_dir / "c.txt").unlink()
    proc = run_claw("corpus", str(corpus_dir), "--intent", "training data", "--out", str(tmp_path / "o"), "--json",
                    env={"DATACLAW_STATE_DIR": str(tmp_path / "s")})
    summary = json.loads(proc.stdout)
    assert summary["total"] == 2
    assert summary["ok"] + summary["needs_clarification"] == 2
