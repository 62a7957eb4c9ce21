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


def test_append_line_is_whole_or_nothing_and_recovery_cuts_a_torn_tail(tmp_path):
    from dataclaw_tailor.core import OutputError
    from dataclaw_tailor.tools.files import append_line, recover_jsonl

    out = tmp_path / "o.jsonl"
    append_line(out, '{"a": 1}')
    with out.open("a") as fh:
        fh.write('{"b": ')  # a run killed mid-line
    recover_jsonl(out)
    append_line(out, '{"c": 3}\n')
    assert out.read_text() == '{"a": 1}\n{"c": 3}\n'
    with pytest.raises(OutputError, match=r"^/dev/full: cannot write \(no space left on the device\)$"):
        append_line("/dev/full", '{"d": 4}')


def test_write_atomic_on_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path):
    import subprocess

    from dataclaw_tailor.core import OutputError

    mount = tmp_path / "m"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        write_atomic(mount / "r.json", '{"v": 1}')
        with pytest.raises(OutputError, match=r"r\.json: cannot write \(no space left on the device\)"):
            write_atomic(mount / "r.json", "x" * 200_000)
        assert json.loads((mount / "r.json").read_text()) == {"v": 1}
        assert sorted(os.listdir(mount)) == ["r.json"]
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_bounded_reads_refuse_fifos_bombs_deep_nesting_and_huge_numbers(tmp_path):
    import gzip

    from dataclaw_tailor.tools.files import read_bytes

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"pipe\.json: trace is a FIFO, not a regular file"):
        read_json(fifo, "trace")
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (8 << 20)))
    with pytest.raises(InputError, match=r"bomb\.json\.gz: trace inflates past the 1\.0 MiB"):
        read_bytes(bomb, "trace", 1 << 20, gunzip=True)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match=r"deep\.json: trace nests too deeply"):
        read_json(deep, "trace")
    big = tmp_path / "big.json"
    big.write_text('{"x": ' + "9" * 5000 + "}")
    with pytest.raises(InputError, match=r"big\.json: trace is not valid JSON"):
        read_json(big, "trace")
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match=r"loop\.json: trace path is a symlink loop"):
        read_json(loop, "trace")
