"""`claw train ...` as a user runs it: real subprocesses, exit codes and one-line errors."""

import json
import subprocess
from pathlib import Path

from ..conftest import ROOT, run_claw


def claw(*args: str) -> subprocess.CompletedProcess:
    return run_claw("train", *args)


def test_missing_config_is_one_error_line(tmp_path):
    run = claw("sft", "--config", str(tmp_path / "nope.yaml"))
    assert run.returncode == 1
    assert run.stderr.strip() == f"error: {tmp_path / 'nope.yaml'}: config file not found"


def test_openai_teacher_needs_url_and_model(tmp_path):
    intents = tmp_path / "i.jsonl"
    intents.write_text('{"text": "caption", "task": "daily.dense_captions"}\n')
    run = claw("construct", str(ROOT / "examples/video/three_shots.mp4"), "--intents", str(intents), "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "--teacher-url" in run.stderr


def test_construct_with_rules_teacher_prints_the_summary(tmp_path):
    intents = tmp_path / "i.jsonl"
    intents.write_text('{"text": "caption", "task": "daily.dense_captions"}\n')
    run = claw("construct", str(ROOT / "examples/video/three_shots.mp4"), "--intents", str(intents), "--out", str(tmp_path / "o"),
               "--teacher", "rules", "--no-fuzzy")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["written"] == 1 and summary["total_triplets"] == 1 and Path(summary["dataset_path"]).is_dir()


def test_score_names_a_folder_that_is_no_checkpoint(tmp_path, triplet_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    run = claw("score", str(empty), "--data", str(triplet_dir))
    assert run.returncode == 1
    assert run.stderr.strip() == f"error: {empty}: not a checkpoint (no config.json or adapter_config.json)"
