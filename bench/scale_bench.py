"""Scaling benchmark: seconds per 1,000 items at 1k and 10k items for the trace, subtitle and edit paths.

Run:  python bench/scale_bench.py [--sizes 1000,10000] [--paths trace,subtitle,edit]

Each case builds a generated source with N items and runs the whole `tailor` pipeline in-process
(rules backend: detect, extract, synthesise, validate) in a fresh child process with an empty cache,
which prints its wall time and peak RSS. Cases:

- trace: a dataclaw trace.json with N steps (clicks with their element, typed text), tailored as
  education.procedure and gui.trajectory.
- subtitle: a 1-fps video of 2N seconds with an N-cue .srt sidecar, tailored as daily.dense_captions;
  the video pass (not the subtitle path) is run once before the timed call, so it is served from the
  cache and the time is the subtitle path's.
- edit: a numbered sequence of N + 1 small images with instructions.txt (N edit pairs), tailored as
  aigc.edit_pairs.

The ratio column is (s per 1k at the largest size) / (s per 1k at the smallest): about 1 for a linear
path, about 10 for a quadratic one between 1k and 10k. Both sizes run in this one invocation, side by
side, so machine load affects them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = {"trace": ["education.procedure", "gui.trajectory"], "subtitle": ["daily.dense_captions"],
         "edit": ["aigc.edit_pairs"]}


def make_trace(n: int, folder: Path) -> Path:
    steps = []
    for i in range(n):
        if i % 2 == 0:
            x, y = 100 + i % 500, 100 + i % 300
            steps.append({"t": i * 0.5, "action": {"type": "click", "x": x, "y": y},
                          "element": {"text": f"Button {i}", "bbox": [x - 10, y - 10, x + 20, y + 20]}})
        else:
            steps.append({"t": i * 0.5, "action": {"type": "type", "text": f"word{i}"}, "element": None})
    doc = {"format": "dataclaw.gui_trace/v1", "task": "fill in the long form", "platform": "web",
           "screen": {"width": 1280, "height": 800}, "steps": steps}
    folder.mkdir(parents=True)
    (folder / "trace.json").write_text(json.dumps(doc))
    return folder


def _stamp(x: float) -> str:
    h, rest = divmod(x, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{int(s):02d},{int(round((s % 1) * 1000)):03d}"


def make_subtitled_video(n: int, folder: Path) -> Path:
    from dataclaw_tailor.tools.ffmpeg import ffmpeg_exe

    folder.mkdir(parents=True)
    video = folder / "lecture.mp4"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", f"color=c=gray:s=32x32:r=1:d={2 * n + 2}",
                    "-c:v", "libx264", "-g", "600", "-pix_fmt", "yuv420p", str(video)], check=True)
    lines = []
    for i in range(n):
        lines += [str(i + 1), f"{_stamp(2 * i + 0.1)} --> {_stamp(2 * i + 1.6)}", f"Now we do step {i} of the lesson.", ""]
    (folder / "lecture.srt").write_text("\n".join(lines), encoding="utf-8")
    return video


def make_edits(n: int, folder: Path) -> Path:
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True)
    for i in range(n + 1):
        img = np.zeros((24, 24, 3), np.uint8)
        img[(i * 3) % 20:(i * 3) % 20 + 4, (i * 5) % 20:(i * 5) % 20 + 4] = 255
        Image.fromarray(img).save(folder / f"{i:06d}.png")
    (folder / "instructions.txt").write_text("\n".join(f"move the square, edit {i}" for i in range(n)))
    return folder


def one(path: str, task: str, n: int) -> None:
    """Child: build the source, run tailor once, print {seconds, rss_mb, status}."""
    work = Path(tempfile.mkdtemp(prefix="scale-"))
    os.environ["DATACLAW_CACHE_DIR"] = str(work / "cache")
    os.environ["DATACLAW_STATE_DIR"] = str(work / "state")
    import asyncio

    from dataclaw_tailor.core import Intent
    from dataclaw_tailor.service import TailorService
    from dataclaw_tailor.tools import detect, extract

    source = {"trace": make_trace, "subtitle": make_subtitled_video, "edit": make_edits}[path](n, work / "src")
    if path == "subtitle":
        extract(detect(source), ["video"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = asyncio.run(TailorService().tailor(source, Intent(text="training data", task=task)))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rss_mb": peak / 1024, "rss_before_mb": before / 1024,
                      "status": result.status, "anchors": len(result.anchors)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--paths", default="trace,subtitle,edit")
    parser.add_argument("--one", nargs=3, metavar=("PATH", "TASK", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], args.one[1], int(args.one[2]))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'path':9} {'task':22} " + " ".join(f"{f's/1k @{n}':>11} {f'MB @{n}':>9}" for n in sizes) + f" {'ratio':>6}")
    for path in args.paths.split(","):
        for task in CASES[path]:
            per_k, cells = [], []
            for n in sizes:
                proc = subprocess.run([sys.executable, __file__, "--one", path, task, str(n)], capture_output=True,
                                      text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
                if proc.returncode:
                    sys.exit(f"{path} {task} {n}: failed\n{proc.stderr[-2000:]}")
                out = json.loads(proc.stdout.strip().splitlines()[-1])
                per_k.append(out["seconds"] / n * 1000)
                cells.append(f"{per_k[-1]:>11.3f} {out['rss_mb']:>9.0f}")
            print(f"{path:9} {task:22} " + " ".join(cells) + f" {per_k[-1] / per_k[0]:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
