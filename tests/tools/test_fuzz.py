"""The fast deterministic subset of the fuzz harness (bench/fuzz.py --suite).

About 45 hostile inputs across every input format (a few per format, of the kinds that crashed before:
100,000-deep nesting, 5,000-digit numbers, bad UTF-8, truncation, PNG and gzip bombs, FIFOs, devices,
symlink loops, unreadable files) go through the real `claw anchors` (and `claw tailor` on each seed and
bomb) in child processes with a timeout and their memory measured. The harness runs as its own process
so that its forked children start from a process with no threads.
"""

import json
import os
import subprocess
import sys

from ..conftest import ROOT


def test_hostile_inputs_of_every_format_end_in_one_line_errors(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "fuzz.py"), "--suite", "--out", str(tmp_path),
                           "--jobs", "2", "--timeout", "90"], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    summary = json.loads((tmp_path / "summary.json").read_text())
    total, formats = summary["total"], {row["format"] for row in summary["rows"]}
    assert total["inputs"] >= 35 and len(formats) >= 15
    assert {"video", "image-png", "gui-miniwob-gz", "lerobot-v2.1", "lerobot-v3.0", "robomimic", "rlds", "edits",
            "other"} <= formats
    report = proc.stdout[-4000:]
    assert (total["tracebacks"], total["hangs"], total["over_rss_small"]) == (0, 0, 0), report
    assert total["unnamed_errors"] == 0, report
    assert proc.returncode == 0, report
