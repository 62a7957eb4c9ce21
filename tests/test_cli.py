import json
from pathlib import Path

import pytest

from .conftest import EXAMPLES, run_claw


def test_tasks_and_schema():
    listed = run_claw("tasks", "--json")
    assert listed.returncode == 0, listed.stderr
    names = {t["task"] for t in json.loads(listed.stdout)}
    assert {"gui.trajectory", "daily.dense_captions", "embodied.subtasks", "custom"} <= names
    schema = run_claw("schema", "gui.trajectory")
    assert json.loads(schema.stdout)["type"] == "object"
    unknown = run_claw("schema", "nope.task")
    assert unknown.returncode == 1 and "nope.task" in unknown.stderr and "Traceback" not in unknown.stderr


def test_tailor_json_envelope_and_exit_codes(tmp_path):
    state = {"DATACLAW_STATE_DIR": str(tmp_path)}
    ok = run_claw("tailor", str(EXAMPLES / "gui" / "login-trace"), "--intent", "GUI-agent SFT steps", "--json", env=state)
    assert ok.returncode == 0, ok.stderr
    env = json.loads(ok.stdout)
    assert set(env) >= {"status", "record", "task", "domain", "anchors", "validation", "thread_id", "questions"}
    assert env["validation"]["valid"] is True

    fuzzy = run_claw("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--intent", "make this useful for training", "--json", env=state)
    assert fuzzy.returncode == 3, fuzzy.stderr
    asked = json.loads(fuzzy.stdout)
    assert asked["status"] == "needs_clarification" and asked["questions"][0]["options"]
    resumed = run_claw("tailor", "--thread", asked["thread_id"], "--answer", "daily.dense_captions", "--json", env=state)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["task"] == "daily.dense_captions"

    refined = run_claw("tailor", "--thread", asked["thread_id"], "--refine", "at most 2 events, in Chinese", "--json", env=state)
    assert refined.returncode == 0, refined.stderr
    assert len(json.loads(refined.stdout)["record"]["events"]) == 2 and json.loads(refined.stdout)["validation"]["valid"]
    assert "applied: kept at most 2 items in events" in refined.stderr and "English only" in refined.stderr
    assert "version 2 of thread" in refined.stderr
    fresh = run_claw("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--intent", "make this useful for training", "--json", env=state)
    early = run_claw("tailor", "--thread", json.loads(fresh.stdout)["thread_id"], "--refine", "shorter", env=state)
    assert early.returncode != 0 and "no finished record to refine" in early.stderr


def test_out_appends_jsonl_and_validate_reads_it_back(tmp_path):
    out = tmp_path / "records.jsonl"
    for _ in range(2):
        run_claw("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--intent", "dense captions", "--out", str(out), env={"DATACLAW_STATE_DIR": str(tmp_path)})
    lines = out.read_text().splitlines()
    assert len(lines) == 2
    envelope = tmp_path / "one.json"
    envelope.write_text(lines[0])
    checked = run_claw("validate", str(envelope), "--task", "daily.dense_captions")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = json.loads(lines[0])
    broken["record"]["events"][0]["end_s"] = 1e6
    envelope.write_text(json.dumps(broken))
    failed = run_claw("validate", str(envelope), "--task", "daily.dense_captions")
    assert failed.returncode == 1
    assert any(e["code"] == "time_range" for e in json.loads(failed.stdout)["errors"])


def _truncated_video(tmp_path: Path) -> Path:
    data = (EXAMPLES / "video" / "three_shots.mp4").read_bytes()
    path = tmp_path / "truncated.mp4"
    path.write_bytes(data[: len(data) // 3])
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d / "missing.mp4",
        lambda d: (d / "notes.txt").write_text("hello") and d / "notes.txt",
        lambda d: (d / "empty.mp4").write_bytes(b"") or d / "empty.mp4",
        _truncated_video,
        lambda d: (d / "trace").mkdir() or (d / "trace" / "trace.json").write_text('{"format": "dataclaw.gui_trace/v1", "steps": [') and d / "trace",
    ],
    ids=["missing", "unsupported", "zero-byte", "truncated", "malformed-trace"],
)
def test_bad_input_is_one_line_naming_the_file(tmp_path, make):
    path = make(tmp_path)
    proc = run_claw("tailor", str(path), "--intent", "dense captions", "--json", env={"DATACLAW_STATE_DIR": str(tmp_path / "s")})
    assert proc.returncode == 1, proc.stdout
    err = proc.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("error:")
    assert path.name in err


