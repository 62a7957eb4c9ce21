"""The benchmark runner over the real graph with the rules backend, on the project's own examples."""

import asyncio
import json

import pytest

from dataclaw_tailor.evals.report import summarise, table_text, write_report
from dataclaw_tailor.evals.run import evaluate
from dataclaw_tailor.service import Settings, TailorService

from ..conftest import EXAMPLES, run_claw

THOUGHTS = ["Focus the username field", "Enter the user name", "Focus the password field", "Enter the password", "Press the sign-in button", "The user is signed in"]


def _trajectory_reference() -> dict:
    """Ground truth of the example trace (its recorded actions), with a person's observations and thoughts."""
    trace = json.loads((EXAMPLES / "gui" / "login-trace" / "trace.json").read_text())
    steps = []
    for i, step in enumerate(trace["steps"]):
        action = {"type": None, "x": None, "y": None, "text": None, "keys": None, "direction": None, "amount": None, "to_x": None, "to_y": None}
        action.update(step["action"])
        element = step.get("element") or {}
        steps.append({"index": i, "screenshot": step["screenshot"], "observation": "The Acme Portal sign-in form.", "thought": THOUGHTS[i],
                      "action": action, "target_element": element.get("text"), "anchor_ids": [f"gui_event:{i}"]})
    return {"task": trace["task"], "platform": trace["platform"], "screen": trace["screen"], "steps": steps}


def _captions_reference() -> dict:
    cuts = json.loads((EXAMPLES / "video" / "cuts.json").read_text())
    edges = [0.0, *cuts["cuts_s"], cuts["duration_s"]]
    events = [{"start_s": s, "end_s": e, "caption": f"Coloured shot number {i + 1}", "objects": [], "anchor_ids": [f"shot:{i}"]} for i, (s, e) in enumerate(zip(edges, edges[1:]))]
    return {"summary": "A synthetic video of coloured shots separated by cuts.", "events": events}


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    cases = [
        {"id": "login", "domain": "gui", "task": "gui.trajectory", "source": "examples:gui/login-trace", "intent": "turn this screen recording into GUI-agent SFT steps", "reference": _trajectory_reference()},
        {"id": "shots-fuzzy", "domain": "daily", "task": "daily.dense_captions", "source": "examples:video/three_shots.mp4", "intent": "make this useful for training",
         "fuzzy": True, "answers": {"task": "daily.dense_captions"}, "reference": _captions_reference()},
    ]
    path = tmp_path_factory.mktemp("bench") / "bench.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    return path


@pytest.fixture(scope="module")
def results(bench, tmp_path_factory):
    return evaluate(bench, TailorService(Settings(state_dir=tmp_path_factory.mktemp("state"))))


def test_cases_run_through_the_graph_and_are_scored(results):
    login, shots = results
    assert (login.status, login.routed_task, login.asked) == ("ok", "gui.trajectory", False)
    assert login.valid_repaired and login.field == 100.0 and login.sequence == 100.0
    assert 0.0 < login.semantic < 100.0
    assert (shots.status, shots.routed_task, shots.asked) == ("ok", "daily.dense_captions", True)
    assert shots.sequence > 90.0 and shots.field == 100.0
    assert isinstance(shots.record, dict) and shots.record["events"]


def test_host_written_row_matches_the_rules_backend(results, bench, tmp_path):
    """The scripted assistant writes from each brief alone (clarified with the case's answers) and submits."""
    hosted = evaluate(bench, TailorService(Settings(state_dir=tmp_path)), host_written=True)
    for by_host, by_rules in zip(hosted, results, strict=True):
        assert by_host.status == "ok" and by_host.valid_repaired and by_host.field == 100.0, by_host
        assert by_host.sequence >= by_rules.sequence and by_host.asked == by_rules.asked


def test_report_table_markdown_json_and_chart(results, bench, tmp_path):
    report = summarise(results, bench=str(bench), backend="rules")
    assert [r.domain for r in report.rows] == ["daily", "gui"]
    assert report.total.fuzzy == pytest.approx(results[1].overall) and report.total.fuzzy_asked == 1
    assert report.total.overall == pytest.approx((results[0].overall + results[1].overall) / 2)
    text = table_text(report)
    assert text.splitlines()[0].split() == ["Domain", "n", "Valid", "Valid*", "Field", "Semantic", "Sequence", "Overall", "Fuzzy"]
    assert text.splitlines()[-1].split()[0] == "all"
    paths = write_report(report, tmp_path / "out")
    assert paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads(paths["results"].read_text())
    assert saved["total"]["cases"] == 2 and saved["cases"][0]["overall"] == pytest.approx(results[0].overall)
    assert "| **all** |" in paths["report"].read_text() and "![Scores per domain](chart.png)" in paths["report"].read_text()


@pytest.mark.slow
def test_claw_eval_and_claw_export_end_to_end(bench, tmp_path):
    state = {"DATACLAW_STATE_DIR": str(tmp_path / "state")}
    ran = run_claw("eval", str(bench), "--backend", "rules", "--out", str(tmp_path / "run"), "--only", "login", env=state)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[0].split()[:3] == ["Domain", "n", "Valid"] and "gui" in ran.stdout
    assert {p.name for p in (tmp_path / "run").iterdir()} == {"results.json", "report.md", "chart.png"}

    records = tmp_path / "records.jsonl"
    service = TailorService(Settings(state_dir=tmp_path / "state"))
    envelope = asyncio.run(service.tailor(EXAMPLES / "gui" / "login-trace", "GUI-agent SFT steps"))
    records.write_text(envelope.model_dump_json() + "\n")
    exported = run_claw("export", str(records), "--format", "sharegpt", "--out", str(tmp_path / "sft" / "train.jsonl"))
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in (tmp_path / "sft" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and all(len(r["images"]) == 1 for r in rows)
    assert exported.stdout.startswith("6 samples from 1 records (6 images)")


def test_claw_eval_without_the_devset_says_so(tmp_path):
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"id": "x", "domain": "gui", "task": "gui.trajectory", "source": "devset:gui/screenagent-task101", "intent": "steps", "reference": {}}) + "\n")
    ran = run_claw("eval", str(bench), env={"DATACLAW_DEVSET": str(tmp_path / "absent")})
    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines()[-1].startswith(f"error: {bench}: case x: the real devset is not present")
    assert "Traceback" not in ran.stderr
