import json
import os

import pytest

from dataclaw_tailor.core import InputError
from dataclaw_tailor.tools.files import iter_jsonl, read_data, read_json, write_atomic


def test_read_json_names_the_file_and_the_problem(tmp_path):
    with pytest.raises(InputError, match="missing.json: schema file not found"):
        read_json(tmp_path / "missing.json", "schema")
    with pytest.raises(InputError, match="schema is not a file"):
        read_json(tmp_path, "schema")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    with pytest.raises(InputError, match=r"bad.json: schema is not valid JSON"):
        read_json(bad, "schema")
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(InputError, match="not UTF-8"):
        read_json(latin, "schema")


def test_jsonl_yields_line_numbers_and_names_the_bad_line(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"a": 1}\n\n[2]\nnope\n')
    rows = iter_jsonl(f, "records")
    assert next(rows) == (1, {"a": 1}) and next(rows) == (3, [2])
    with pytest.raises(InputError, match="x.jsonl: line 4 is not JSON"):
        next(rows)


def test_read_data_picks_the_parser_by_suffix_and_errors_are_one_line(tmp_path):
    (tmp_path / "a.yaml").write_text("- x\n- {y: 2}\n")
    (tmp_path / "a.jsonl").write_text('"x"\n{"y": 2}\n')
    (tmp_path / "a.json").write_text('["x", {"y": 2}]')
    assert read_data(tmp_path / "a.yaml", "intents") == read_data(tmp_path / "a.jsonl", "intents") == read_data(tmp_path / "a.json", "intents")
    (tmp_path / "b.yml").write_text("a: [\n")
    with pytest.raises(InputError) as err:
        read_data(tmp_path / "b.yml", "config")
    assert "b.yml: config is not valid YAML at line 2" in str(err.value) and "\n" not in str(err.value)


def test_write_atomic_replaces_and_leaves_no_temp_file(tmp_path):
    out = tmp_path / "deep" / "out.json"
    write_atomic(out, json.dumps({"v": 1}))
    write_atomic(out, json.dumps({"v": 2}))
    assert json.loads(out.read_text()) == {"v": 2}
    assert os.listdir(out.parent) == ["out.json"]
