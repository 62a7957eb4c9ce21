"""`claw view` benchmark: a 100-step GUI trace and a 10-minute video with 200 anchors, opened in headless Chromium.

Run:  python bench/view_bench.py [--repeat 5] [--keep DIR]

Target: each page is ready in the browser in under 2 s. For each page it prints the Python render time
(`render_view`) and, over --repeat fresh tabs, the browser's load end (`loadEventEnd`), the end of the
page's script (`window.viewReady`) and the first frame painted after load (two animation frames), all
from navigation start (`performance.now()`). Peer measured in the same run: a bare page with the same
pictures as plain <img> tags and nothing else, the least any page that shows these pictures must cost;
the ratio says what the timeline, links and cards add.

Inputs: the trace is a real `claw tailor` run (rules backend, gui.trajectory) on a generated 100-step
canonical trace with a drawn 1024x768 screenshot per step. The video envelope is synthetic (a 10-minute
source, 40 shots, 39 cuts, 40 keyframes with drawn 512x288 pictures, 40 OCR, 41 subtitles = 200 anchors,
40 caption items): extraction is not what this measures, and a real 10-minute clip would take minutes here.
Needs Debian's chromium and playwright (the dev extra).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from dataclaw_tailor.view import render_view  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
TIMINGS = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done({
  load: performance.getEntriesByType('navigation')[0].loadEventEnd,
  script: window.viewReady ?? null,
  painted: performance.now(),
}))))"""


def screen(n: int) -> Image.Image:
    img = Image.new("RGB", (1024, 768), (245, 246, 248))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=18)
    d.rectangle((0, 0, 1024, 48), fill=(40 + n % 60, 70, 140))
    d.text((16, 14), f"Inventory app - screen {n}", fill="white", font=font)
    for row in range(14):
        y = 70 + row * 46
        d.rectangle((40, y, 980, y + 38), outline=(200, 200, 210), fill="white" if (row + n) % 2 else (250, 250, 255))
        d.text((52, y + 10), f"Item {row + n * 14:05d}   qty {(row * 7 + n) % 97:3d}   bin A-{row % 9}", fill="black", font=font)
    return img


def make_trace(folder: Path, steps: int = 100) -> Path:
    (folder / "screens").mkdir(parents=True)
    out = []
    for n in range(steps):
        screen(n).save(folder / "screens" / f"{n:03d}.png")
        row = n % 14
        box = [40, 70 + row * 46, 980, 108 + row * 46]
        action = {"type": "click", "x": 300 + n % 400, "y": box[1] + 19} if n % 3 else {"type": "type", "text": f"query {n}"}
        out.append({"t": n * 1.5, "screenshot": f"screens/{n:03d}.png", "action": action,
                    "element": {"text": f"Item {row + n * 14:05d}", "bbox": box} if n % 3 else None})
    trace = {"format": "dataclaw.gui_trace/v1", "task": "Check stock of 100 items", "platform": "web",
             "screen": {"width": 1024, "height": 768}, "steps": out}
    (folder / "trace.json").write_text(json.dumps(trace))
    return folder


def tailor_trace(folder: Path, out: Path, scratch: Path) -> Path:
    env = {**os.environ, "DATACLAW_CACHE_DIR": str(scratch / "cache"), "DATACLAW_STATE_DIR": str(scratch / "state")}
    subprocess.run([sys.executable, "-m", "dataclaw_tailor.cli", "tailor", str(folder), "-i", "GUI agent trajectory",
                    "--task", "gui.trajectory", "--out", str(out)], check=True, env=env, cwd=ROOT, capture_output=True)
    return out


