"""Regenerate the project's own example inputs (run from anywhere: `python examples/make_examples.py`).

- video/three_shots.mp4: 10 s, 640x360, 25 fps, four synthetic shots with hard cuts at the times in
  video/cuts.json, made with ffmpeg's lavfi sources (testsrc2, mandelbrot, smptebars, life).
- gui/login-trace/: a canonical GUI trace (format `dataclaw.gui_trace/v1`) of a login on a
  drawn web form, with one screenshot per step rendered by Pillow.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SHOTS = [("testsrc2", 3.0), ("mandelbrot", 3.0), ("smptebars", 2.0), ("life=s=640x360:mold=10:r=25:ratio=0.1", 2.0)]


def make_video(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    inputs, labels, t, cuts = [], [], 0.0, []
    for i, (src, dur) in enumerate(SHOTS):
        spec = src if "=" in src else f"{src}=s=640x360:r=25"
        inputs += ["-f", "lavfi", "-t", str(dur), "-i", spec]
        labels.append(f"[{i}:v]format=yuv420p,scale=640:360,setsar=1[v{i}]")
        if i:
            cuts.append(t)
        t += dur
    graph = ";".join(labels) + ";" + "".join(f"[v{i}]" for i in range(len(SHOTS))) + f"concat=n={len(SHOTS)}:v=1:a=0[out]"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", *inputs, "-filter_complex", graph,
           "-map", "[out]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "34", "-g", "50", "-r", "25",
           str(folder / "three_shots.mp4")]
    subprocess.run(cmd, check=True)
    (folder / "cuts.json").write_text(json.dumps({"fps": 25, "duration_s": t, "cuts_s": cuts}, indent=2) + "\n")


FIELDS = {"username": (220, 150, 580, 190), "password": (220, 230, 580, 270), "sign_in": (220, 310, 400, 350)}


def _screen(typed: dict[str, str], signed_in: bool) -> Image.Image:
    img = Image.new("RGB", (800, 600), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=22)
    d.rectangle((0, 0, 800, 60), fill=(40, 70, 140))
    d.text((20, 18), "Acme Portal", fill="white", font=font)
    if signed_in:
        d.text((220, 150), "Welcome back, alice", fill="black", font=font)
        return img
    d.text((220, 120), "Username", fill="black", font=font)
    d.text((220, 200), "Password", fill="black", font=font)
    for name in ("username", "password"):
        d.rectangle(FIELDS[name], outline="black", width=2)
        shown = typed.get(name, "")
        d.text((FIELDS[name][0] + 8, FIELDS[name][1] + 8), "*" * len(shown) if name == "password" else shown, fill="black", font=font)
    d.rectangle(FIELDS["sign_in"], fill=(30, 120, 60))
    d.text((FIELDS["sign_in"][0] + 40, FIELDS["sign_in"][1] + 8), "Sign in", fill="white", font=font)
    return img


def _center(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return (box[0] + box[2]) // 2, (box[1] + box[3]) // 2


def make_gui_trace(folder: Path) -> None:
    (folder / "screens").mkdir(parents=True, exist_ok=True)
    ux, uy = _center(FIELDS["username"])
    px, py = _center(FIELDS["password"])
    bx, by = _center(FIELDS["sign_in"])
    plan = [
        ({}, False, {"type": "click", "x": ux, "y": uy}, {"text": "Username", "bbox": list(FIELDS["username"])}),
        ({}, False, {"type": "type", "text": "alice"}, None),
        ({"username": "alice"}, False, {"type": "click", "x": px, "y": py}, {"text": "Password", "bbox": list(FIELDS["password"])}),
        ({"username": "alice"}, False, {"type": "type", "text": "secret"}, None),
        ({"username": "alice", "password": "secret"}, False, {"type": "click", "x": bx, "y": by}, {"text": "Sign in", "bbox": list(FIELDS["sign_in"])}),
        ({}, True, {"type": "done"}, None),
    ]
    steps = []
    for i, (typed, signed_in, action, element) in enumerate(plan):
        shot = f"screens/{i:03d}.png"
        _screen(typed, signed_in).save(folder / shot)
        steps.append({"t": round(1.5 * i, 2), "screenshot": shot, "action": action, "element": element})
    trace = {
        "format": "dataclaw.gui_trace/v1",
        "task": "Sign in to the Acme Portal as alice",
        "platform": "web",
        "screen": {"width": 800, "height": 600},
        "steps": steps,
    }
    (folder / "trace.json").write_text(json.dumps(trace, indent=2) + "\n")


if __name__ == "__main__":
    make_video(HERE / "video")
    make_gui_trace(HERE / "gui" / "login-trace")
    print(f"examples written under {HERE}")
