"""Fuzz harness: hostile inputs of every input format through `claw anchors` and `claw tailor`.

Run:  python bench/fuzz.py [--out DIR] [--quick] [--jobs 2] [--timeout 120] [--only FORMAT,...]

It builds a valid seed of each format we read (videos with subtitle sidecars, images, our GUI trace,
ScreenAgent, MiniWoB++ .json/.json.gz, AgentNet JSONL, AgentNetBench, AitZ, AitW TFRecord, LeRobot
v2.1/v3.0, robomimic and robosuite HDF5, RLDS TFRecord, edit sequences, plain files) and derives hostile
inputs from each: truncation, byte flips, wrong JSON types, NaN and infinity, 5,000-digit numbers,
100,000-deep nesting, non-UTF-8 text, headers and datasets claiming huge sizes, PNG decompression
bombs, gzip bombs, FIFOs, devices, symlink loops, unreadable (chmod 000) files and folders in place of
files. Every input is run through `claw anchors SOURCE --json` and `claw tailor SOURCE --intent ...`.

Each run is a child process (forked from a parent that has imported the package, so a run costs its
work and not the interpreter's start; `--spawn` runs `python -m dataclaw_tailor.cli` instead) with a
wall-clock timeout, a fresh anchor cache and state dir, and its own process group. The parent samples
the RSS of the child's whole process tree (ffmpeg included) every 20 ms with psutil and kills a tree
that passes --rss-cap. chmod 000 cases run without the capabilities that let root read any file.

A run counts as a traceback when Python printed one, the child died by a signal, or the one-line error
reports an internal failure (`unexpected <Error>`, `extractor ... failed: <Error>`); as a hang when it
outlived --timeout; its error line must name the input (its path or a file inside it). Per format it
prints inputs, runs, tracebacks, hangs, runs over 500 MB for inputs under 1 MB, the peak RSS, and
error lines that do not name the file; details go to DIR/results.jsonl. Exit status 1 when any run
crashed, hung, or passed 500 MB on an input under 1 MB.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RSS_LIMIT_MB = 500
SMALL_INPUT = 1 << 20
INTENT = "make training data from this"


@dataclass
class Case:
    """One hostile input: `path` (a file or folder, maybe with `#episode=N`) of `format`."""

    format: str
    name: str
    path: str
    as_nobody: bool = False
    size: int = 0

    @property
    def label(self) -> str:
        return f"{self.format}/{self.name}"


@dataclass
class Run:
    case: Case
    command: str
    code: int | None = None
    seconds: float = 0.0
    rss_mb: float = 0.0
    hung: bool = False
    killed_rss: bool = False
    traceback: bool = False
    error: str = ""
    names_file: bool = True
    tail: str = ""


# ----------------------------------------------------------------------------------------------- seeds
def _ffmpeg(*args: str) -> None:
    from dataclaw_tailor.tools.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _png(path: Path, w: int = 64, h: int = 48, seed: int = 0) -> Path:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.uint8)
    img[h // 4: h // 2, w // 4: w // 2] = rng.integers(0, 255, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path)
    return path


def seed_video(folder: Path, ext: str = "mp4", codec: str = "libx264") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"clip.{ext}"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=96x64:r=10:d=2", "-f", "lavfi", "-i", "sine=d=2",
            "-c:v", codec, "-pix_fmt", "yuv420p", "-shortest", str(out))
    (folder / "clip.srt").write_text("1\n00:00:00,100 --> 00:00:00,900\nHello there.\n\n"
                                     "2\n00:00:01,000 --> 00:00:01,800\nGeneral Kenobi.\n", encoding="utf-8")
    return out


def seed_canonical(folder: Path) -> Path:
    steps = []
    for i in range(4):
        _png(folder / "screens" / f"{i:03d}.png", 320, 240, i)
        steps.append({"t": i * 1.0, "screenshot": f"screens/{i:03d}.png",
                      "action": {"type": "click", "x": 50 + 20 * i, "y": 60} if i % 2 == 0 else
                      {"type": "type", "text": "hello"},
                      "element": {"text": f"Field {i}", "bbox": [40 + 20 * i, 50, 80 + 20 * i, 70]} if i % 2 == 0
                      else None})
    doc = {"format": "dataclaw.gui_trace/v1", "task": "fill the form", "platform": "web",
           "screen": {"width": 320, "height": 240}, "steps": steps}
    (folder / "trace.json").write_text(json.dumps(doc, indent=1))
    return folder


def seed_screenagent(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        _png(folder / "images" / f"shot{i}.png", 256, 192, i)
        doc = {"task_prompt_en": "search for cake", "video_width": 256, "video_height": 192,
               "saved_image_name": f"shot{i}.png", "current_task": "open the browser",
               "actions": [{"action_type": "MouseAction", "mouse_action_type": "click",
                            "mouse_position": {"width": 30 + i, "height": 40}, "mouse_button": "left"},
                           {"action_type": "KeyboardAction", "keyboard_action_type": "text",
                            "keyboard_text": "cake"}]}
        (folder / f"2024-01-01_10-00-0{i}-000000_translate.json").write_text(json.dumps(doc))
    return folder


def _miniwob_doc() -> dict:
    dom = {"tag": "BODY", "left": 0, "top": 0, "width": 160, "height": 210, "children": [
        {"tag": "INPUT_text", "ref": 5, "left": 10, "top": 60, "width": 120, "height": 20, "text": ""},
        {"tag": "BUTTON", "ref": 6, "left": 10, "top": 100, "width": 60, "height": 20, "text": "Submit"}]}
    states, t = [{"time": 0, "action": None, "dom": dom}], 0
    for kind, extra in [("mousedown", {"x": 20, "y": 70}), ("mouseup", {"x": 20, "y": 70}), ("click", {"x": 20, "y": 70}),
                        ("keydown", {"keyCode": 72}), ("keypress", {"charCode": 104}), ("keyup", {"keyCode": 72}),
                        ("keydown", {"keyCode": 73}), ("keypress", {"charCode": 105}), ("keyup", {"keyCode": 73}),
                        ("mousedown", {"x": 30, "y": 110}), ("mouseup", {"x": 30, "y": 110}),
                        ("click", {"x": 30, "y": 110}), ("scroll", {})]:
        t += 120
        for timing in (1, 3):
            states.append({"time": t, "action": {"type": kind, "timing": timing, **extra}, "dom": dom})
    return {"taskName": "enter-text", "utterance": "Enter \"hi\" into the text field and press Submit.",
            "reward": 0.8, "rawReward": 1, "states": states}


def seed_miniwob(folder: Path, gz: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps(_miniwob_doc()).encode()
    out = folder / ("enter-text_2017.json.gz" if gz else "enter-text_2017.json")
    out.write_bytes(gzip.compress(data) if gz else data)
    return out


def seed_agentnet(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        _png(folder / "images" / f"{i}.png", 200, 120, i)
    traj = [{"index": i, "image": f"{i}.png", "value": {"thought": f"step {i}", "code": code}}
            for i, code in enumerate(["pyautogui.click(x=0.5, y=0.4)", "pyautogui.write(message='hello')",
                                      "computer.terminate(status='success')"])]
    line = {"instruction": "say hello", "traj": traj}
    out = folder / "trajectories.jsonl"
    out.write_text(json.dumps(line) + "\n" + json.dumps({**line, "instruction": "again"}) + "\n")
    return out


def seed_agentnetbench(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    steps = []
    for i in range(3):
        _png(folder / "images" / f"s{i}.png", 256, 144, i)
        steps.append({"step_num": 2 * i + 1, "image": f"s{i}.png", "action": "pyautogui.click(x=0.25, y=0.5)",
                      "inner_monologue": {"low_level_instruction": f"click item {i}"},
                      "ground_truth_actions": [{"type": "click", "metadata": {"bboxes": [
                          {"rel_bbox": [0.2, 0.45, 0.1, 0.1], "abs_bbox": [51, 65, 26, 14]}]}}]})
    doc = {"task_id": "s_0", "user_task_description": "open the book", "meta_info": {
        "screen_resolution": {"width": 1920, "height": 1080}, "system": "windows"}, "steps": steps}
    out = folder / "s_0.json"
    out.write_text(json.dumps(doc))
    return out


def seed_aitz(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(3):
        _png(folder / f"step{i}.png", 108, 240, i)
        rows.append({"episode_id": "e1", "step_id": i, "instruction": "open settings", "image_path": f"x/step{i}.png",
                     "result_action_type": 4 if i < 2 else 10, "result_touch_yx": "[0.5, 0.5]",
                     "result_lift_yx": "[0.5, 0.5]", "result_action_text": "",
                     "ui_positions": "[[0.1, 0.1, 0.1, 0.3]]", "ui_text": "[\"Settings\"]",
                     "coat_action_desc": "tap on Settings"})
    out = folder / "e1.json"
    out.write_text(json.dumps(rows))
    return out


def seed_aitw(folder: Path) -> Path:
    from tests.tools.robot.fixtures import make_example, write_records

    folder.mkdir(parents=True, exist_ok=True)
    payloads = []
    for i in range(3):
        payloads.append(make_example({
            "episode_id": [b"ep1"], "step_id": [i], "goal_info": [b"open the clock"], "image/height": [240],
            "image/width": [108], "results/action_type": [4 if i < 2 else 10],
            "results/yx_touch": [0.5, 0.5], "results/yx_lift": [0.5, 0.5], "results/type_action": [b""],
            "image/ui_annotations_positions": [0.1, 0.1, 0.1, 0.3], "image/ui_annotations_text": [b"Clock"]}))
    out = folder / "aitw.tfrecord"
    write_records(out, payloads)
    return out


def _trajectory(n: int = 40):
    import numpy as np

    t = np.arange(n)
    x = np.clip(t / 15, 0, 1) * 0.3
    z = np.where(t < 20, 0.1, 0.1 + (t - 20) * 0.01)
    grip = np.where(t < 15, 0.08, 0.01)
    return np.stack([x, np.zeros(n), z, grip], axis=1).astype(np.float32)


def seed_lerobot_v21(folder: Path) -> Path:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    state = _trajectory()
    n = len(state)
    info = {"codebase_version": "v2.1", "robot_type": "toy", "fps": 10, "chunks_size": 1000,
            "data_path": "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet",
            "video_path": "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4",
            "features": {"observation.state": {"dtype": "float32", "shape": [4], "names": ["x", "y", "z", "gripper"]},
                         "action": {"dtype": "float32", "shape": [4], "names": ["x", "y", "z", "gripper"]},
                         "observation.images.top": {"dtype": "video", "shape": [64, 96, 3],
                                                    "info": {"video.codec": "h264", "video.fps": 10}}}}
    (folder / "meta").mkdir(parents=True)
    (folder / "meta" / "info.json").write_text(json.dumps(info, indent=1))
    data = folder / "data/chunk-000/episode_000000.parquet"
    data.parent.mkdir(parents=True)
    pq.write_table(pa.table({"observation.state": list(state), "action": list(state),
                             "timestamp": (np.arange(n) / 10).astype(np.float32), "frame_index": np.arange(n),
                             "episode_index": np.zeros(n, dtype=np.int64), "task_index": np.zeros(n, dtype=np.int64)}), data)
    video = folder / "videos/chunk-000/observation.images.top/episode_000000.mp4"
    video.parent.mkdir(parents=True)
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=96x64:r=10:d={n / 10}", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video))
    (folder / "meta" / "episodes.jsonl").write_text(json.dumps({"episode_index": 0, "tasks": ["pick the cube"],
                                                               "length": n}) + "\n")
    (folder / "meta" / "tasks.jsonl").write_text(json.dumps({"task_index": 0, "task": "pick the cube"}) + "\n")
    return folder


def seed_lerobot_v30(folder: Path) -> Path:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    state = _trajectory()
    n = len(state)
    info = {"codebase_version": "v3.0", "robot_type": "toy", "fps": 10, "chunks_size": 1000,
            "data_path": "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
            "video_path": "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4",
            "features": {"observation.state": {"dtype": "float32", "shape": [4], "names": None},
                         "action": {"dtype": "float32", "shape": [4], "names": None},
                         "observation.image": {"dtype": "video", "shape": [3, 64, 96]}}}
    (folder / "meta" / "episodes" / "chunk-000").mkdir(parents=True)
    (folder / "meta" / "info.json").write_text(json.dumps(info, indent=1))
    cols = {"observation.state": list(state) * 2, "action": list(state) * 2,
            "timestamp": list((np.arange(n) / 10).astype(np.float32)) * 2,
            "episode_index": [3] * n + [4] * n, "task_index": [0] * (2 * n)}
    data = folder / "data/chunk-000/file-000.parquet"
    data.parent.mkdir(parents=True)
    pq.write_table(pa.table(cols), data)
    rows = [{"episode_index": e, "tasks": ["place the apple"], "length": n, "data/chunk_index": 0, "data/file_index": 0,
             "videos/observation.image/chunk_index": 0, "videos/observation.image/file_index": 0,
             "videos/observation.image/from_timestamp": float(i * n / 10)} for i, e in enumerate((3, 4))]
    pq.write_table(pa.Table.from_pylist(rows), folder / "meta/episodes/chunk-000/file-000.parquet")
    # as pandas writes it (rerun's apple_storage): the task text is the index column `__index_level_0__`
    pq.write_table(pa.table({"task_index": [0], "__index_level_0__": ["place the apple"]}),
                   folder / "meta" / "tasks.parquet")
    return folder


def seed_robomimic(path: Path, robosuite: bool = False) -> Path:
    import h5py
    import numpy as np

    state = _trajectory()
    n = len(state)
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = np.where(np.arange(n) < 15, -1.0, 1.0)
    actions = np.concatenate([np.diff(state[:, :3], axis=0, prepend=state[:1, :3]), np.zeros((n, 3)), cmd[:, None]], 1)
    xml = ('<mujoco model="base"><worldbody><body name="b"><joint name="robot0_joint1"/><joint name="robot0_joint2"/>'
           '<body name="g"><joint name="gripper0_finger_joint1" type="slide"/></body></body>'
           '<body name="cube"><freejoint name="cube_joint0"/></body></worldbody></mujoco>')
    with h5py.File(path, "w") as f:
        data = f.create_group("data")
        if robosuite:
            data.attrs["env"] = "Lift"
            data.attrs["env_info"] = json.dumps({"env_name": "Lift", "robots": "Panda", "control_freq": 20})
            data.attrs["repository_version"] = "1.4.0"
        else:
            data.attrs["env_args"] = json.dumps({"env_name": "Lift", "env_kwargs": {"control_freq": 20,
                                                                                    "robots": ["Panda"]}})
        for d in (1, 2):
            g = data.create_group(f"demo_{d}")
            g.create_dataset("actions", data=actions)
            if robosuite:
                g.attrs["model_file"] = xml
                qpos = np.concatenate([state[:, :2], state[:, 3:4] / 2, np.zeros((n, 7))], 1)
                g.create_dataset("states", data=np.concatenate([np.arange(n)[:, None] / 20, qpos, np.zeros((n, 9))], 1))
            else:
                g.create_dataset("obs/robot0_eef_pos", data=state[:, :3])
                g.create_dataset("obs/robot0_gripper_qpos", data=np.stack([state[:, 3], -state[:, 3]], 1))
                g.create_dataset("states", data=np.zeros((n, 8)))
    return path


def seed_rlds(folder: Path) -> Path:
    import numpy as np

    from tests.tools.robot.fixtures import make_example, write_records

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset_info.json").write_text(json.dumps({"name": "bridge_dataset", "version": "1.0.0"}))
    payloads = []
    for e in range(2):
        n = 10
        action = np.zeros((n, 7), np.float32)
        action[:, -1] = np.where(np.arange(n) < 4 + e, 1.0, 0.0)
        payloads.append(make_example({
            "steps/action": action.ravel(), "steps/observation/state": np.tile(np.arange(7, dtype=np.float32), n),
            "steps/is_first": [1] + [0] * (n - 1), "steps/is_last": [0] * (n - 1) + [1],
            "steps/language_instruction": [b"put the carrot on the plate"] * n}))
    out = folder / "bridge_dataset-val.tfrecord-00000-of-00001"
    write_records(out, payloads)
    return folder


def seed_edits_json(folder: Path) -> Path:
    for i in range(3):
        _png(folder / f"img{i}.png", 64, 48, i)
    (folder / "edits.json").write_text(json.dumps([{"before": "img0.png", "after": "img1.png", "instruction": "add"},
                                                   {"before": "img1.png", "after": "img2.png", "instruction": "move"}]))
    return folder


def seed_edits_sequence(folder: Path) -> Path:
    for i in range(3):
        _png(folder / f"{i:03d}.png", 64, 48, i)
    (folder / "instructions.txt").write_text("brighten the box\nmove it left\n")
    return folder


def seed_edit_pairs(folder: Path) -> Path:
    _png(folder / "cat_before.png", 64, 48, 1)
    _png(folder / "cat_after.png", 64, 48, 2)
    (folder / "cat.txt").write_text("make the cat orange")
    return folder


# ------------------------------------------------------------------------------------------- mutations
def _flip(data: bytes, rng: random.Random, n: int, lo: int = 0, hi: int | None = None) -> bytes:
    out = bytearray(data)
    hi = len(out) if hi is None else min(hi, len(out))
    for _ in range(n):
        if hi > lo:
            i = rng.randrange(lo, hi)
            out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def byte_mutations(data: bytes, rng: random.Random, quick: bool) -> Iterator[tuple[str, bytes]]:
    """Truncations, bit flips (in the header, the middle and the tail), zeroed and random spans."""
    n = len(data)
    for frac in ((0.5,) if quick else (0.02, 0.1, 0.5, 0.9, 0.999)):
        yield f"truncate-{frac}", data[: max(1, int(n * frac))]
    if quick:
        yield "flip-head", _flip(data, rng, 8, 0, 256)
        return
    yield "flip-head", _flip(data, rng, 8, 0, 256)
    yield "flip-middle", _flip(data, rng, 32, n // 4, 3 * n // 4)
    yield "flip-tail", _flip(data, rng, 8, max(0, n - 256))
    yield "flip-many", _flip(data, rng, max(8, n // 200))
    mid = n // 2
    yield "zero-span", data[:mid] + bytes(min(4096, n - mid)) + data[mid + 4096:]
    yield "random-span", data[:mid] + bytes(rng.randrange(256) for _ in range(min(512, n - mid))) + data[mid + 512:]


HOSTILE_VALUES: list[tuple[str, object]] = [
    ("null", None), ("string", "not the right type \u00e9\u0000"), ("list", [1, [2, [3]]]), ("dict", {"x": {"y": 1}}),
    ("negative", -1), ("zero", 0), ("huge-float", 1e308), ("nan", float("nan")), ("inf", float("inf")),
    ("bool", True), ("empty-string", ""), ("long-string", "A" * 200_000),
]
BIG_INT = "9" * 5000
DEEP = "[" * 100_000 + "]" * 100_000


def _paths(doc: object, prefix: tuple = (), depth: int = 0) -> Iterator[tuple]:
    if depth > 4:
        return
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k), depth + 1)
    elif isinstance(doc, list) and doc:
        yield (*prefix, 0)
        yield from _paths(doc[0], (*prefix, 0), depth + 1)


def _set(doc: object, path: tuple, value: object) -> object:
    doc = json.loads(json.dumps(doc))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def json_mutations(doc: object, rng: random.Random, quick: bool, budget: int) -> Iterator[tuple[str, bytes]]:
    """Wrong types at chosen keys, NaN/inf/5000-digit numbers, deep nesting, wrong top level, bad UTF-8."""
    text = json.dumps(doc)
    yield "top-level-list", b"[1, 2, 3]"
    yield "top-level-number", b"42"
    yield "deep-nesting", DEEP.encode()
    yield "big-int", BIG_INT.encode()
    yield "non-utf8", text.encode()[: len(text) // 2] + b"\xff\xfe\xc3\x28" + text.encode()[len(text) // 2:]
    yield "nan-literal", text.replace("1", "NaN", 3).encode()
    paths = list(_paths(doc))
    rng.shuffle(paths)
    chosen = paths[: (3 if quick else budget)]
    for i, path in enumerate(chosen):
        name, value = HOSTILE_VALUES[(i * 7 + len(path)) % len(HOSTILE_VALUES)]
        where = ".".join(str(p) for p in path)[:60]
        yield f"{where}={name}", json.dumps(_set(doc, path, value)).encode()
        if not quick and i % 3 == 0:
            marker = "\u0000MARK\u0000"
            yield f"{where}=big-int", json.dumps(_set(doc, path, marker)).replace(json.dumps(marker), BIG_INT).encode()
        if not quick and i % 4 == 1:
            marker = "\u0000DEEP\u0000"
            yield f"{where}=deep", json.dumps(_set(doc, path, marker)).replace(json.dumps(marker), DEEP).encode()


def png_bomb(path: Path, side: int = 30000) -> Path:
    """A ~1 MB PNG that decodes to side x side 8-bit grey pixels (900 MB at 30,000)."""
    raw = zlib.compressobj(9)
    row = b"\x00" + bytes(side)
    chunks = []
    for _ in range(side):
        chunks.append(raw.compress(row))
    chunks.append(raw.flush())
    idat = b"".join(chunks)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A small valid PNG whose IHDR (with a correct CRC) claims width x height."""
    data = bytearray(_png(path).read_bytes())
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    path.write_bytes(bytes(data))
    return path


