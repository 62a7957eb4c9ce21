"""LeRobot datasets, v2.1 (one parquet + one video per episode) and v3.0 (episodes packed into files).

Mapping: `observation.state` -> state, `action` -> action, `timestamp` -> timestamps, task text from
meta/episodes.jsonl (v2.1) or meta/episodes/*.parquet `tasks` (v3.0). Gripper: a state channel whose
name contains "gripper" (normalised to closure 0..1, the larger end = open unless names say otherwise),
else dexterous-hand finger channels (names with Pinky/Ring/Middle/Index/Thumb; the hand that moves most),
where a higher value is a more open hand. The first camera in info.json is the episode video.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...core.errors import InputError
from .episode import RobotEpisode, hand_closure

FINGERS = ("pinky", "ring", "middle", "index", "thumb")


def info_file(path: Path) -> Path | None:
    """meta/info.json of the LeRobot dataset at `path` (the root, or a file inside it)."""
    for root in [path, *path.parents][:5]:
        candidate = root / "meta" / "info.json"
        if candidate.is_file():
            return candidate
    return None


def _read_info(file: Path) -> dict:
    try:
        info = json.loads(file.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(file, f"malformed LeRobot info.json: {exc}") from exc
    for key in ("codebase_version", "fps", "features", "data_path"):
        if key not in info:
            raise InputError(file, f"LeRobot info.json lacks '{key}'")
    return info


def _names(feature: dict) -> list[str]:
    names = feature.get("names") or []
    if isinstance(names, dict):
        names = next(iter(names.values()), [])
    if names and isinstance(names[0], list):
        names = names[0]
    return [str(n) for n in names]


def _gripper(state: np.ndarray, names: list[str]) -> tuple[np.ndarray | None, str, list[int]]:
    lower = [n.lower() for n in names]
    grip = [i for i, n in enumerate(lower) if "gripper" in n]
    if grip:
        g = state[:, grip].mean(axis=1)
        lo, hi = float(g.min()), float(g.max())
        return ((hi - g) / (hi - lo) if hi > lo else np.zeros(len(g))), f"state:{names[grip[0]]}", grip
    hands: dict[str, list[int]] = {}
    for i, n in enumerate(lower):
        if any(f in n for f in FINGERS):
            side = "left" if "left" in n else "right" if "right" in n else ""
            hands.setdefault(side, []).append(i)
    if not hands:
        return None, "", []
    side, cols = max(hands.items(), key=lambda kv: float(np.ptp(state[:, kv[1]].mean(axis=1))))
    return hand_closure(state[:, cols]), f"hand:{side or 'fingers'}", [c for cols in hands.values() for c in cols]


def _video(root: Path, info: dict, file: Path, chunk: int, episode: int, file_index: int | None) -> tuple[Path | None, str | None]:
    keys = [k for k, f in info["features"].items() if f.get("dtype") == "video"]
    if not keys:
        return None, None
    key = keys[0]
    template = info.get("video_path")
    if not template:
        raise InputError(file, f"info.json declares video feature '{key}' but no video_path")
    fields = {"video_key": key, "episode_chunk": chunk, "episode_index": episode, "chunk_index": chunk,
              "file_index": file_index if file_index is not None else 0}
    video = root / template.format(**fields)
    if not video.is_file():
        raise InputError(video, f"episode video for '{key}' is missing (info.json video_path '{template}')")
    declared = (info["features"][key].get("info") or {}).get("video.codec")
    if declared:
        from ..ffmpeg import probe

        stream = probe(video).video
        actual = stream.codec if stream else "none"
        if actual == "none" or (actual != declared and not (declared == "av1" and actual.startswith("av1"))):
            raise InputError(video, f"video codec is '{actual}' but info.json declares '{declared}'")
    return video, key


def load(path: Path, episode: int | None = None) -> RobotEpisode:
    import pyarrow.parquet as pq

    file = info_file(path)
    if file is None:
        raise InputError(path, "not a LeRobot dataset (no meta/info.json)")
    root = file.parent.parent
    info = _read_info(file)
    version = str(info["codebase_version"])
    offset = 0.0
    chunk_size = int(info.get("chunks_size") or 1000)
    if version.startswith("v2"):
        if episode is None and path.suffix == ".parquet":
            episode = int(path.stem.split("_")[-1])
        present = sorted(int(p.stem.split("_")[-1]) for p in (root / "data").glob("chunk-*/episode_*.parquet"))
        if not present:
            raise InputError(root, "LeRobot v2 dataset has no data/chunk-*/episode_*.parquet files")
        episode = present[0] if episode is None else episode
        chunk = episode // chunk_size
        data_file = root / info["data_path"].format(episode_chunk=chunk, episode_index=episode)
        if not data_file.is_file():
            raise InputError(data_file, f"episode {episode} data file is missing")
        table = pq.read_table(data_file)
        tasks = {}
        episodes_file = root / "meta" / "episodes.jsonl"
        if episodes_file.is_file():
            for line in episodes_file.read_text().splitlines():
                if line.strip():
                    row = json.loads(line)
                    tasks[int(row["episode_index"])] = " ".join(row.get("tasks") or [])
        instruction = tasks.get(episode, "")
        video, key = _video(root, info, file, chunk, episode, None)
        n_episodes = len(present)
    elif version.startswith("v3"):
        meta_files = sorted((root / "meta" / "episodes").glob("chunk-*/file-*.parquet"))
        if not meta_files:
            raise InputError(root, "LeRobot v3 dataset has no meta/episodes/chunk-*/file-*.parquet")
        rows = [r for f in meta_files for r in pq.read_table(f).to_pylist()]
        by_index = {int(r["episode_index"]): r for r in rows}
        episode = min(by_index) if episode is None else episode
        if episode not in by_index:
            raise InputError(root, f"episode {episode} is not in meta/episodes (have {min(by_index)}..{max(by_index)})")
        row = by_index[episode]
        data_file = root / info["data_path"].format(chunk_index=row["data/chunk_index"],
                                                    file_index=row["data/file_index"])
        if not data_file.is_file():
            raise InputError(data_file, f"data file of episode {episode} is missing")
        table = pq.read_table(data_file)
        column = table.column("episode_index").to_numpy()
        table = table.filter(column == episode)
        instruction = " ".join(row.get("tasks") or [])
        video, key = None, None
        keys = [k for k, f in info["features"].items() if f.get("dtype") == "video"]
        if keys:
            k = keys[0]
            video, key = _video(root, info, file, int(row[f"videos/{k}/chunk_index"]), episode,
                                int(row[f"videos/{k}/file_index"]))
            offset = float(row[f"videos/{k}/from_timestamp"])
        n_episodes = len(by_index)
    else:
        raise InputError(file, f"unsupported LeRobot codebase_version '{version}' (v2.x or v3.x)")
    if table.num_rows == 0:
        raise InputError(data_file, f"episode {episode} has no frames")
    fps = float(info["fps"])
    cols = set(table.column_names)
    state = np.asarray(table.column("observation.state").to_pylist(), dtype=np.float64) \
        if "observation.state" in cols else None
    action = np.asarray(table.column("action").to_pylist(), dtype=np.float64) if "action" in cols else None
    times = table.column("timestamp").to_numpy().astype(np.float64) if "timestamp" in cols \
        else np.arange(table.num_rows) / fps
    base = state if state is not None else action
    if base is None:
        raise InputError(data_file, "episode has neither observation.state nor action")
    names = _names(info["features"].get("observation.state" if state is not None else "action", {}))
    gripper, gsource, hand_cols = _gripper(base, names) if names else (None, "", [])
    arm = [i for i in range(base.shape[1]) if i not in hand_cols]
    return RobotEpisode(format=f"lerobot-{version}", instruction=instruction, robot=str(info.get("robot_type") or ""),
                        fps=fps, timestamps=times - times[0], state=state, action=action, gripper=gripper,
                        gripper_source=gsource, effector=base[:, arm], episode_index=episode, n_episodes=n_episodes,
                        video=video, video_offset_s=offset, video_key=key)
