"""RLDS episodes stored as TFRecord (tfds builder output, e.g. BridgeData), read without TensorFlow.

Mapping: each record is one episode with flattened `steps/...` features. `steps/action` reshapes to
(T, D); `steps/observation/state` to (T, D); `steps/language_instruction` gives the instruction. Gripper:
the last action dimension when it lies in [0, 1], with 1 = open (Bridge/WidowX convention), so closure
= 1 - a[:, -1]. The effector is the first three state dims (end-effector xyz). RLDS stores no rate:
known datasets use their published control rate (bridge_dataset 5 Hz), others 10 Hz (meta.fps_assumed).
Camera frames are the JPEG bytes of `steps/observation/image_0`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...core.errors import InputError
from ..files import MAX_META_BYTES, is_regular, read_json
from .episode import RobotEpisode, matrix
from .tfrecord import frames, is_tfrecord, parse_example, read_payload

CONTROL_HZ = {"bridge_dataset": 5.0, "bridge": 5.0, "fractal20220817_data": 3.0, "taco_play": 15.0}


def shards(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if is_tfrecord(path) else []
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*.tfrecord*") if is_tfrecord(p))


def _name(files: list[Path], warnings: list[str]) -> tuple[str, list[Path]]:
    """The tfds builder name from the dataset_info.json beside the shards (tfds writes it into the
    version folder, `<name>/<version>/`), and that file."""
    for folder in dict.fromkeys(f.parent for f in files):
        info = folder / "dataset_info.json"
        if is_regular(info):
            try:
                doc = read_json(info, "dataset_info.json", MAX_META_BYTES)
            except InputError as exc:
                warnings.append(f"{exc}; the dataset name is unknown")
                return "", [info]
            name = doc.get("name") if isinstance(doc, dict) else None
            return (name[:100] if isinstance(name, str) else ""), [info]
    return "", []


def _values(ex: dict, key: str, n: int, path: Path, want: int) -> np.ndarray | None:
    raw = ex.get(key)
    if not isinstance(raw, np.ndarray) or raw.size == 0:
        return None
    if raw.size % n:
        raise InputError(path, f"episode {want}: {key} has {raw.size} values for {n} steps")
    return matrix(raw.reshape(n, -1), path, f"episode {want} {key}")


def load(path: Path, episode: int | None = None) -> RobotEpisode:
    files = shards(path)
    if not files:
        raise InputError(path, "no TFRecord shards found")
    want = episode or 0
    found, total = None, 0
    for shard in files:
        for offset, length in frames(shard):
            if total == want:
                found = (shard, offset, length)
            total += 1
    if found is None:
        raise InputError(path, f"episode {want} not found (the shards hold {total})")
    shard, offset, length = found
    ex = parse_example(read_payload(shard, offset, length), shard)
    if "steps/action" not in ex:
        raise InputError(shard, f"RLDS record {want} has no steps/action feature")
    counters = ("steps/is_first", "steps/is_last", "steps/is_terminal", "steps/reward", "steps/discount",
                "steps/language_instruction")
    n = next((len(ex[k]) for k in counters if k in ex and len(ex[k])), 0)
    if n == 0:
        raise InputError(shard, f"episode {want}: cannot tell the step count (no per-step counter feature)")
    action = _values(ex, "steps/action", n, shard, want)
    if action is None:
        raise InputError(shard, f"episode {want}: steps/action is empty")
    state = _values(ex, "steps/observation/state", n, shard, want)
    texts = ex.get("steps/language_instruction")
    texts = texts if isinstance(texts, list) else []
    instruction = next((t.decode("utf-8", "replace") for t in texts if t), "")[:1000]
    warnings: list[str] = []
    name, info = _name([shard], warnings)
    fps = CONTROL_HZ.get(name, 10.0)
    gripper, gsource = None, ""
    last = action[:, -1]
    if action.shape[1] >= 7 and last.min() >= -1e-6 and last.max() <= 1 + 1e-6:
        gripper, gsource = 1.0 - last, "action[-1] (1=open)"
    effector = state[:, :3] if state is not None and state.shape[1] >= 3 else np.cumsum(action[:, :3], axis=0)
    images = ex.get("steps/observation/image_0")
    images = images if isinstance(images, list) and len(images) == n and all(
        i[:3] == b"\xff\xd8\xff" for i in images) else None
    ep = RobotEpisode(format="rlds-tfrecord", instruction=instruction, robot=name or "rlds", fps=fps,
                      timestamps=np.arange(n) / fps, state=state, action=action, gripper=gripper,
                      gripper_source=gsource, effector=effector, episode_index=want, n_episodes=total,
                      extra={"images": images, "fps_assumed": name not in CONTROL_HZ},
                      files=[*files, *info], root=path if path.is_dir() else path.parent)
    for message in warnings:
        ep.warn(message)
    return ep