def gzip_bomb(path: Path, inflated: int = 1 << 30, body: bytes = b"0") -> Path:
    """A gzip file that inflates to `inflated` bytes of `{"states": [0,0,0,...` (about 1 MB compressed)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = io.BytesIO()
    out.write(comp.compress(b'{"utterance": "x", "states": ['))
    block = (body + b",") * (1 << 16)
    for _ in range(inflated // len(block)):
        out.write(comp.compress(block))
    out.write(comp.flush())
    path.write_bytes(out.getvalue())
    return path


def special_files(folder: Path, name: str) -> Iterator[tuple[str, Path, bool]]:
    """A FIFO, a device, a symlink loop, a dangling link, an unreadable file and a folder, all at `name`."""
    cases = []
    fifo = folder / "fifo" / name
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    cases.append(("fifo", fifo, False))
    dev = folder / "device" / name
    dev.parent.mkdir(parents=True)
    dev.symlink_to("/dev/zero")
    cases.append(("device-zero", dev, False))
    loop = folder / "loop" / name
    loop.parent.mkdir(parents=True)
    loop.symlink_to(loop.parent / (name + ".other"))
    (loop.parent / (name + ".other")).symlink_to(loop)
    cases.append(("symlink-loop", loop, False))
    dangling = folder / "dangling" / name
    dangling.parent.mkdir(parents=True)
    dangling.symlink_to(folder / "nowhere" / name)
    cases.append(("dangling-link", dangling, False))
    locked = folder / "chmod000" / name
    locked.parent.mkdir(parents=True)
    locked.write_text('{"a": 1}')
    locked.chmod(0)
    cases.append(("chmod-000", locked, True))
    adir = folder / "dir" / name
    adir.mkdir(parents=True)
    cases.append(("folder-not-file", adir, False))
    yield from cases


# --------------------------------------------------------------------------------------------- corpus
class Builder:
    """Collects cases under `root`, each mutation in its own folder."""

    def __init__(self, root: Path, quick: bool, seed: int):
        self.root, self.quick, self.rng = root, quick, random.Random(seed)
        self.cases: list[Case] = []
        self.count = 0

    def slot(self, fmt: str) -> Path:
        self.count += 1
        path = self.root / fmt / f"{self.count:05d}"
        path.mkdir(parents=True)
        return path

    def add(self, fmt: str, name: str, path: Path | str, as_nobody: bool = False) -> None:
        p = Path(str(path).split("#episode=")[0])
        try:
            size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else \
                (p.stat().st_size if p.is_file() else 0)
        except OSError:
            size = 0
        self.cases.append(Case(fmt, name, str(path), as_nobody, size))

    def file_format(self, fmt: str, seed: Callable[[Path], Path], json_doc: bool = False,
                    budget: int = 12) -> None:
        """A single-file format: the seed, its byte mutations, its JSON mutations, special files."""
        base = seed(self.slot(fmt) / "seed")
        self.add(fmt, "seed", base)
        data = base.read_bytes()
        for name, mutated in byte_mutations(data, self.rng, self.quick):
            target = self.slot(fmt) / base.name
            target.write_bytes(mutated)
            self._siblings(base, target)
            self.add(fmt, name, target)
        if json_doc:
            raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            doc = json.loads(raw.splitlines()[0] if base.suffix == ".jsonl" else raw)
            for name, mutated in json_mutations(doc, self.rng, self.quick, budget):
                target = self.slot(fmt) / base.name
                body = mutated + (b"\n" if base.suffix == ".jsonl" else b"")
                target.write_bytes(gzip.compress(body) if base.name.endswith(".gz") else body)
                self._siblings(base, target)
                self.add(fmt, name, target)
        if not self.quick:
            for name, path, nobody in special_files(self.slot(fmt), base.name):
                self.add(fmt, name, path, nobody)

    def _siblings(self, seed: Path, target: Path) -> None:
        """Copy what lies beside the seed file (screenshots, sidecars) next to the mutated copy."""
        for item in seed.parent.iterdir():
            if item.name != seed.name and not (target.parent / item.name).exists():
                (shutil.copytree if item.is_dir() else shutil.copy)(item, target.parent / item.name)

    def folder_format(self, fmt: str, seed: Callable[[Path], Path],
                      mutate: list[tuple[str, Callable[[Path, random.Random], None]]], suffix: str = "") -> None:
        """A folder format: the seed, then each mutation applied to a copy."""
        base = seed(self.slot(fmt) / "seed")
        self.add(fmt, "seed", f"{base}{suffix}")
        for name, fn in mutate:
            copy = self.slot(fmt) / "ds"
            shutil.copytree(base, copy, symlinks=True)
            nobody = fn(copy, self.rng) is True
            self.add(fmt, name, f"{copy}{suffix}", nobody)


def _file_mutators(rel: str, quick: bool) -> list[tuple[str, Callable]]:
    """Mutations of one file inside a folder format: bytes, and special files in its place."""
    out: list[tuple[str, Callable]] = []

    def write_bytes(fn: Callable[[bytes], bytes]) -> Callable:
        def apply(folder: Path, rng: random.Random) -> None:
            target = folder / rel
            target.write_bytes(fn(target.read_bytes()))
        return apply

    for frac in ((0.5,) if quick else (0.1, 0.5, 0.95)):
        out.append((f"{rel}:truncate-{frac}", write_bytes(lambda b, f=frac: b[: max(1, int(len(b) * f))])))
    out.append((f"{rel}:flip", write_bytes(lambda b: _flip(b, random.Random(len(b)), 16))))
    if not quick:
        out.append((f"{rel}:flip-head", write_bytes(lambda b: _flip(b, random.Random(7), 8, 0, 64))))
        out.append((f"{rel}:empty", write_bytes(lambda b: b"")))
        out.append((f"{rel}:non-utf8", write_bytes(lambda b: b[:10] + b"\xff\xfe\x80" + b[10:])))
    special: list[tuple[str, Callable]] = []
    if not quick:
        def make_special(kind: str) -> Callable:
            def apply(folder: Path, rng: random.Random):
                target = folder / rel
                target.unlink()
                if kind == "fifo":
                    os.mkfifo(target)
                elif kind == "device":
                    target.symlink_to("/dev/zero")
                elif kind == "loop":
                    target.symlink_to(target.with_name(target.name + ".x"))
                    target.with_name(target.name + ".x").symlink_to(target)
                elif kind == "chmod":
                    target.write_bytes(b"{}")
                    target.chmod(0)
                    return True
                elif kind == "dir":
                    target.mkdir()
                return None
            return apply

        for kind in ("fifo", "device", "loop", "chmod", "dir"):
            special.append((f"{rel}:{kind}", make_special(kind)))
    return out + special


def folder_json_mutators(seed_folder: Path, rel: str, rng: random.Random, quick: bool,
                         budget: int) -> list[tuple[str, Callable]]:
    raw = (seed_folder / rel).read_bytes()
    first = raw.splitlines()[0] if rel.endswith(".jsonl") else raw
    doc = json.loads(first)
    muts = []
    for name, payload in json_mutations(doc, rng, quick, budget):
        body = payload + (b"\n" if rel.endswith(".jsonl") else b"")

        def apply(folder: Path, rng: random.Random, b=body) -> None:
            (folder / rel).write_bytes(b)
        muts.append((f"{rel}:{name}", apply))
    return muts


def build_corpus(root: Path, quick: bool = False, seed: int = 0, only: set[str] | None = None) -> list[Case]:
    """Every hostile input, deterministic for a seed; `quick` is the small subset the test suite runs."""
    b = Builder(root, quick, seed)
    want = (lambda fmt: only is None or fmt in only)
    seeds_dir = root / "_seeds"
    seeds_dir.mkdir(parents=True, exist_ok=True)

    # videos and their sidecars
    if want("video"):
        b.file_format("video", lambda p: seed_video(p))
        if not quick:
            b.file_format("video-mkv", lambda p: seed_video(p, "mkv"))
            b.file_format("video-avi", lambda p: seed_video(p, "avi", "mjpeg"))
            for side in (4096, 8192):
                f = b.slot("video") / "huge-frame.mp4"
                _ffmpeg("-f", "lavfi", "-i", f"color=c=blue:s={side}x{side}:r=1:d=1", "-c:v", "libx264",
                        "-pix_fmt", "yuv420p", str(f))
                b.add("video", f"{side}x{side}-frames", f)
            f = b.slot("video") / "moov-huge.mp4"
            data = bytearray(seed_video(seeds_dir / "v1").read_bytes())
            at = data.find(b"moov")
            if at > 4:
                struct.pack_into(">I", data, at - 4, 0xFFFFFFF0)
            f.write_bytes(bytes(data))
            b.add("video", "moov-claims-4GB", f)
        f = b.slot("video") / "random.mp4"
        f.write_bytes(bytes(random.Random(seed).randrange(256) for _ in range(50_000)))
        b.add("video", "random-bytes", f)
    if want("subtitles"):
        video = seed_video(seeds_dir / "sv")
        cues = [("negative-time", "1\n-00:00:01,000 --> 00:00:00,500\nbefore the start\n"),
                ("end-before-start", "1\n00:00:01,500 --> 00:00:00,500\nbackwards\n"),
                ("huge-hours", "1\n99999999999:00:00,000 --> 99999999999:00:01,000\nfar\n"),
                ("big-int-time", f"1\n{BIG_INT}:00:00,000 --> 00:00:01,000\nbig\n"),
                ("garbage", "this is not a subtitle --> at all\n\n-->\n\n"),
                ("non-utf8", None), ("nan", "1\nNaN:NaN:NaN,NaN --> 00:00:01,000\nnan\n"),
                ("webvtt-ok", "WEBVTT\n\n00:00.100 --> 00:00.900\nword\n"),
                ("many-cues", "".join(f"{i}\n00:00:00,{i % 900:03d} --> 00:00:00,{i % 900 + 50:03d}\nw{i}\n\n"
                                      for i in range(20_000))),
                ("deep-tags", "1\n00:00:00,100 --> 00:00:00,900\n" + "<i>" * 50_000 + "x" + "</i>" * 50_000 + "\n")]
        for name, text in cues[: 3 if quick else None]:
            folder = b.slot("subtitles")
            shutil.copy(video, folder / "clip.mp4")
            (folder / "clip.srt").write_bytes(b"1\n00:00:00,100 --> \xff\xfe\x80\n\x81\x82\n" if text is None
                                              else text.encode())
            b.add("subtitles", name, folder / "clip.mp4")
        if not quick:
            for kind in ("fifo", "loop", "device", "chmod", "dir"):
                folder = b.slot("subtitles")
                shutil.copy(video, folder / "clip.mp4")
                side = folder / "clip.srt"
                if kind == "fifo":
                    os.mkfifo(side)
                elif kind == "loop":
                    side.symlink_to(folder / "clip.en.srt")
                    (folder / "clip.en.srt").symlink_to(side)
                elif kind == "device":
                    side.symlink_to("/dev/urandom")
                elif kind == "chmod":
                    side.write_text("1\n00:00:00,100 --> 00:00:00,900\nhi\n")
                    side.chmod(0)
                else:
                    side.mkdir()
                b.add("subtitles", f"sidecar-{kind}", folder / "clip.mp4", kind == "chmod")

    # images
    if want("image"):
        b.file_format("image-png", lambda p: _png(p / "pic.png"))
        if not quick:
            from PIL import Image

            def jpg(p: Path) -> Path:
                p.mkdir(parents=True, exist_ok=True)
                Image.open(_png(p / "x.png")).convert("RGB").save(p / "pic.jpg", quality=80)
                return p / "pic.jpg"

            b.file_format("image-jpg", jpg)
            for ext in ("gif", "bmp", "webp"):
                def other(p: Path, ext=ext) -> Path:
                    p.mkdir(parents=True, exist_ok=True)
                    Image.open(_png(p / "x.png")).save(p / f"pic.{ext}")
                    (p / "x.png").unlink()
                    return p / f"pic.{ext}"
                b.file_format(f"image-{ext}", other)
        b.add("image", "png-bomb-30000x30000", png_bomb(b.slot("image") / "bomb.png", 30000 if not quick else 12000))
        b.add("image", "png-claims-65535x65535", png_claiming(b.slot("image") / "claim.png", 65535, 65535))

    # GUI traces
    if want("gui-dataclaw"):
        def canonical_bomb(folder: Path, rng: random.Random) -> None:
            png_bomb(folder / "screens" / "001.png", 20000)
        muts = folder_json_mutators(seed_canonical(seeds_dir / "canon"), "trace.json", b.rng, quick, 14)
        muts += _file_mutators("trace.json", quick) + _file_mutators("screens/000.png", quick)
        muts.append(("screenshot-png-bomb", canonical_bomb))
        muts.append(("screenshot-claims-huge", lambda f, r: png_claiming(f / "screens" / "002.png", 100000, 100000) and None))
        b.folder_format("gui-dataclaw", seed_canonical, muts[: 12 if quick else None])
    if want("gui-screenagent"):
        first = "2024-01-01_10-00-00-000000_translate.json"
        muts = folder_json_mutators(seed_screenagent(seeds_dir / "sa"), first, b.rng, quick, 12)
        muts += _file_mutators(first, quick) + _file_mutators("images/shot0.png", quick)
        b.folder_format("gui-screenagent", seed_screenagent, muts[: 6 if quick else None])
    if want("gui-miniwob"):
        b.file_format("gui-miniwob", lambda p: seed_miniwob(p, gz=False), json_doc=True, budget=16)
        b.file_format("gui-miniwob-gz", lambda p: seed_miniwob(p, gz=True), json_doc=True, budget=6)
        f = b.slot("gui-miniwob-gz") / "bomb_2017.json.gz"
        b.add("gui-miniwob-gz", "gzip-bomb-1GB", gzip_bomb(f, (1 << 30) if not quick else (64 << 20)))
    if want("gui-agentnet"):
        b.file_format("gui-agentnet", seed_agentnet, json_doc=True, budget=14)
        if not quick:
            f = b.slot("gui-agentnet") / "code.jsonl"
            line = {"instruction": "x", "traj": [{"index": 0, "value": {"code": "pyautogui.click(" + "(" * 5000 + ")" * 5000 + ")"}},
                                                 {"index": 1, "value": {"code": "pyautogui.click(x=" + BIG_INT + ", y=0.5)"}},
                                                 {"index": 2, "value": {"code": "pyautogui.write('" + "a" * 90_000 + "')"}}]}
            f.write_text(json.dumps(line) + "\n")
            b.add("gui-agentnet", "hostile-code", f)
    if want("gui-agentnetbench"):
        b.file_format("gui-agentnetbench", seed_agentnetbench, json_doc=True, budget=14)
    if want("gui-aitz"):
        b.file_format("gui-aitz", seed_aitz, json_doc=True, budget=12)
    if want("gui-aitw"):
        b.file_format("gui-aitw", seed_aitw)

    # robots
    if want("lerobot-v2.1"):
        base = seed_lerobot_v21(seeds_dir / "lr21")
        muts = folder_json_mutators(base, "meta/info.json", b.rng, quick, 20)
        muts += folder_json_mutators(base, "meta/episodes.jsonl", b.rng, quick, 6)
        muts += _file_mutators("meta/info.json", quick) + _file_mutators("meta/episodes.jsonl", quick)
        muts += _file_mutators("data/chunk-000/episode_000000.parquet", quick)
        muts += _file_mutators("videos/chunk-000/observation.images.top/episode_000000.mp4", quick)
        muts += parquet_mutators("data/chunk-000/episode_000000.parquet", quick)
        b.folder_format("lerobot-v2.1", seed_lerobot_v21, muts[: 10 if quick else None])
        b.add("lerobot-v2.1", "file-inside-dataset", base / "data/chunk-000/episode_000000.parquet")
        if not quick:
            loop = b.slot("lerobot-v2.1") / "ds"
            shutil.copytree(base, loop, symlinks=True)
            (loop / "data" / "chunk-000" / "again").symlink_to(loop / "data")
            b.add("lerobot-v2.1", "symlink-loop-in-data", loop)
    if want("lerobot-v3.0"):
        base = seed_lerobot_v30(seeds_dir / "lr30")
        muts = folder_json_mutators(base, "meta/info.json", b.rng, quick, 12)
        muts += _file_mutators("meta/episodes/chunk-000/file-000.parquet", quick)
        muts += _file_mutators("meta/tasks.parquet", quick)
        muts += _file_mutators("data/chunk-000/file-000.parquet", quick)
        muts += parquet_mutators("data/chunk-000/file-000.parquet", quick)
        b.folder_format("lerobot-v3.0", seed_lerobot_v30, muts[: 8 if quick else None])
        if not quick:
            b.folder_format("lerobot-v3.0", seed_lerobot_v30, [("episode-99", lambda f, r: None)], "#episode=99")
    if want("robomimic"):
        b.file_format("robomimic", lambda p: seed_robomimic(p / "demo.hdf5"))
        for name, fn in hdf5_mutators(quick):
            f = b.slot("robomimic") / "demo.hdf5"
            fn(f)
            b.add("robomimic", name, f)
    if want("robosuite"):
        b.file_format("robosuite", lambda p: seed_robomimic(p / "demo.hdf5", robosuite=True))
    if want("rlds"):
        muts = _file_mutators("bridge_dataset-val.tfrecord-00000-of-00001", quick)
        muts += folder_json_mutators(seed_rlds(seeds_dir / "rlds"), "dataset_info.json", b.rng, quick, 4)
        muts += tfrecord_mutators("bridge_dataset-val.tfrecord-00000-of-00001", quick)
        b.folder_format("rlds", seed_rlds, muts[: 6 if quick else None])
        b.folder_format("rlds", seed_rlds, [("episode-7", lambda f, r: None)], "#episode=7")

    # edits
    if want("edits"):
        muts = folder_json_mutators(seed_edits_json(seeds_dir / "ej"), "edits.json", b.rng, quick, 10)
        muts += _file_mutators("edits.json", quick) + _file_mutators("img1.png", quick)
        muts.append(("escape-paths", lambda f, r: (f / "edits.json").write_text(json.dumps(
            [{"before": "../../../../etc/passwd", "after": "/dev/zero", "instruction": "x"}])) and None))
        muts.append(("pair-png-bomb", lambda f, r: png_bomb(f / "img1.png", 30000 if not quick else 12000) and None))
        b.folder_format("edits", seed_edits_json, muts[: 8 if quick else None])
        if not quick:
            b.folder_format("edits-sequence", seed_edits_sequence,
                            _file_mutators("instructions.txt", quick) + _file_mutators("001.png", quick))
            b.folder_format("edits-pairs", seed_edit_pairs, _file_mutators("cat.txt", quick) +
                            _file_mutators("cat_after.png", quick))

    # files that are no stream at all
    if want("other"):
        plain = [("annotations.jsonl", b'{"label": "cat", "box": [1, 2, 3, 4]}\n' * 50),
                 ("notes.txt", "just some notes \u00e9\n".encode() * 100), ("binary.bin", bytes(range(256)) * 40),
                 ("empty.json", b""), ("nul.json", b"\x00" * 1000), ("trace.json", b'{"format": "dataclaw.gui_trace/v1", '),
                 ("deep.json", DEEP.encode()), ("bigint.json", BIG_INT.encode()), ("bom.json", b"\xef\xbb\xbf{}")]
        for name, data in plain[: 3 if quick else None]:
            f = b.slot("other") / name
            f.write_bytes(data)
            b.add("other", name, f)
        for name, path, nobody in special_files(b.slot("other"), "thing.json"):
            b.add("other", name, path, nobody)
        if not quick:
            for name, path, nobody in special_files(b.slot("other"), "clip.mp4"):
                b.add("other", f"mp4-{name}", path, nobody)
            big = b.slot("other") / "huge.json.gz"
            b.add("other", "gzip-bomb-json", gzip_bomb(big))
            loopdir = b.slot("other") / "loopdir"
            loopdir.mkdir()
            (loopdir / "self").symlink_to(loopdir)
            (loopdir / "a.png").write_bytes(b"\x89PNG not really")
            b.add("other", "folder-with-self-link", loopdir)
            b.add("other", "missing", b.slot("other") / "does-not-exist.mp4")
    for d in sorted(root.rglob("*"), reverse=True):  # let `nobody` reach the inputs (root made them)
        try:
            if d.is_dir() and not d.is_symlink() and d.stat().st_mode & 0o777:
                d.chmod(0o755)
        except OSError:
            pass
    root.chmod(0o755)
    return b.cases


SUITE_KEYS = ("seed", "deep", "big-int", "non-utf8", "truncate-0.5", "bomb", "claims", "fifo", "device", "loop",
              "chmod", "nan", "top-level-list", "ragged", "strings", "negative", "huge")


def suite(cases: list[Case], per_format: int = 2) -> list[Case]:
    """The fast deterministic subset the test suite runs: per format its seed and the first hostile
    inputs of the kinds that crashed before (nesting, huge numbers, bad UTF-8, bombs, special files)."""
    picked: list[Case] = []
    count: dict[str, int] = {}
    for case in cases:
        if case.format == "other" or "bomb" in case.name or (
                any(k in case.name for k in SUITE_KEYS) and count.get(case.format, 0) < per_format):
            picked.append(case)
            count[case.format] = count.get(case.format, 0) + 1
    return picked


def parquet_mutators(rel: str, quick: bool) -> list[tuple[str, Callable]]:
    """Parquet files that are valid but hostile: wrong column types, ragged rows, NaN, no rows, footers
    claiming huge sizes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    def rewrite(fn: Callable) -> Callable:
        def apply(folder: Path, rng: random.Random) -> None:
            target = folder / rel
            table = pq.read_table(target)
            pq.write_table(fn(table), target)
        return apply

    def set_col(name: str, values) -> Callable:
        return rewrite(lambda t: t.set_column(t.column_names.index(name), name, pa.array(values)) if name in t.column_names
                       else t.append_column(name, pa.array(values)))

    def footer(folder: Path, rng: random.Random) -> None:
        target = folder / rel
        data = bytearray(target.read_bytes())
        struct.pack_into("<I", data, len(data) - 8, 0x7FFFFFF0)  # footer length
        target.write_bytes(bytes(data))

    n = 80
    muts = [
        ("state-as-strings", set_col("observation.state", [f"row {i}" for i in range(n)])),
        ("state-ragged", set_col("observation.state", [[0.1] * (1 + i % 5) for i in range(n)])),
        ("state-nan", set_col("observation.state", [[float("nan")] * 4 for _ in range(n)])),
        ("timestamp-backwards", set_col("timestamp", [float(n - i) for i in range(n)])),
        ("no-rows", rewrite(lambda t: t.slice(0, 0))),
        ("footer-claims-2GB", footer),
    ]
    if not quick:
        muts += [
            ("state-null-rows", set_col("observation.state", [None if i % 3 else [0.0] * 4 for i in range(n)])),
            ("state-nested", set_col("observation.state", [[[0.1, 0.2]] * 2 for _ in range(n)])),
            ("state-huge-width", set_col("observation.state", [list(np.zeros(5000)) for _ in range(n)])),
            ("episode-index-strings", set_col("episode_index", [str(i) for i in range(n)])),
            ("timestamp-inf", set_col("timestamp", [float("inf")] * n)),
            ("no-state-no-action", rewrite(lambda t: t.drop([c for c in ("observation.state", "action") if c in t.column_names]))),
            ("action-only", rewrite(lambda t: t.drop(["observation.state"]))),
        ]
    fixed = []
    for name, fn in muts:
        def safe(folder: Path, rng: random.Random, fn=fn) -> None:
            try:
                fn(folder, rng)
            except (pa.ArrowException, ValueError):
                (folder / rel).write_bytes(b"PAR1 not parquet PAR1")
        fixed.append((f"{rel}:{name}", safe))
    return fixed


