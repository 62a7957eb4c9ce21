"""Project-made robot datasets for tests: LeRobot v2.1 / v3.0 folders, a robomimic HDF5 file, TFRecord files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from dataclaw_tailor.tools.robot.tfrecord import _example_class, _masked_crc

from ..conftest import ffmpeg

FPS = 10
N = 60
NAMES = ["x", "y", "z", "gripper"]


def trajectory(n: int = N) -> tuple[np.ndarray, int]:
    """Reach (0-2 s), close the gripper at step 20, lift (z up) from step 25; returns (state, close step)."""
    t = np.arange(n)
    x = np.clip(t / 20, 0, 1) * 0.3
    z = np.where(t < 25, 0.1, 0.1 + (t - 25) * 0.01)
    grip = np.where(t < 20, 0.08, 0.01)  # finger opening in metres: larger = open
    return np.stack([x, np.zeros(n), z, grip], axis=1).astype(np.float32), 20


def _video(path: Path, n: int, codec: str = "libx264") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=96x64:r={FPS}:d={n / FPS}", "-c:v", codec, "-pix_fmt", "yuv420p",
           str(path))


def _info(version: str, data_path: str, video_path: str, codec: str = "h264") -> dict:
    return {"codebase_version": version, "robot_type": "toy_arm", "fps": FPS, "chunks_size": 1000,
            "data_path": data_path, "video_path": video_path,
            "features": {"observation.state": {"dtype": "float32", "shape": [4], "names": NAMES},
                         "action": {"dtype": "float32", "shape": [4], "names": NAMES},
                         "observation.images.top": {"dtype": "video", "shape": [64, 96, 3],
                                                    "info": {"video.codec": codec, "video.fps": FPS}},
                         "timestamp": {"dtype": "float32", "shape": [1]}}}


def lerobot_v21(root: Path, episodes: int = 2, codec: str = "h264") -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    state, _ = trajectory()
    info = _info("v2.1", "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet",
                 "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4", codec)
    (root / "meta").mkdir(parents=True)
    (root / "meta" / "info.json").write_text(json.dumps(info))
    lines = []
    for e in range(episodes):
        data = root / f"data/chunk-000/episode_{e:06d}.parquet"
        data.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"observation.state": list(state), "action": list(state),
                                 "timestamp": (np.arange(N) / FPS).astype(np.float32),
                                 "frame_index": np.arange(N), "episode_index": np.full(N, e)}), data)
        _video(root / f"videos/chunk-000/observation.images.top/episode_{e:06d}.mp4", N)
        lines.append(json.dumps({"episode_index": e, "tasks": [f"pick the cube {e}"], "length": N}))
    (root / "meta" / "episodes.jsonl").write_text("\n".join(lines) + "\n")
    return root


def lerobot_v30(root: Path, episodes: int = 2, first: int = 0) -> Path:
    """Two episodes packed into one data file and one video file, as LeRobot v3.0 does; `first` numbers
    them from there (a split or subset of a larger dataset, as rerun-apple-storage's `splits` "0:50" next
    to 3 episodes shows such metadata is copied from the full set)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    state, _ = trajectory()
    info = _info("v3.0", "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
                 "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4")
    (root / "meta" / "episodes" / "chunk-000").mkdir(parents=True)
    (root / "meta" / "info.json").write_text(json.dumps(info))
    cols: dict[str, list] = {"observation.state": [], "action": [], "timestamp": [], "episode_index": []}
    rows = []
    for e in range(first, first + episodes):
        cols["observation.state"] += list(state)
        cols["action"] += list(state)
        cols["timestamp"] += list((np.arange(N) / FPS).astype(np.float32))
        cols["episode_index"] += [e] * N
        rows.append({"episode_index": e, "tasks": [f"pick the cube {e}"], "length": N, "data/chunk_index": 0,
                     "data/file_index": 0, "dataset_from_index": (e - first) * N,
                     "dataset_to_index": (e - first + 1) * N,
                     "videos/observation.images.top/chunk_index": 0, "videos/observation.images.top/file_index": 0,
                     "videos/observation.images.top/from_timestamp": (e - first) * N / FPS,
                     "videos/observation.images.top/to_timestamp": (e - first + 1) * N / FPS})
    data = root / "data/chunk-000/file-000.parquet"
    data.parent.mkdir(parents=True)
    pq.write_table(pa.table(cols), data)
    pq.write_table(pa.Table.from_pylist(rows), root / "meta/episodes/chunk-000/file-000.parquet")
    _video(root / "videos/observation.images.top/chunk-000/file-000.mp4", N * episodes)
    return root


