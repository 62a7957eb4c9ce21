"""robomimic and robosuite HDF5 demonstrations (`data/demo_N/{actions, obs/..., states}`).

Two generations share the layout. robomimic files carry `data.attrs["env_args"]` (JSON: env_name,
env_kwargs) and observations under `obs/` (`robot0_eef_pos`, `robot0_gripper_qpos`). Older robosuite
demo files (repository_version 1.0-1.4) carry `data.attrs["env"]` and `env_info` instead, no `obs/`, and
each demo's MuJoCo model in `demo.attrs["model_file"]`: the XML itself (1.4) or a file name beside the
HDF5 file, under `models/` (1.0). `states` is then MuJoCo's flat state [time, qpos, qvel], whose
columns the model's joint list names.

Mapping: demos sorted by number; the environment name is the instruction (no language is recorded);
fps = control_freq (robosuite's default 20 Hz). Gripper: the measured finger joints (`obs/
robot0_gripper_qpos`, or the model's finger joints in `states`), oriented by the command in the last
action dimension (-1 open, +1 close); the command itself when nothing is measured; none for a 6-D action
(a tool with no gripper, e.g. Wipe). Effector: `obs/robot0_eef_pos`, else the arm joints from
`states`, else the integrated position deltas of the action (robosuite's OSC controllers are delta).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import InputError, UnsupportedFormat
from ..files import MAX_META_BYTES, check_file, is_regular, read_text
from .episode import MAX_STEPS, MAX_VALUES, RobotEpisode, checked_fps, matrix

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
DEMO = re.compile(r"demo_(\d+)$")
QPOS = {"free": 7, "ball": 4, "slide": 1, "hinge": 1}
QVEL = {"free": 6, "ball": 3, "slide": 1, "hinge": 1}
DEFAULT_HZ = 20.0


def is_robomimic(path: Path) -> bool:
    if not is_regular(path):
        return False
    try:
        with path.open("rb") as fh:
            if fh.read(8) != HDF5_MAGIC:
                return False
        import h5py

        with h5py.File(path, "r") as f:
            data = f.get("data")
            return isinstance(data, h5py.Group) and any(DEMO.match(k) for k in data)
    except Exception:  # noqa: BLE001 - h5py raises many types on corrupt files; not ours then
        return False


def _attr(obj: Any, name: str, limit: int = MAX_META_BYTES) -> str | None:
    """A string attribute, refused (None) when it is stored larger than `limit` or is not text."""
    if name not in obj.attrs:
        return None
    try:
        if obj.attrs.get_id(name).get_storage_size() > limit:
            return None
        value = obj.attrs[name]
    except Exception:  # noqa: BLE001 - an unreadable attribute is an absent one
        return None
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(-1)[0]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value) if isinstance(value, (str, np.str_)) else None


def _json_attr(obj: Any, name: str, path: Path, warnings: list[str]) -> dict:
    text = _attr(obj, name)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        warnings.append(f"{path}: data.attrs['{name}'] is not JSON; ignoring it")
        return {}
    return value if isinstance(value, dict) else {}


def _array(group: Any, name: str, path: Path, where: str) -> np.ndarray | None:
    """A numeric dataset as float64, its size checked before it is read (a 28 KB file may claim terabytes)."""
    import h5py

    ds = group.get(name) if hasattr(group, "get") else None
    if ds is None:
        return None
    if not isinstance(ds, h5py.Dataset):
        raise InputError(path, f"{where}/{name} is a group, not an array")
    if ds.dtype.kind not in "fiub" or ds.ndim not in (1, 2):
        raise InputError(path, f"{where}/{name} holds {ds.dtype} of shape {ds.shape}, not numbers per step")
    if not ds.shape[0] or ds.shape[0] > MAX_STEPS or ds.size > MAX_VALUES:
        raise InputError(path, f"{where}/{name} has shape {ds.shape}")
    try:
        values = ds[()]
    except Exception as exc:  # noqa: BLE001 - corrupt chunks, bad filters
        raise InputError(path, f"{where}/{name} is unreadable ({type(exc).__name__}: {str(exc)[:120]})") from None
    return matrix(values, path, f"{where}/{name}")


def _joints(xml: str) -> list[tuple[str, str]] | None:
    """(name, type) of each joint of a MuJoCo model in qpos order (depth-first through <worldbody>)."""
    try:
        root = ET.fromstring(xml)
    except (ET.ParseError, ValueError, RecursionError):
        return None
    default = next((j.get("type") for d in root.findall("default") for j in d.findall("joint")), None) or "hinge"
    world = root.find("worldbody")
    if world is None:
        return None
    joints = []
    for el in world.iter():
        if el.tag == "freejoint":
            joints.append((el.get("name") or "", "free"))
        elif el.tag == "joint":
            joints.append((el.get("name") or "", el.get("type") or default))
    return joints if all(t in QPOS for _, t in joints) else None


def _model_xml(demo: Any, path: Path, files: list[Path]) -> str | None:
    text = _attr(demo, "model_file", 8 * MAX_META_BYTES)
    if not text:
        return None
    if text.lstrip().startswith("<"):
        return text
    name = Path(text.strip()).name
    for candidate in (path.parent / "models" / name, path.parent / name):
        if is_regular(candidate):
            try:
                xml = read_text(candidate, "MuJoCo model file", 8 * MAX_META_BYTES)
            except InputError:
                return None
            files.append(candidate)
            return xml
    return None


def _state_layout(states: np.ndarray, xml: str | None) -> dict[str, list[int]]:
    """Columns of MuJoCo's flat state for the arm joints and the finger joints, when the model's joints
    account for its width exactly (1 + nq + nv)."""
    joints = _joints(xml) if xml else None
    if not joints or states.shape[1] != 1 + sum(QPOS[t] for _, t in joints) + sum(QVEL[t] for _, t in joints):
        return {}
    layout: dict[str, list[int]] = {"arm": [], "finger": []}
    col = 1
    for name, kind in joints:
        if kind in ("hinge", "slide"):
            lower = name.lower()
            if "finger" in lower or "gripper" in lower:
                layout["finger"].append(col)
            elif lower.startswith("robot"):
                layout["arm"].append(col)
        col += QPOS[kind]
    return layout


def _closure(measured: np.ndarray | None, command: np.ndarray | None) -> tuple[np.ndarray | None, str]:
    """Gripper closure in [0, 1]: measured finger positions oriented by the command, else the command."""
    cmd = (np.clip(command, -1, 1) + 1) / 2 if command is not None else None
    if measured is not None:
        m = np.abs(measured).mean(axis=1)
        lo, hi = float(m.min()), float(m.max())
        if hi - lo > 1e-6 and cmd is not None and np.ptp(cmd) > 0:
            r = float(np.corrcoef(m, cmd)[0, 1])
            if abs(r) >= 0.3:
                g = (m - lo) / (hi - lo)
                return (g if r > 0 else 1 - g), "measured fingers (oriented by action[-1])"
    if cmd is not None:
        return cmd, "action[-1] (-1 open, +1 close)"
    return None, ""


def load(path: Path, episode: int | None = None) -> RobotEpisode:
    import h5py

    check_file(path, "HDF5 file")
    try:
        f = h5py.File(path, "r")
    except Exception as exc:  # noqa: BLE001 - h5py raises OSError and others on corrupt files
        raise InputError(path, f"unreadable HDF5 ({str(exc).splitlines()[0][:160]})") from None
    warnings: list[str] = []
    files = [path]
    try:
        with f:
            data = f.get("data")
            if not isinstance(data, h5py.Group):
                raise UnsupportedFormat(path, "HDF5 file has no 'data' group (not a robomimic/robosuite dataset)")
            demos = sorted((k for k in data if DEMO.match(k)), key=lambda k: int(DEMO.match(k).group(1)))
            if not demos:
                raise InputError(path, "HDF5 file has no data/demo_* groups")
            name = f"demo_{episode}" if episode is not None else demos[0]
            demo = data.get(name)
            if not isinstance(demo, h5py.Group):
                raise InputError(path, f"no data/{name} (have {demos[0]}..{demos[-1]}, {len(demos)} demos)")
            action = _array(demo, "actions", path, f"data/{name}")
            if action is None:
                raise InputError(path, f"data/{name} has no actions")
            obs = demo.get("obs")
            obs = obs if isinstance(obs, h5py.Group) else None
            eef = _array(obs, "robot0_eef_pos", path, f"data/{name}/obs") if obs is not None else None
            fingers = _array(obs, "robot0_gripper_qpos", path, f"data/{name}/obs") if obs is not None else None
            states = _array(demo, "states", path, f"data/{name}")
            env_args = _json_attr(data, "env_args", path, warnings)
            env_info = _json_attr(data, "env_info", path, warnings)
            xml = _model_xml(demo, path, files) if states is not None and eef is None else None
            env_name = env_args.get("env_name") or _attr(data, "env") or env_info.get("env_name") or ""
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - h5py/HDF5 errors on corrupt internals
        raise InputError(path, f"unreadable HDF5 ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})") from None
    n = len(action)

    def aligned(arr: np.ndarray | None, label: str) -> np.ndarray | None:
        if arr is not None and len(arr) != n:
            warnings.append(f"{path}: data/{name}/{label} has {len(arr)} rows for {n} actions; ignoring it")
            return None
        return arr

    states, eef, fingers = aligned(states, "states"), aligned(eef, "obs/robot0_eef_pos"), \
        aligned(fingers, "obs/robot0_gripper_qpos")
    kwargs = env_args.get("env_kwargs") if isinstance(env_args.get("env_kwargs"), dict) else {}
    rate = kwargs.get("control_freq", env_info.get("control_freq", DEFAULT_HZ))
    fps = checked_fps(rate, path, "control_freq")
    robots = kwargs.get("robots", env_info.get("robots", ""))
    robot = ",".join(str(r) for r in robots) if isinstance(robots, list) else str(robots or "")
    layout = _state_layout(states, xml) if states is not None and xml else {}
    if fingers is None and layout.get("finger"):
        fingers = states[:, layout["finger"]]
    gripper, gsource = _closure(fingers, action[:, -1] if action.shape[1] >= 7 else None)
    if eef is not None:
        effector = eef
    elif layout.get("arm"):
        effector = states[:, layout["arm"]]
    else:
        effector = np.cumsum(action[:, : min(3, action.shape[1])], axis=0)
    ep = RobotEpisode(format="robomimic-hdf5", instruction=str(env_name)[:300], robot=robot[:200], fps=fps,
                      timestamps=np.arange(n) / fps, state=states, action=action, gripper=gripper,
                      gripper_source=gsource, effector=effector, episode_index=int(DEMO.match(name).group(1)),
                      n_episodes=len(demos), files=files, root=path.parent)
    for message in warnings:
        ep.warn(message)
    return ep