def hdf5_mutators(quick: bool) -> list[tuple[str, Callable[[Path], None]]]:
    """robomimic files that are valid HDF5 but hostile."""
    import h5py
    import numpy as np

    def base(path: Path, fn: Callable) -> None:
        seed_robomimic(path)
        with h5py.File(path, "a") as f:
            fn(f)

    def replace(name: str, **kw) -> Callable:
        def fn(f):
            del f[name]
            f.create_dataset(name, **kw)
        return fn

    muts = [
        ("actions-claims-1e9-rows", lambda p: base(p, replace("data/demo_1/actions", shape=(10 ** 9, 7), dtype="f8",
                                                              chunks=(1024, 7)))),
        ("actions-strings", lambda p: base(p, replace("data/demo_1/actions", data=np.array([b"x"] * 40)))),
        ("env-args-not-json", lambda p: base(p, lambda f: f["data"].attrs.__setitem__("env_args", "{nope"))),
        ("control-freq-nan", lambda p: base(p, lambda f: f["data"].attrs.__setitem__(
            "env_args", json.dumps({"env_name": "L", "env_kwargs": {"control_freq": float("nan")}})))),
    ]
    if not quick:
        muts += [
            ("actions-3d", lambda p: base(p, replace("data/demo_1/actions", data=np.zeros((40, 7, 2))))),
            ("actions-empty", lambda p: base(p, replace("data/demo_1/actions", data=np.zeros((0, 7))))),
            ("actions-nan", lambda p: base(p, replace("data/demo_1/actions", data=np.full((40, 7), np.nan)))),
            ("actions-is-group", lambda p: base(p, lambda f: (f.__delitem__("data/demo_1/actions"),
                                                               f.create_group("data/demo_1/actions")))),
            ("eef-wrong-length", lambda p: base(p, replace("data/demo_1/obs/robot0_eef_pos", data=np.zeros((7, 3))))),
            ("env-args-list", lambda p: base(p, lambda f: f["data"].attrs.__setitem__("env_args", "[1, 2]"))),
            ("env-args-deep", lambda p: base(p, lambda f: f["data"].attrs.__setitem__("env_args", DEEP))),
            ("control-freq-string", lambda p: base(p, lambda f: f["data"].attrs.__setitem__(
                "env_args", json.dumps({"env_name": "L", "env_kwargs": {"control_freq": "fast", "robots": 5}})))),
            ("model-file-billion-laughs", lambda p: base(p, lambda f: (f["data"].__delitem__("demo_1/obs"),
                                                                      f["data/demo_1"].attrs.__setitem__(
                "model_file", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + "".join(
                    f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9)) +
                ']><mujoco><worldbody><joint name="&j;"/></worldbody></mujoco>')))),
            ("model-file-missing-path", lambda p: base(p, lambda f: (f["data"].__delitem__("demo_1/obs"),
                                                                    f["data/demo_1"].attrs.__setitem__("model_file", "../../../etc/shadow")))),
            ("demo-names-odd", lambda p: base(p, lambda f: f.move("data/demo_1", "data/demo_x"))),
            ("no-data-group", lambda p: base(p, lambda f: f.move("data", "other"))),
            ("attr-huge", lambda p: base(p, lambda f: f["data"].attrs.__setitem__("env_args", "x" * (60 << 20)))),
        ]
    return muts