def robomimic_file(path: Path, demos: int = 2) -> Path:
    import h5py

    state, close = trajectory()
    grip_cmd = np.where(np.arange(N) < close, -1.0, 1.0)
    actions = np.concatenate([np.diff(state[:, :3], axis=0, prepend=state[:1, :3]), np.zeros((N, 3)),
                              grip_cmd[:, None]], axis=1)
    with h5py.File(path, "w") as f:
        data = f.create_group("data")
        data.attrs["env_args"] = json.dumps({"env_name": "Lift", "env_kwargs": {"control_freq": FPS,
                                                                                 "robots": ["Panda"]}})
        for d in range(demos):
            g = data.create_group(f"demo_{d}")
            g.create_dataset("actions", data=actions)
            g.create_dataset("obs/robot0_eef_pos", data=state[:, :3])
            g.create_dataset("states", data=np.zeros((N, 8)))
    return path


def lerobot_openpi_libero(root: Path, episodes: int = 2) -> Path:
    """The layout openpi's LIBERO conversion writes (Physical-Intelligence/openpi @ f735421,
    examples/libero/convert_libero_data_to_lerobot.py): columns `state` (8) and `actions` (7) instead of
    `observation.state` / `action`, their `names` a single label (["state"], ["actions"]) that names no
    channel, camera images stored in the parquet (`use_videos=False`, so no videos/ folder), fps 10.
    LIBERO's action is robosuite's: 6 arm deltas then the gripper command, -1 open, +1 close; its state
    is eef position (3), axis-angle (3) and the two finger joints (+0.04 / -0.04 when open)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    state, close = trajectory()
    info = {"codebase_version": "v2.1", "robot_type": "panda", "fps": FPS, "chunks_size": 1000,
            "data_path": "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet",
            "video_path": "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4",
            "features": {"image": {"dtype": "image", "shape": [8, 8, 3], "names": ["height", "width", "channel"]},
                         "state": {"dtype": "float32", "shape": [8], "names": ["state"]},
                         "actions": {"dtype": "float32", "shape": [7], "names": ["actions"]}}}
    (root / "meta").mkdir(parents=True)
    (root / "meta" / "info.json").write_text(json.dumps(info))
    t = np.arange(N)
    command = np.where(t < close, -1.0, 1.0)
    finger = np.where(t < close + 2, 0.04, 0.021)  # the fingers stop on the object, short of closed (0)
    states = np.concatenate([state[:, :3], np.zeros((N, 3)), finger[:, None], -finger[:, None]], axis=1)
    actions = np.concatenate([np.diff(state[:, :3], axis=0, prepend=state[:1, :3]), np.zeros((N, 3)),
                              command[:, None]], axis=1)
    tasks = []
    for e in range(episodes):
        data = root / f"data/chunk-000/episode_{e:06d}.parquet"
        data.parent.mkdir(parents=True, exist_ok=True)
        image = {"bytes": b"\x89PNG not decoded here", "path": None}
        pq.write_table(pa.table({"image": [image] * N, "state": list(states.astype(np.float32)),
                                 "actions": list(actions.astype(np.float32)),
                                 "timestamp": (t / FPS).astype(np.float32), "frame_index": t,
                                 "episode_index": np.full(N, e), "task_index": np.zeros(N, dtype=np.int64)}), data)
        tasks.append(json.dumps({"episode_index": e, "tasks": ["put the bowl on the plate"], "length": N}))
    (root / "meta" / "episodes.jsonl").write_text("\n".join(tasks) + "\n")
    return root


def make_example(features: dict[str, list[float] | list[int] | list[bytes] | np.ndarray]) -> bytes:
    """Serialise a tf.train.Example (float arrays -> float_list, int arrays -> int64_list, bytes -> bytes_list)."""
    example = _example_class()()
    for key, values in features.items():
        feature = example.features.feature[key]
        arr = values if isinstance(values, np.ndarray) else None
        if arr is not None and arr.dtype.kind == "f" or arr is None and values and isinstance(values[0], float):
            feature.float_list.value.extend(np.asarray(values, dtype=np.float32).ravel().tolist())
        elif arr is not None and arr.dtype.kind in "iub" or arr is None and values and isinstance(values[0], int):
            feature.int64_list.value.extend(np.asarray(values, dtype=np.int64).ravel().tolist())
        else:
            feature.bytes_list.value.extend(list(values))
    return example.SerializeToString()


def write_records(path: Path, payloads: list[bytes]) -> None:
    """Write payloads with TFRecord framing and checksums (readable by TensorFlow and by `tfrecord.records`)."""
    with path.open("wb") as fh:
        for payload in payloads:
            length = struct.pack("<Q", len(payload))
            fh.write(length + struct.pack("<I", _masked_crc(length)) + payload
                     + struct.pack("<I", _masked_crc(payload)))
