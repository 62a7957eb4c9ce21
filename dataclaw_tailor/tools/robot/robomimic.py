"""robomimic HDF5 datasets (`data/demo_N/{actions, obs/..., states}`).

Mapping: demos in `data` sorted by number; actions (T, 7) with the last dim the gripper command
(-1 open, +1 close) -> closure = (a + 1) / 2; effector = `obs/robot0_eef_pos` when present; the
environment name from `data.attrs["env_args"]` is the instruction (robomimic has no language);
fps = env_kwargs.control_freq (default 20 Hz).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...core.errors import InputError
from .episode import RobotEpisode

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def is_robomimic(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        if fh.read(8) != HDF5_MAGIC:
            return False
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return "data" in f and any(k.startswith("demo") for k in f["data"])
    except OSError:
        return False


def load(path: Path, episode: int | None = None) -> RobotEpisode:
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise InputError(path, f"unreadable HDF5: {exc}") from exc
    with f:
        if "data" not in f:
            raise InputError(path, "HDF5 file has no 'data' group (not a robomimic dataset)")
        demos = sorted((k for k in f["data"] if k.startswith("demo_")), key=lambda k: int(k.split("_")[1]))
        if not demos:
            raise InputError(path, "robomimic file has no data/demo_* groups")
        name = f"demo_{episode}" if episode is not None else demos[0]
        if name not in f["data"]:
            raise InputError(path, f"no data/{name} (have {demos[0]}..{demos[-1]})")
        demo = f["data"][name]
        if "actions" not in demo:
            raise InputError(path, f"data/{name} has no actions")
        action = np.asarray(demo["actions"], dtype=np.float64)
        obs = demo.get("obs")
        eef = np.asarray(obs["robot0_eef_pos"], dtype=np.float64) if obs is not None and "robot0_eef_pos" in obs else None
        state = np.asarray(demo["states"], dtype=np.float64) if "states" in demo else None
        env_args = json.loads(f["data"].attrs.get("env_args", "{}") or "{}")
    env = str(env_args.get("env_name", ""))
    fps = float((env_args.get("env_kwargs") or {}).get("control_freq", 20))
    n = len(action)
    gripper = (np.clip(action[:, -1], -1, 1) + 1) / 2 if action.shape[1] >= 7 else None
    return RobotEpisode(format="robomimic-hdf5", instruction=env, robot=str(
        (env_args.get("env_kwargs") or {}).get("robots", "")), fps=fps, timestamps=np.arange(n) / fps,
        state=state, action=action, gripper=gripper, gripper_source="action[-1] (-1 open, +1 close)" if gripper
        is not None else "", effector=eef if eef is not None else action[:, :3], episode_index=int(name.split("_")[1]),
        n_episodes=len(demos))