def tfrecord_mutators(rel: str, quick: bool) -> list[tuple[str, Callable]]:
    from dataclaw_tailor.tools.robot.tfrecord import _masked_crc
    from tests.tools.robot.fixtures import make_example, write_records

    def claim(folder: Path, rng: random.Random) -> None:
        target = folder / rel
        length = struct.pack("<Q", 1 << 40)
        target.write_bytes(length + struct.pack("<I", _masked_crc(length)) + b"x" * 100)

    def records(payloads: list[bytes]) -> Callable:
        def apply(folder: Path, rng: random.Random) -> None:
            write_records(folder / rel, payloads)
        return apply

    muts = [("claims-1TB-record", claim), ("not-protobuf", records([b"\xff" * 64]))]
    if not quick:
        muts += [
            ("action-as-bytes", records([make_example({"steps/action": [b"x"] * 7, "steps/is_first": [1]})])),
            ("counter-mismatch", records([make_example({"steps/action": [0.5] * 13, "steps/is_first": [1, 0, 0]})])),
            ("no-counters", records([make_example({"steps/action": [0.5] * 14})])),
            ("nan-actions", records([make_example({"steps/action": [float("nan")] * 14, "steps/is_first": [1, 0]})])),
            ("images-not-jpeg", records([make_example({"steps/action": [0.5] * 14, "steps/is_first": [1, 0],
                                                       "steps/observation/image_0": [b"\x89PNG", b"junk"]})])),
        ]
    return [(f"{rel}:{n}", fn) for n, fn in muts]


