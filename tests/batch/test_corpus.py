import json
import shutil
from pathlib import Path

import pytest

from dataclaw_tailor.batch import discover, run_corpus
from dataclaw_tailor.core import Intent
from dataclaw_tailor.service import Settings, TailorService

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

    service = TailorService(Settings(state_dir=tmp_path / "s"))
    summary = await run_corpus(service, discover(corpus_dir), Intent(text="make training data", task="daily.dense_captions"),
                               out_dir=out, progress=progress)
    assert (summary.total, summary.ok, summary.errors) == (3, 1, 2)
    assert seen[-1] == (3, 3)
    errors = [i for i in summary.items if i.status == "error"]
    assert any("c.txt" in e.error for e in errors)
    records = (out / "records.jsonl").read_text().splitlines()
    assert len(records) == 1 and json.loads(records[0])["task"] == "daily.dense_captions"

    again = await run_corpus(service, discover(corpus_dir), Intent(text="make training data", task="daily.dense_captions"),
                             out_dir=out)
    assert again.skipped == 1 and again.ok == 1
    assert len((out / "records.jsonl").read_text().splitlines()) == 1

    with (out / "manifest.jsonl").open("a") as fh:
        fh.write('{"source": "a.mp4", "content_hash": "ab')  # a run killed in the middle of a line
    torn = await run_corpus(service, discover(corpus_dir), Intent(text="make training data", task="daily.dense_captions"),
                            out_dir=out)
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


@pytest.mark.anyio
async def test_a_source_that_crashes_is_recorded_and_the_run_goes_on(corpus_dir, tmp_path, monkeypatch):
    """An unforeseen exception in one source (here detection raising a bug's RuntimeError for b-trace;
    the detector is a dependency of the runner, replaced for that one path) never stops the corpus."""
    from dataclaw_tailor.batch import work as corpus_module

    real = corpus_module.detect

    def flaky(path):
        if Path(path).name == "b-trace":
            raise RuntimeError("a bug in a loader")
        return real(path)

    monkeypatch.setattr(corpus_module, "detect", flaky)
    out = tmp_path / "out"
    summary = await run_corpus(TailorService(Settings(state_dir=tmp_path / "s")), discover(corpus_dir),
                               Intent(text="make training data", task="daily.dense_captions"), out_dir=out)
    assert (summary.total, summary.ok, summary.errors) == (3, 1, 2)
    crashed = next(i for i in summary.items if i.source.endswith("b-trace"))
    assert crashed.status == "error" and "unexpected RuntimeError: a bug in a loader" in crashed.error
    assert "\n" not in crashed.error
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert {m["source"].rsplit("/", 1)[-1] for m in manifest} == {"a.mp4", "b-trace", "c.txt"}


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs (root only): the out folder of a corpus run that fills it."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.anyio
async def test_a_full_disk_is_one_line_naming_the_file_and_the_next_run_resumes(corpus_dir, tmp_path, small_disk):
    from dataclaw_tailor.core import DataClawError

    out = small_disk / "out"
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (256 * 1024 - 8 * 1024))  # leave 8 KiB: enough for the manifest, not the records
    intent = Intent(text="make training data", task="daily.dense_captions")
    service = TailorService(Settings(state_dir=tmp_path / "s"))
    try:
        summary = await run_corpus(service, discover(corpus_dir), intent, out_dir=out)
        failed = [i for i in summary.items if i.status == "error" and "no space left" in (i.error or "")]
        assert failed and all(str(out) in i.error and "\n" not in i.error for i in failed)
    except DataClawError as exc:  # the manifest itself could not be appended to
        assert str(out) in str(exc) and "no space left" in str(exc) and "\n" not in str(exc)
    manifest = out / "manifest.jsonl"
    if manifest.exists():
        assert all(json.loads(line) for line in manifest.read_text().splitlines())  # whole lines only
    filler.unlink()
    again = await run_corpus(service, discover(corpus_dir), intent, out_dir=out)
    assert again.ok == 1 and again.errors == 2  # c.txt is still no stream, b-trace has no dense captions
    assert len((out / "records.jsonl").read_text().splitlines()) == 1


def test_a_full_state_dir_is_one_line_naming_the_database(tmp_path, small_disk):
    (small_disk / "filler").write_bytes(b"\0" * (256 * 1024))
    proc = run_claw("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--intent", "dense captions",
                    "--state-dir", str(small_disk / "state"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and "threads.sqlite" in proc.stderr and proc.stderr.count("\n") == 1
