import json

import pytest

from dataclaw_tailor.core import InputError
from dataclaw_tailor.evals.cases import BenchCase, load_cases, resolve_source

CASE = {"id": "a", "domain": "daily", "task": "daily.dense_captions", "source": "examples:video/three_shots.mp4", "intent": "captions", "reference": {"summary": "x", "events": []}}


def _bench(tmp_path, *lines):
    path = tmp_path / "bench.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cases_load_and_sources_resolve(tmp_path):
    (tmp_path / "local.mp4").write_bytes(b"")
    bench = _bench(tmp_path, json.dumps(CASE), json.dumps(dict(CASE, id="b", source="local.mp4", fuzzy=True, answers={"task": "daily.dense_captions"})))
    cases = load_cases(bench)
    assert [c.id for c in cases] == ["a", "b"] and cases[1].fuzzy and not cases[0].fuzzy
    assert resolve_source(cases[0], bench).endswith("examples/video/three_shots.mp4")
    assert resolve_source(cases[1], bench) == str(tmp_path / "local.mp4")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1 is not JSON"),
        (json.dumps({k: v for k, v in CASE.items() if k != "reference"}), "line 1: reference: Field required"),
    ],
)
def test_bad_benchmark_lines_name_the_file_and_line(tmp_path, line, message):
    with pytest.raises(InputError, match=message):
        load_cases(_bench(tmp_path, line))


def test_duplicate_ids_and_empty_files_are_rejected(tmp_path):
    with pytest.raises(InputError, match="duplicate case id 'a'"):
        load_cases(_bench(tmp_path, json.dumps(CASE), json.dumps(CASE)))
    with pytest.raises(InputError, match="no cases"):
        load_cases(_bench(tmp_path, ""))
    with pytest.raises(InputError, match="benchmark file not found"):
        load_cases(tmp_path / "missing.jsonl")


def test_missing_devset_and_missing_sources_are_clear_errors(tmp_path, monkeypatch):
    bench = tmp_path / "bench.jsonl"
    monkeypatch.setenv("DATACLAW_DEVSET", str(tmp_path / "nowhere"))
    case = BenchCase.model_validate(dict(CASE, source="devset:gui/screenagent-task101"))
    with pytest.raises(InputError, match="case a: the real devset is not present .*set DATACLAW_DEVSET"):
        resolve_source(case, bench)
    (tmp_path / "devset" / "robot" / "ds").mkdir(parents=True)
    monkeypatch.setenv("DATACLAW_DEVSET", str(tmp_path / "devset"))
    episode = BenchCase.model_validate(dict(CASE, source="devset:robot/ds#episode=3"))
    assert resolve_source(episode, bench) == f"{tmp_path / 'devset' / 'robot' / 'ds'}#episode=3"
    gone = BenchCase.model_validate(dict(CASE, source="devset:robot/other"))
    with pytest.raises(InputError, match="source .*robot/other does not exist"):
        resolve_source(gone, bench)


def test_missing_eval_extra_is_one_clear_error(monkeypatch):
    import importlib.util

    from dataclaw_tailor.core import DataClawError
    from dataclaw_tailor.evals import embed

    # scipy is installed here; hide it to see what a core-only install (no eval extra) gets.
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "scipy" else real(name, *a))
    with pytest.raises(DataClawError, match=r"evaluation needs scipy: pip install 'dataclaw-tailor\[eval\]'"):
        embed.require_eval_extra()