# ----------------------------------------------------------------------------------------------- runner
def _child(case: Case, command: str, work: Path, out: Path, err: Path, spawn: bool) -> None:
    """In the forked child: isolate, then run the CLI the way `claw` does."""
    os.setsid()
    cache, state = work / "cache", work / "state"
    for d in (cache, state):
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o777)
    os.environ.update({"DATACLAW_CACHE_DIR": str(cache), "DATACLAW_STATE_DIR": str(state),
                       "HOME": str(work), "XDG_CACHE_HOME": str(work), "PYTHONHASHSEED": "0"})
    fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    os.dup2(fd_out, 1)
    os.dup2(fd_err, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    if case.as_nobody and os.geteuid() == 0:
        _drop_file_capabilities()
    argv = ["anchors", case.path, "--json"] if command == "anchors" else \
        ["tailor", case.path, "--intent", INTENT, "--json", "--state-dir", str(state)]
    if spawn:
        os.execv(sys.executable, [sys.executable, "-m", "dataclaw_tailor.cli", *argv])
    code = 70
    try:
        from dataclaw_tailor import cli

        sys.argv = ["claw", *argv]
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - exactly what the harness looks for
        import traceback

        traceback.print_exc()
        code = 70
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _drop_file_capabilities() -> None:
    """Make root subject to file permissions (as a user is), for this process and what it executes: drop
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding, permitted and effective sets. (Becoming
    `nobody` instead would also lock it out of the interpreter's own files under /root.)"""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    caps = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    for cap in caps:
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        return
    mask = ~sum(1 << c for c in caps) & 0xFFFFFFFF
    data[0].effective &= mask
    data[0].permitted &= mask
    data[0].inheritable &= mask
    libc.capset(ctypes.byref(header), data)


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in members:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


INTERNAL = re.compile(r"unexpected \w*(Error|Exception)|extractor \S+ failed: \w*(Error|Exception)")


def _judge(run: Run, err_text: str) -> None:
    lines = [ln for ln in err_text.splitlines() if ln.strip()]
    run.tail = "\n".join(lines[-12:])
    run.traceback = "Traceback (most recent call last)" in err_text or (run.code is not None and run.code < 0)
    errors = [ln for ln in lines if ln.startswith("error: ")]
    run.error = errors[-1][:400] if errors else ""
    if run.error and INTERNAL.search(run.error):
        run.traceback = True  # an internal failure dressed as a one-line error is still a crash
    if not run.error and run.code not in (0, 3) and not run.traceback:
        run.error = (lines[-1] if lines else f"(exit {run.code}, nothing on stderr)")[:400]
        run.names_file = False
    elif run.error:
        base = run.case.path.split("#episode=")[0]
        names = {base, Path(base).name, str(Path(base).resolve()) if not Path(base).is_symlink() else base}
        run.names_file = any(n and n in run.error for n in names) or \
            any(part in run.error for part in (str(Path(base).parent),))


def run_all(cases: list[Case], work: Path, *, jobs: int, timeout: float, rss_cap_mb: int, spawn: bool,
            commands: tuple[str, ...] = ("anchors", "tailor"),
            progress: Callable[[Run], None] | None = None) -> list[Run]:
    """Run every case under every command, `jobs` at a time; returns the runs in case order."""
    import psutil

    if not spawn:  # pay the imports once, before forking
        import dataclaw_tailor.cli  # noqa: F401
        import dataclaw_tailor.graph  # noqa: F401
        import dataclaw_tailor.tools  # noqa: F401
        import h5py  # noqa: F401
        import numpy  # noqa: F401
        import PIL.Image  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    todo = [(c, cmd) for c in cases for cmd in commands]
    results: list[Run] = []
    active: dict[int, tuple[Run, float, object, Path, Path]] = {}
    index = 0
    while index < len(todo) or active:
        while index < len(todo) and len(active) < jobs:
            case, command = todo[index]
            slot = work / f"run-{index:05d}"
            slot.mkdir(parents=True)
            slot.chmod(0o777)
            out, err = slot / "stdout", slot / "stderr"
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(case, command, slot, out, err, spawn)
            run = Run(case=case, command=command)
            active[pid] = (run, time.monotonic(), psutil.Process(pid), out, err)
            index += 1
        time.sleep(0.02)
        for pid, (run, start, proc, out, err) in list(active.items()):
            rss = _tree_rss(proc) / (1 << 20)
            run.rss_mb = max(run.rss_mb, rss)
            elapsed = time.monotonic() - start
            if rss > rss_cap_mb or elapsed > timeout:
                run.killed_rss = rss > rss_cap_mb
                run.hung = not run.killed_rss
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == 0:
                continue
            run.seconds = elapsed
            run.rss_mb = max(run.rss_mb, usage.ru_maxrss / 1024)
            run.code = os.waitstatus_to_exitcode(status)
            try:
                os.killpg(pid, signal.SIGKILL)  # leftovers (an ffmpeg the child started)
            except (ProcessLookupError, PermissionError):
                pass
            if run.hung or run.killed_rss:
                run.code = None
            _judge(run, err.read_text(errors="replace") if err.exists() else "")
            if run.hung or run.killed_rss:
                run.traceback = False
            shutil.rmtree(out.parent, ignore_errors=True)
            del active[pid]
            results.append(run)
            if progress is not None:
                progress(run)
    order = {(id(c), cmd): i for i, (c, cmd) in enumerate(todo)}
    return sorted(results, key=lambda r: order[(id(r.case), r.command)])


def summarize(runs: list[Run]) -> tuple[list[dict], dict]:
    rows: dict[str, dict] = {}
    for r in runs:
        row = rows.setdefault(r.case.format, {"format": r.case.format, "inputs": set(), "runs": 0, "tracebacks": 0,
                                              "hangs": 0, "over_rss_small": 0, "peak_rss_mb": 0.0,
                                              "peak_rss_small_mb": 0.0, "unnamed_errors": 0})
        row["inputs"].add(r.case.path)
        row["runs"] += 1
        row["tracebacks"] += r.traceback
        row["hangs"] += r.hung
        row["peak_rss_mb"] = max(row["peak_rss_mb"], r.rss_mb)
        if r.case.size < SMALL_INPUT:
            row["peak_rss_small_mb"] = max(row["peak_rss_small_mb"], r.rss_mb)
            row["over_rss_small"] += r.rss_mb > RSS_LIMIT_MB or r.killed_rss
        row["unnamed_errors"] += bool(r.error) and not r.names_file
    out = []
    for row in rows.values():
        row["inputs"] = len(row["inputs"])
        out.append(row)
    total = {k: sum(r[k] for r in out) for k in ("inputs", "runs", "tracebacks", "hangs", "over_rss_small",
                                                 "unnamed_errors")}
    total["peak_rss_small_mb"] = max((r["peak_rss_small_mb"] for r in out), default=0.0)
    return out, total


def print_table(rows: list[dict], total: dict) -> None:
    head = f"{'format':20} {'inputs':>6} {'runs':>5} {'tracebacks':>10} {'hangs':>5} {'>500MB':>6} " \
           f"{'peak MB (<1MB in)':>17} {'peak MB':>8} {'unnamed err':>11}"
    print(head)
    print("-" * len(head))
    for r in sorted(rows, key=lambda r: r["format"]):
        print(f"{r['format']:20} {r['inputs']:>6} {r['runs']:>5} {r['tracebacks']:>10} {r['hangs']:>5} "
              f"{r['over_rss_small']:>6} {r['peak_rss_small_mb']:>17.0f} {r['peak_rss_mb']:>8.0f} {r['unnamed_errors']:>11}")
    print("-" * len(head))
    print(f"{'all':20} {total['inputs']:>6} {total['runs']:>5} {total['tracebacks']:>10} {total['hangs']:>5} "
          f"{total['over_rss_small']:>6} {total['peak_rss_small_mb']:>17.0f} {'':>8} {total['unnamed_errors']:>11}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="where inputs, runs and results.jsonl go")
    parser.add_argument("--quick", action="store_true", help="fewer mutations per format")
    parser.add_argument("--suite", action="store_true",
                        help="the fast subset the test suite runs (quick inputs, a few per format; tailor on seeds)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--rss-cap", type=int, default=2048, help="MB; a process tree above it is killed")
    parser.add_argument("--only", default=None, help="comma-separated formats")
    parser.add_argument("--commands", default="anchors,tailor")
    parser.add_argument("--spawn", action="store_true", help="exec `python -m dataclaw_tailor.cli` per run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="claw-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    inputs = out / "inputs"
    if inputs.exists():
        shutil.rmtree(inputs)
    started = time.monotonic()
    cases = build_corpus(inputs, quick=args.quick or args.suite, seed=args.seed,
                         only=set(args.only.split(",")) if args.only else None)
    if args.suite:
        cases = suite(cases)
    print(f"{len(cases)} inputs built in {time.monotonic() - started:.0f} s under {inputs}", flush=True)
    log = (out / "results.jsonl").open("w")

    def progress(run: Run) -> None:
        log.write(json.dumps({"format": run.case.format, "case": run.case.name, "path": run.case.path,
                              "size": run.case.size, "command": run.command, "code": run.code,
                              "seconds": round(run.seconds, 2), "rss_mb": round(run.rss_mb, 1), "hung": run.hung,
                              "killed_rss": run.killed_rss, "traceback": run.traceback, "error": run.error,
                              "names_file": run.names_file, "tail": run.tail if run.traceback or run.hung else ""}) + "\n")
        log.flush()
        if run.traceback or run.hung or run.killed_rss:
            what = "TRACEBACK" if run.traceback else "HANG" if run.hung else "RSS"
            print(f"  {what} {run.command} {run.case.label}: {run.tail.splitlines()[-1] if run.tail else ''}"[:300],
                  flush=True)

    commands = tuple(args.commands.split(","))
    if args.suite:  # every input through anchors; tailor (the slower path) on the seeds and a few hostile ones
        runs = run_all(cases, out / "runs", jobs=args.jobs, timeout=args.timeout, rss_cap_mb=args.rss_cap,
                       spawn=args.spawn, commands=("anchors",), progress=progress)
        runs += run_all([c for c in cases if c.name == "seed" or "bomb" in c.name],
                        out / "runs-tailor", jobs=args.jobs, timeout=args.timeout, rss_cap_mb=args.rss_cap,
                        spawn=args.spawn, commands=("tailor",), progress=progress)
    else:
        runs = run_all(cases, out / "runs", jobs=args.jobs, timeout=args.timeout, rss_cap_mb=args.rss_cap,
                       spawn=args.spawn, commands=commands, progress=progress)
    log.close()
    rows, total = summarize(runs)
    print(f"\n{len(runs)} runs in {time.monotonic() - started:.0f} s; details in {out / 'results.jsonl'}")
    print_table(rows, total)
    (out / "summary.json").write_text(json.dumps({"rows": rows, "total": total}, indent=1))
    sys.exit(1 if total["tracebacks"] or total["hangs"] or total["over_rss_small"] else 0)


if __name__ == "__main__":
    main()
