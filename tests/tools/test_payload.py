import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def claw(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dataclaw_tailor.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=dict(os.environ))


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
