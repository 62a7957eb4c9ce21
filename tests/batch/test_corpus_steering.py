"""Corpus runs a user can steer: sidecars, episodes, answers once per kind, tasks per kind, failures with reasons."""

import json
import shutil
from pathlib import Path

import pytest

from dataclaw_tailor.batch import WorkSpec, by_kind, discover, run_corpus
from dataclaw_tailor.core import InputError, Intent
from dataclaw_tailor.service import Settings, TailorService

from ..conftest import EXAMPLES, run_claw

SRT = "1\n00:00:00,000 --> 00:00:01,000\nA red frame.\n\n2\n00:00:01,000 --> 00:00:02,000\nA green frame.\n"


def bridge(devset: Path) -> Path:
    path = devset / "robot" / "bridge-rlds" / "bridge_dataset" / "1.0.0"
    if not path.is_dir():
        pytest.skip("Bridge RLDS sample not in the devset")
    return path


@pytest.fixture
def mixed(tmp_path):
    """Two videos, one with .srt / .en.vtt / .info.json sidecars (as yt-dlp leaves them), a GUI trace, a text file."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    video = EXAMPLES / "video" / "three_shots.mp4"
    shutil.copy(video, folder / "clip.mp4")
    (folder / "clip.srt").write_text(SRT)
    (folder / "clip.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nA red frame.\n")
    (folder / "clip.info.json").write_text(json.dumps({"title": "three shots"}))
    with open(folder / "other.mp4", "wb") as fh:  # a second video, different content hash
        fh.write(video.read_bytes())
        fh.write(b"\0" * 16)
    shutil.copytree(EXAMPLES / "gui" / "login-trace", folder / "trace")
    (folder / "notes.txt").write_text("not a stream")
    return folder


def test_sidecars_belong_to_their_video_and_a_failure_carries_its_reason(mixed, tmp_path):
    proc = run_claw("corpus", str(mixed), "--intent", "dense captions", "--task", "video=daily.dense_captions",
                    "--task", "gui_trace=gui.trajectory", "--out", str(tmp_path / "o"), "--json",
                    env={"DATACLAW_STATE_DIR": str(tmp_path / "s")})
    summary = json.loads(proc.stdout)
    assert summary["sidecars"] == 3
    assert summary["total"] == 4  # clip.mp4, other.mp4, trace, notes.txt
    assert {Path(i["source"]).name for i in summary["items"]} == {"clip.mp4", "other.mp4", "trace", "notes.txt"}
    assert summary["errors"] == 1
    (failed,) = [i for i in summary["items"] if i["status"] == "error"]
    assert "notes.txt" in failed["error"] and "not a media file" in failed["error"]
    assert {i["task"] for i in summary["items"] if i["status"] == "ok"} == {"daily.dense_captions", "gui.trajectory"}
    text = run_claw("corpus", str(mixed), "--intent", "dense captions", "--task", "video=daily.dense_captions",
                    "--task", "gui_trace=gui.trajectory", "--out", str(tmp_path / "o"),
                    env={"DATACLAW_STATE_DIR": str(tmp_path / "s")})
    assert "3 already done" in text.stdout and "error: " in text.stdout and "notes.txt" in text.stdout


@pytest.mark.anyio
async def test_a_fuzzy_intent_is_asked_once_per_kind_and_the_answer_used_for_the_rest(mixed, tmp_path):
    (mixed / "notes.txt").unlink()
    asked = []

    async def ask(questions):
        asked.append([q.id for q in questions])
        return "1"

    service = TailorService(Settings(state_dir=tmp_path / "s"))
    spec = WorkSpec(intent=Intent(text="make some training data"), out_dir=str(tmp_path / "o"))
    summary = await run_corpus(service, discover(mixed), spec, out_dir=tmp_path / "o", ask=ask)
    kinds = {i.kind for i in summary.items}
    assert kinds == {"video", "gui_trace"}
    assert summary.needs_clarification == 0 and summary.ok == 3
    assert 1 <= len(asked) <= len(kinds)  # never once per source: two videos, one question
    assert len({i.task for i in summary.items if i.kind == "video"}) == 1

    unanswered = await run_corpus(service, discover(mixed), WorkSpec(intent=Intent(text="make some training data"),
                                  out_dir=""), out_dir=tmp_path / "o2")
    if unanswered.needs_clarification:  # without an answer, the questions come back once per kind
        assert set(unanswered.questions) <= kinds and all(unanswered.questions.values())


def test_by_kind_flags():
    assert by_kind(["video=daily.dense_captions", "gui.trajectory"], "--task") == {
        "video": "daily.dense_captions", "*": "gui.trajectory"}
    assert by_kind(["task=2"], "--answer") == {"*": "task=2"}
    with pytest.raises(InputError, match="vidoe"):
        by_kind(["vidoe=x"], "--task")


@pytest.mark.devset
@pytest.mark.anyio
async def test_a_multi_episode_rlds_file_is_one_item_per_episode(devset, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "bridge").symlink_to(bridge(devset))
    service = TailorService(Settings(state_dir=tmp_path / "s"))
    spec = WorkSpec(intent=Intent(text="robot training data", task="embodied.subtasks"), episodes="3-5", out_dir="")
    summary = await run_corpus(service, discover(folder), spec, out_dir=tmp_path / "o")
    assert [i.source.rsplit("=", 1)[1] for i in summary.items] == ["3", "4", "5"]
    assert len({i.content_hash for i in summary.items}) == 3
    first = await run_corpus(service, discover(folder), spec.model_copy(update={"episodes": "first"}), out_dir=tmp_path / "f")
    assert first.total == 1


@pytest.mark.devset
@pytest.mark.slow
def test_a_mixed_corpus_with_25_episodes_and_a_fuzzy_intent_answered_once(devset, mixed, tmp_path):
    (mixed / "bridge").symlink_to(bridge(devset))
    proc = run_claw("corpus", str(mixed), "--intent", "make some training data", "--answer", "1",
                    "--out", str(tmp_path / "o"), "--json", env={"DATACLAW_STATE_DIR": str(tmp_path / "s")}, timeout=900)
    summary = json.loads(proc.stdout)
    kinds = [i["kind"] for i in summary["items"]]
    assert kinds.count("robot_episode") == 25 and kinds.count("video") == 2 and kinds.count("gui_trace") == 1
    assert summary["total"] == 29 and summary["sidecars"] == 3 and summary["errors"] == 1
    assert summary["needs_clarification"] == 0
    assert summary["ok"] + summary["invalid"] == 28