@pytest.mark.parametrize(
    "args",
    [("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--task", "daily.vqa"), ("eval",), ("tailor", "--bogus"), ("tailor", "--thread", "abc")],
    ids=["no-intent", "missing-argument", "unknown-option", "thread-without-answer"],
)
def test_usage_errors_exit_2_without_traceback(args):
    proc = run_claw(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Error" in proc.stderr


@pytest.mark.parametrize(
    "args, named",
    [
        (lambda d: ("validate", str(d), "--task", "daily.vqa"), lambda d: d.name),
        (lambda d: (d / "e.json").write_text('{"record": {}, "anchors": 3}') and ("validate", str(d / "e.json"), "--task", "daily.vqa"), lambda d: "anchors"),
        (lambda d: (d / "e.json").write_text('{"record": {}, "anchors": [{"x": 1}]}') and ("validate", str(d / "e.json"), "--task", "daily.vqa"), lambda d: "anchors.0.id"),
        (lambda d: (d / "c.yaml").write_text("a: [") and ("train", "sft", "--config", str(d / "c.yaml")), lambda d: "c.yaml"),
        (lambda d: (d / "f").write_text("x") and ("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--intent", "dense captions", "--out", str(d / "f" / "x.json")), lambda d: "f"),
        (lambda d: (d / "s.json").write_text("[1]") and ("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--intent", "x", "--schema", str(d / "s.json")), lambda d: "s.json: a JSON Schema is a JSON object"),
    ],
    ids=["record-is-folder", "anchors-not-list", "anchor-invalid", "config-bad-yaml", "out-under-a-file", "schema-not-object"],
)
def test_bad_files_for_other_commands_are_one_line(tmp_path, args, named):
    proc = run_claw(*args(tmp_path), env={"DATACLAW_STATE_DIR": str(tmp_path / "s")})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1 and err.startswith("error:")
    assert named(tmp_path) in err


@pytest.mark.parametrize("command", ["tailor", "corpus", "eval"])
def test_backend_flags_are_checked_alike_by_every_command(tmp_path, command):
    args = {"tailor": ("tailor", str(EXAMPLES / "video" / "three_shots.mp4"), "--intent", "dense captions"),
            "corpus": ("corpus", str(EXAMPLES / "video"), "--intent", "dense captions", "--out", str(tmp_path / "o")),
            "eval": ("eval", str(tmp_path / "bench.jsonl"))}[command]
    proc = run_claw(*args, "--backend", "rules", "--model", "x", env={"DATACLAW_STATE_DIR": str(tmp_path / "s")})
    assert proc.returncode == 1 and proc.stderr.strip() == "error: backend 'rules' does not take --model"


def test_rules_tailoring_builds_no_prompt_and_writes_nothing_to_tmp(tmp_path):
    """The rules backend reads the context and the task's synthesiser: no prompt, no resized screenshots in TMPDIR.

    The prompt builder logs each prompt it builds at debug level (`-vv`); a prompt-reading backend makes it
    log and fill TMPDIR (tests/graph/test_runner.py), the rules path must do neither. (A GUI trace, because
    a video's OCR imports onnxruntime, which drops its own telemetry session file `.ses` into TMPDIR.)"""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"TMPDIR": str(scratch), "DATACLAW_STATE_DIR": str(tmp_path / "state"), "DATACLAW_CACHE_DIR": str(tmp_path / "cache")}
    proc = run_claw("-vv", "tailor", str(EXAMPLES / "gui" / "login-trace"), "--intent", "GUI-agent SFT steps", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "ok"
    assert "dataclaw_tailor.graph.nodes" in proc.stderr  # -vv reached the package's loggers
    assert "dataclaw_tailor.model.prompt" not in proc.stderr and "built prompt" not in proc.stderr
    assert list(scratch.iterdir()) == []
