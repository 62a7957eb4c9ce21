"""RLDS episodes stored as TFRecord (tfds builder output, e.g. BridgeData), read without TensorFlow.

Mapping: each record is one episode with flattened `steps/...` features. `steps/action` reshapes to
(T, D); `steps/observation/state` to (T, D); `steps/language_instruction` gives the instruction. Gripper:
the last action dimension when it lies in [0, 1], with 1 = open (Bridge/WidowX convention), so closure
= 1 - a[:, -1]. The effector is the first three state dims (end-effector xyz). RLDS stores no rate:
known datasets use their published control rate (bridge_dataset 5 Hz), others 10 Hz (meta.fps_assumed).
Camera frames are the JPEG bytes of `steps/observation/image_0`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...core.errors import InputError
from .episode import RobotEpisode
from .tfrecord import is_tfrecord, parse_example, records

CONTROL_HZ = {"bridge_dataset": 5.0, "bridge": 5.0, "fractal20220817_data": 3.0, "taco_play": 15.0}


def shards(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if is_tfrecord(path) else []
    return sorted(p for p in path.rglob("*.tfrecord*") if p.is_file() and is_tfrecord(p))


def _name(path: Path) -> str:
    root = path if path.is_dir() else path.parent
    info = root / "dataset_info.json"
    if info.is_file():
        try:
            return str(json.loads(info.read_text()).get("name", ""))
        except json.JSONDecodeError as exc:
            raise InputError(info, f"malformed dataset_info.json: {exc}") from exc
    return ""


def load(path: Path, episode: int | None = None) -> RobotEpisode:
    files = shards(path)
    if not files:
        raise InputError(path, "no TFRecord shards found")
    want = episode or 0
    payload, total = None, 0
    for shard in files:
        for rec in records(shard):
            if total == want:
                payload = rec
            total += 1
    if payload is None:
        raise InputError(path, f"episode {want} not found (the shards hold {total})")
    ex = parse_example(payload)
    if "steps/action" not in ex:
        raise InputError(path, "RLDS record has no steps/action feature")
    counters = ("steps/is_first", "steps/is_last", "steps/is_terminal", "steps/reward", "steps/discount",
                "steps/language_instruction")
    n = next((len(ex[k]) for k in counters if k in ex and len(ex[k])), 0)
    action = np.asarray(ex["steps/action"], dtype=np.float64)
    if n == 0 or action.size % n:
        raise InputError(path, f"episode {want}: cannot tell the step count (steps/action has {action.size} values)")
    action = action.reshape(n, -1)
    state = np.asarray(ex["steps/observation/state"], dtype=np.float64).reshape(n, -1) \
        if "steps/observation/state" in ex else None
    texts = ex.get("steps/language_instruction") or []
    instruction = next((t.decode("utf-8", "replace") for t in texts if t), "")
    name = _name(path)
    fps = CONTROL_HZ.get(name, 10.0)
    gripper, gsource = None, ""
    last = action[:, -1]
    if action.shape[1] >= 7 and last.min() >= -1e-6 and last.max() <= 1 + 1e-6:
        gripper, gsource = 1.0 - last, "action[-1] (1=open)"
    effector = state[:, :3] if state is not None and state.shape[1] >= 3 else action[:, :3]
    images = ex.get("steps/observation/image_0")
    return RobotEpisode(format="rlds-tfrecord", instruction=instruction, robot=name or "rlds", fps=fps,
                        timestamps=np.arange(n) / fps, state=state, action=action, gripper=gripper,
                        gripper_source=gsource, effector=effector, episode_index=want, n_episodes=total,
                        extra={"images": images if images and len(images) == n else None,
                               "fps_assumed": name not in CONTROL_HZ})
