import json

from ..conftest import ROOT
from ..conftest import run_claw as claw


def test_claw_anchors_json_on_example_video():
    proc = claw("anchors", "examples/video/three_shots.mp4", "--kinds", "cut,shot", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    truth = json.loads((ROOT / "examples/video/cuts.json").read_text())
    assert doc["source"]["kind"] == "video" and doc["source"]["meta"]["fps"] == truth["fps"]
    cuts = [a["t"] for a in doc["anchors"] if a["kind"] == "cut"]
    assert cuts == truth["cuts_s"]
    assert {a["kind"] for a in doc["anchors"]} == {"cut", "shot"}


def test_claw_anchors_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    proc = claw("anchors", str(bad))
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith(f"error: {bad}:") and len(proc.stderr.strip().splitlines()) == 1


def test_claw_anchors_text_is_one_anchor_line_each():
    proc = claw("anchors", "examples/video/three_shots.mp4", "--kinds", "shot")
    assert proc.returncode == 0, proc.stderr
    header, *lines = proc.stdout.strip().splitlines()
    assert header.startswith("examples/video/three_shots.mp4: video (mp4)")
    assert lines[0] == 'shot:0 t=[0.0,3.0] c={"index":0}' and len(lines) == 4