def make_video_envelope(folder: Path, minutes: float = 10, shots: int = 40) -> Path:
    duration = minutes * 60
    length = duration / shots
    font = ImageFont.load_default(size=28)
    anchors, events = [], []
    (folder / "keyframes").mkdir(parents=True)
    for i in range(shots):
        s, e = round(i * length, 3), round((i + 1) * length, 3)
        frame = Image.new("RGB", (512, 288), ((i * 53) % 255, (i * 97) % 255, (i * 31) % 255))
        ImageDraw.Draw(frame).text((20, 120), f"shot {i} at {s:.0f} s", fill="white", font=font)
        frame.save(folder / "keyframes" / f"{i:04d}.jpg", quality=85)
        anchors += [
            {"id": f"shot:{i}", "kind": "shot", "t": [s, e], "c": {"index": i}},
            {"id": f"keyframe:{i}", "kind": "keyframe", "t": s + 1, "c": {"path": str(folder / "keyframes" / f"{i:04d}.jpg"), "shot": f"shot:{i}"}},
            {"id": f"ocr:{i}", "kind": "ocr", "t": s + 2, "p": [10, 10, 200, 40], "c": f"SCOREBOARD {i}:{i % 7}"},
            {"id": f"subtitle:{i}", "kind": "subtitle", "t": [s + 3, s + 8], "c": f"Line {i}: the commentator describes play {i}."},
        ]
        if i:
            anchors.append({"id": f"cut:{i - 1}", "kind": "cut", "t": s, "c": {"type": "hard", "score": 120.0}})
        events.append({"start_s": s, "end_s": e, "caption": f"Shot {i + 1}: play {i} with the scoreboard at {i}:{i % 7}.",
                       "objects": ["player", "ball"], "anchor_ids": [f"shot:{i}", f"keyframe:{i}", f"ocr:{i}", f"subtitle:{i}"]})
    anchors.append({"id": f"subtitle:{shots}", "kind": "subtitle", "t": [duration - 5, duration - 1], "c": "End of the broadcast."})
    envelope = {"status": "ok", "task": "daily.dense_captions", "domain": "daily",
                "source": {"path": "match.mp4", "kind": "video", "format": "mp4", "content_hash": "bench",
                           "meta": {"duration_s": duration, "width": 1280, "height": 720, "fps": 25}},
                "anchors": anchors, "record": {"summary": "A 10-minute match.", "events": events},
                "validation": {"valid": True, "errors": [], "repairs": []}, "thread_id": "bench"}
    assert len(anchors) == 200, len(anchors)
    out = folder / "video.json"
    out.write_text(json.dumps(envelope))
    return out


def bare_peer(page: Path, out: Path) -> Path:
    """The same pictures, each once, as plain <img> tags: no timeline, no cards, no script."""
    html = page.read_text()
    start = html.index('<script type="application/json" id="page-data">') + len('<script type="application/json" id="page-data">')
    data = json.loads(html[start:html.index("</script>", start)])
    imgs = "".join(f'<img src="{v["src"]}" width="480">' for v in data["images"].values())
    out.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{imgs}</body></html>")
    return out


def measure(context, path: Path, repeat: int) -> list[dict]:
    runs = []
    for _ in range(repeat):
        tab = context.new_page()
        tab.goto(path.resolve().as_uri(), wait_until="load")
        runs.append(tab.evaluate(TIMINGS))
        tab.close()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Keep the pages in this folder.")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="view-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        inputs = {
            "gui trace, 100 steps": tailor_trace(make_trace(work / "trace"), work / "trace.json", work),
            "video 10 min, 200 anchors": make_video_envelope(work / "video"),
        }
        pages = {}
        for name, envelope in inputs.items():
            start = time.perf_counter()
            result = render_view(envelope, work / f"{envelope.stem}.html", chart=True)
            pages[name] = (Path(result.page), time.perf_counter() - start)
        profile = work / "profile"
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True, args=FLAGS,
                                                            viewport={"width": 1400, "height": 1000})
            print(f"{'page':<28}{'MB':>6}{'render s':>10}{'load ms':>10}{'script ms':>11}{'painted ms':>12}"
                  f"{'peer ms':>9}{'ratio':>7}{'< 2 s':>7}")
            for name, (page, render_s) in pages.items():
                ours = measure(context, page, args.repeat)
                peer = measure(context, bare_peer(page, page.with_name(page.stem + ".peer.html")), args.repeat)
                med = {k: statistics.median(r[k] for r in ours) for k in ("load", "script", "painted")}
                worst = max(r["painted"] for r in ours)
                peer_ms = statistics.median(r["painted"] for r in peer)
                print(f"{name:<28}{page.stat().st_size / 2**20:>6.1f}{render_s:>10.2f}{med['load']:>10.0f}{med['script']:>11.0f}"
                      f"{med['painted']:>12.0f}{peer_ms:>9.0f}{med['painted'] / peer_ms:>7.2f}{'yes' if worst < 2000 else 'NO':>7}")
            context.close()
        print(f"medians of {args.repeat} fresh tabs; '< 2 s' holds for the slowest of them (painted).")


if __name__ == "__main__":
    main()
