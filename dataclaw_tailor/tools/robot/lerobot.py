"""LeRobot datasets, v2.x (one parquet + one video per episode) and v3.x (episodes packed into files).

Mapping: `observation.state` (or `state`) -> state, `action` (or `actions`) -> action, `timestamp` ->
timestamps, task text from meta/episodes.jsonl or meta/tasks.jsonl (v2) or the meta/episodes/*.parquet
`tasks` column or meta/tasks.parquet (v3). Gripper: a state channel whose name contains "gripper"
(closure 0..1, the larger end = open), else dexterous-hand finger channels (names with
Pinky/Ring/Middle/Index/Thumb; the hand that moves most, a higher value = a more open hand), else, when
names are missing, the channel whose command is binary and whose state stays short of the closed limit
(see `episode.command_gripper`). The first camera whose file is found is the episode video.

Real datasets disagree with their own metadata, so the files win: a data or video file that the
info.json template does not name is looked for on disk; a missing video gives state-only anchors; a
codec that differs from the declared one is used as it is; a v3 dataset whose episodes start above 0
defaults to its first episode; a file inside the dataset (`data/chunk-000/episode_000029.parquet`)
selects that dataset and episode. Each of these is a warning on the episode, never a refusal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import InputError, UnsupportedFormat
from ..files import MAX_META_BYTES, check_file, is_regular, iter_jsonl, read_json
from .episode import (MAX_STEPS, MAX_VALUES, RobotEpisode, checked_fps, command_gripper, hand_closure, matrix,
                      timeline)

FINGERS = ("pinky", "ring", "middle", "index", "thumb")
STATE_KEYS = ("observation.state", "state", "observation.states", "states")
ACTION_KEYS = ("action", "actions")
EPISODE_IN_NAME = re.compile(r"episode_(\d+)$")
FILE_IN_NAME = re.compile(r"file-(\d+)$")
CHUNK_IN_PATH = re.compile(r"chunk-(\d+)")
DATA_COLUMNS = [*STATE_KEYS, *ACTION_KEYS, "timestamp", "task_index", "episode_index"]
MAX_PARQUET_BYTES = 512 << 20
"""Uncompressed bytes of the columns we read from one parquet file (v3 data files are ~100 MB whole)."""
MAX_META_ROWS_BYTES = 256 << 20


def info_file(path: Path) -> Path | None:
    """meta/info.json of the LeRobot dataset at `path` (the root, or a file or folder inside it)."""
    for root in [path, *path.parents][:5]:
        candidate = root / "meta" / "info.json"
        if is_regular(candidate):
            return candidate
    return None


class _Reader:
    """One load: the dataset root, the warnings it raises and the files it reads (the cache key)."""

    def __init__(self, root: Path):
        self.root = root
        self.files: list[Path] = []
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def table(self, file: Path, columns: list[str] | None = None, limit: int = MAX_PARQUET_BYTES):
        """The named columns of a parquet file (those present), refused before reading when their
        uncompressed size passes `limit`."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        check_file(file, "parquet file")
        try:
            meta = pq.ParquetFile(file).metadata
            names = meta.schema.to_arrow_schema().names
            wanted = [c for c in columns if c in names] if columns is not None else list(names)
            size = 0
            for c in range(meta.num_columns):
                leaf = meta.schema.column(c).path
                top = max((n for n in names if leaf == n or leaf.startswith(n + ".")), key=len, default=None)
                if top in wanted:
                    size += sum(meta.row_group(g).column(c).total_uncompressed_size
                                for g in range(meta.num_row_groups))
            if size > limit:
                raise InputError(file, f"parquet columns {', '.join(wanted)} are {size} bytes uncompressed, over the "
                                       f"{limit} this reader accepts")
            if meta.num_rows > MAX_STEPS * 64:
                raise InputError(file, f"parquet file claims {meta.num_rows} rows")
            table = pq.read_table(file, columns=wanted)
        except InputError:
            raise
        except (pa.ArrowException, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise InputError(file, f"unreadable parquet ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})") \
                from None
        self.files.append(file)
        return table


def _names(feature: Any, width: int) -> list[str]:
    names = feature.get("names") if isinstance(feature, dict) else None
    if isinstance(names, dict):
        names = next(iter(names.values()), [])
    if isinstance(names, list) and names and isinstance(names[0], list):
        names = names[0]
    if not isinstance(names, list) or len(names) != width:
        return []
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


def _column(table, name: str, file: Path) -> np.ndarray | None:
    """A list-of-numbers (or scalar number) column as a (rows, dims) float64 matrix; None when absent."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if name not in table.column_names:
        return None
    col = table.column(name).combine_chunks()
    kind = col.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return matrix(col.to_numpy(zero_copy_only=False).astype(np.float64), file, f"column '{name}'")
    if not (pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)):
        raise InputError(file, f"column '{name}' holds {kind}, not numbers")
    value = kind.value_type
    if not (pa.types.is_integer(value) or pa.types.is_floating(value) or pa.types.is_boolean(value)):
        raise InputError(file, f"column '{name}' holds lists of {value}, not numbers")
    if col.null_count:
        raise InputError(file, f"column '{name}' has {col.null_count} empty rows")
    lengths = pc.list_value_length(col).to_numpy(zero_copy_only=False)
    if len(lengths) and lengths.min() != lengths.max():
        raise InputError(file, f"rows of column '{name}' have {lengths.min()} to {lengths.max()} values")
    width = int(lengths[0]) if len(lengths) else 0
    if width == 0 or len(col) * width > MAX_VALUES:
        raise InputError(file, f"column '{name}' has {width} values per row")
    flat = pc.list_flatten(col).to_numpy(zero_copy_only=False).astype(np.float64)
    return matrix(flat.reshape(len(col), width), file, f"column '{name}'")


def _template(template: object, **fields: Any) -> str | None:
    """A path template from info.json filled in; None when it is not a usable template."""
    if not isinstance(template, str) or not template or len(template) > 1000:
        return None
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return None


def _locate(reader: _Reader, kind: str, template: object, fields: dict, found: Path | None) -> Path | None:
    """The file the info.json template names when it is there, else `found` (what is on disk) with a warning."""
    named = _template(template, **fields)
    if named is not None and ".." not in Path(named).parts and is_regular(reader.root / named):
        return reader.root / named
    if found is not None:
        reader.warn(f"info.json {kind} '{template}' does not match the files on disk; using {reader.rel(found)}")
    return found


def _video_files(root: Path) -> list[Path]:
    folder = root / "videos"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".mp4", ".mkv", ".webm", ".avi", ".mov")
                  and is_regular(p))


def _video(reader: _Reader, info: dict, keys: list[str], episode: int, where: dict[str, dict]) -> tuple[Path | None, str | None, float]:
    """(video file, camera key, offset of the episode in it) for the first camera with a file; none with a
    warning. `where[key]` holds chunk/file indices and the start time (v3) for the template."""
    on_disk = _video_files(reader.root)
    for key in keys:
        spot = where.get(key, {})
        fields = {"video_key": key, "episode_chunk": spot.get("chunk", 0), "episode_index": episode,
                  "chunk_index": spot.get("chunk", 0), "file_index": spot.get("file", 0)}
        stem = f"file-{spot.get('file', 0):03d}" if "file" in spot else f"episode_{episode:06d}"
        guess = next((p for p in on_disk if p.stem == stem and key in p.parts), None) or \
            next((p for p in on_disk if p.stem == stem and len(keys) == 1), None)
        video = _locate(reader, "video_path", info.get("video_path"), fields, guess)
        if video is None:
            continue
        declared = (info["features"][key].get("info") or {}).get("video.codec") \
            if isinstance(info["features"][key], dict) else None
        from ..ffmpeg import probe

        try:
            stream = probe(video).video
        except InputError as exc:
            reader.warn(f"camera '{key}' video {reader.rel(video)} is unreadable ({exc.problem}); skipping it")
            continue
        if stream is None or stream.codec == "none":
            reader.warn(f"camera '{key}' file {reader.rel(video)} has no decodable video stream; skipping it")
            continue
        if isinstance(declared, str) and declared and stream.codec != declared and \
                not (declared == "av1" and stream.codec.startswith("av1")):
            reader.warn(f"video codec is '{stream.codec}' but info.json declares '{declared}'; using the file as it is")
        reader.files.append(video)
        return video, key, float(spot.get("from", 0.0))
    if keys:
        reader.warn(f"no video file for camera{'s' if len(keys) > 1 else ''} {', '.join(repr(k) for k in keys)} "
                    "on disk; anchors come from the state data alone (no frames)")
    return None, None, 0.0


def _episode_of(path: Path) -> int | None:
    """The episode a file inside a v2 dataset names (`episode_000029.parquet` / `.mp4`)."""
    m = EPISODE_IN_NAME.search(path.stem) if path.is_file() else None
    return int(m.group(1)) if m else None


def _v2(reader: _Reader, info: dict, path: Path, episode: int | None):
    present: dict[int, Path] = {}
    data_dir = reader.root / "data"
    if data_dir.is_dir():
        for p in sorted(data_dir.rglob("*.parquet")):
            if (m := EPISODE_IN_NAME.search(p.stem)) and is_regular(p):
                present.setdefault(int(m.group(1)), p)
    if not present:
        raise InputError(reader.root, "LeRobot v2 dataset has no data/**/episode_*.parquet files")
    if episode is None:
        episode = _episode_of(path)
    episode = min(present) if episode is None else episode
    if episode not in present:
        have = sorted(present)
        raise InputError(reader.root, f"episode {episode} is not in the dataset (data files for episodes "
                                      f"{have[0]}..{have[-1]}, {len(have)} in all)")
    chunk_size = info.get("chunks_size") if isinstance(info.get("chunks_size"), int) and info["chunks_size"] > 0 else 1000
    m = CHUNK_IN_PATH.search(reader.rel(present[episode]))
    chunk = int(m.group(1)) if m else episode // chunk_size
    data_file = _locate(reader, "data_path", info.get("data_path"),
                        {"episode_chunk": chunk, "episode_index": episode, "chunk_index": chunk, "file_index": 0},
                        present[episode])
    table = reader.table(data_file, DATA_COLUMNS)
    instruction = _v2_task(reader, episode, table)
    keys = [k for k, f in info["features"].items() if isinstance(f, dict) and f.get("dtype") == "video"]
    video = _video(reader, info, keys, episode, {k: {"chunk": chunk} for k in keys})
    return episode, len(present), data_file, table, instruction, video


def _v2_task(reader: _Reader, episode: int, table) -> str:
    meta = reader.root / "meta"
    for name in ("episodes.jsonl", "tasks.jsonl"):
        if not is_regular(meta / name):
            continue
        reader.files.append(meta / name)
        rows = []
        try:
            rows = [row for _, row in iter_jsonl(meta / name, f"LeRobot {name}", 8 * MAX_META_BYTES)]
        except InputError as exc:
            reader.warn(f"{exc}; no task text from it")
        if name == "episodes.jsonl":
            for row in rows:
                if isinstance(row, dict) and row.get("episode_index") == episode:
                    tasks = row.get("tasks")
                    tasks = [tasks] if isinstance(tasks, str) else tasks if isinstance(tasks, list) else []
                    text = " ".join(str(t) for t in tasks if isinstance(t, (str, int, float)))
                    if text:
                        return text
        elif "task_index" in table.column_names and table.num_rows:
            first = table.column("task_index")[0].as_py()
            for row in rows:
                if isinstance(row, dict) and row.get("task_index") == first and isinstance(row.get("task"), str):
                    return row["task"]
    return ""


def _v3(reader: _Reader, info: dict, path: Path, episode: int | None):
    import pyarrow.compute as pc

    keys = [k for k, f in info["features"].items() if isinstance(f, dict) and f.get("dtype") == "video"]
    wanted = ["episode_index", "data/chunk_index", "data/file_index", "tasks"]
    for k in keys:
        wanted += [f"videos/{k}/chunk_index", f"videos/{k}/file_index", f"videos/{k}/from_timestamp"]
    rows: dict[int, dict] = {}
    meta_dir = reader.root / "meta" / "episodes"
    for f in sorted(meta_dir.rglob("*.parquet")) if meta_dir.is_dir() else []:
        for row in reader.table(f, wanted, MAX_META_ROWS_BYTES).to_pylist():
            if isinstance(row.get("episode_index"), int):
                rows.setdefault(row["episode_index"], row)
    data_files = sorted(p for p in (reader.root / "data").rglob("*.parquet") if is_regular(p)) \
        if (reader.root / "data").is_dir() else []
    if path.suffix == ".parquet" and path in data_files and episode is None:
        column = _episodes_column(reader.table(path, ["episode_index"]), path)
        episode = int(pc.min(column).as_py()) if len(column) else None
    if not rows:
        reader.warn("meta/episodes has no readable episode table; episodes are read from the data files")
        for f in data_files:
            for e in pc.unique(_episodes_column(reader.table(f, ["episode_index"]), f)).to_pylist():
                if isinstance(e, int):
                    rows.setdefault(e, {"episode_index": e, "_file": f})
    if not rows:
        raise InputError(reader.root, "LeRobot v3 dataset has no episodes (no meta/episodes table, no data files)")
    episode = min(rows) if episode is None else episode
    if episode not in rows:
        raise InputError(reader.root, f"episode {episode} is not in meta/episodes (have {min(rows)}..{max(rows)}, "
                                      f"{len(rows)} in all)")
    row = rows[episode]

    def index(name: str) -> int:
        value = row.get(name)
        return value if isinstance(value, int) and 0 <= value < 1_000_000 else 0

    chunk, file_index = index("data/chunk_index"), index("data/file_index")
    guess = row.get("_file") or next((p for p in data_files if FILE_IN_NAME.search(p.stem) and
                                      int(FILE_IN_NAME.search(p.stem).group(1)) == file_index and
                                      f"chunk-{chunk:03d}" in p.parts), None)
    data_file = _locate(reader, "data_path", info.get("data_path"), {"chunk_index": chunk, "file_index": file_index},
                        guess)
    if data_file is None:
        raise InputError(reader.root, f"no data file for episode {episode} (info.json data_path "
                                      f"'{info.get('data_path')}', chunk {chunk}, file {file_index})")
    table = reader.table(data_file, DATA_COLUMNS)
    table = table.filter(pc.equal(_episodes_column(table, data_file), episode))
    tasks = row.get("tasks")
    instruction = " ".join(str(t) for t in tasks if isinstance(t, str)) if isinstance(tasks, list) else \
        tasks if isinstance(tasks, str) else ""
    if not instruction:
        instruction = _v3_task(reader, table)
    where = {}
    for k in keys:
        start = row.get(f"videos/{k}/from_timestamp")
        where[k] = {"chunk": index(f"videos/{k}/chunk_index"), "file": index(f"videos/{k}/file_index"),
                    "from": float(start) if isinstance(start, (int, float)) and np.isfinite(start) and start >= 0 else 0.0}
    video = _video(reader, info, keys, episode, where)
    return episode, len(rows), data_file, table, instruction, video


def _episodes_column(table, file: Path):
    """The integer `episode_index` column of a v3 data file (episodes share files, so it is required)."""
    import pyarrow as pa

    if "episode_index" not in table.column_names:
        raise InputError(file, "v3 data file has no episode_index column")
    column = table.column("episode_index")
    if not pa.types.is_integer(column.type):
        raise InputError(file, f"v3 data file's episode_index column holds {column.type}, not integers")
    return column


def _v3_task(reader: _Reader, table) -> str:
    """The task text from meta/tasks.parquet: a `task` column, or (as pandas writes it) the index column
    `__index_level_0__` holding the text, matched on the data's `task_index`."""
    tasks_file = reader.root / "meta" / "tasks.parquet"
    if not is_regular(tasks_file) or "task_index" not in table.column_names or not table.num_rows:
        return ""
    try:
        tasks = reader.table(tasks_file, None, MAX_META_ROWS_BYTES).to_pylist()
    except InputError as exc:
        reader.warn(f"{exc}; no task text from it")
        return ""
    first = table.column("task_index")[0].as_py()
    for row in tasks:
        if row.get("task_index") == first:
            text = row.get("task", row.get("__index_level_0__"))
            if isinstance(text, str):
                return text
    return ""


def _read_info(file: Path) -> dict:
    info = read_json(file, "LeRobot info.json", MAX_META_BYTES)
    if not isinstance(info, dict):
        raise InputError(file, f"LeRobot info.json is a JSON {type(info).__name__}, not an object")
    if not isinstance(info.get("features"), dict):
        raise InputError(file, "LeRobot info.json has no 'features' object")
    return info


def _version(info: dict, root: Path, file: Path) -> str:
    version = info.get("codebase_version")
    if isinstance(version, str) and re.fullmatch(r"v?\d+(\.\d+)*", version):
        return version if version.startswith("v") else f"v{version}"
    layout = "v3.0" if (root / "meta" / "episodes").is_dir() else "v2.1"
    return layout


def load(path: Path, episode: int | None = None) -> RobotEpisode:
    file = info_file(path)
    if file is None:
        raise UnsupportedFormat(path, "not a LeRobot dataset (no meta/info.json)")
    reader = _Reader(file.parent.parent)
    info = _read_info(file)
    reader.files.append(file)
    version = _version(info, reader.root, file)
    if version != info.get("codebase_version"):
        reader.warn(f"info.json codebase_version {str(info.get('codebase_version'))[:20]!r} is not a version; "
                    f"the layout on disk is {version}")
    if version.startswith(("v2", "v1")):
        episode, n_episodes, data_file, table, instruction, (video, key, offset) = _v2(reader, info, path, episode)
    elif version.startswith("v3"):
        episode, n_episodes, data_file, table, instruction, (video, key, offset) = _v3(reader, info, path, episode)
    else:
        raise InputError(file, f"unsupported LeRobot codebase_version '{version}' (v2.x or v3.x)")
    if table.num_rows == 0:
        raise InputError(data_file, f"episode {episode} has no frames")
    if table.num_rows > MAX_STEPS:
        raise InputError(data_file, f"episode {episode} has {table.num_rows} frames")
    state_key = next((k for k in STATE_KEYS if k in table.column_names), None)
    action_key = next((k for k in ACTION_KEYS if k in table.column_names), None)
    state = _column(table, state_key, data_file) if state_key else None
    action = _column(table, action_key, data_file) if action_key else None
    base = state if state is not None else action
    if base is None:
        raise InputError(data_file, f"episode has no state or action column (looked for "
                                    f"{', '.join(STATE_KEYS + ACTION_KEYS)}; it has {', '.join(table.column_names[:12])})")
    if state is not None and action is not None and len(action) != len(state):
        action = None
    times = _column(table, "timestamp", data_file) if "timestamp" in table.column_names else None
    if "fps" in info:
        fps = checked_fps(info["fps"], file)
    else:
        step = np.median(np.diff(times[:, 0])) if times is not None and len(times) > 2 else 0
        fps = checked_fps(1.0 / step if step > 0 else 30.0, file, "frame rate from timestamps")
        reader.warn(f"info.json has no fps; using {fps:g} from the timestamps")
    t, why = timeline(times[:, 0] if times is not None and times.shape[1] == 1 else None, len(base), fps)
    if why:
        reader.warn(f"{reader.rel(data_file)}: {why}; using frame index / fps")
    features = info["features"]
    named = state_key if state is not None else action_key
    names = _names(features.get(named) or features.get(STATE_KEYS[0] if state is not None else ACTION_KEYS[0]),
                   base.shape[1])
    gripper, gsource, hand_cols = _gripper(base, names) if names else (None, "", [])
    if gripper is None and not names and action is not None:
        found = command_gripper(action, state, fps)
        if found is not None:
            col, closed_high = found
            g = base[:, col]
            lo, hi = float(g.min()), float(g.max())
            gripper = (g - lo) / (hi - lo) if closed_high else (hi - g) / (hi - lo)
            gsource, hand_cols = f"{named}[{col}] (unnamed; binary command)", [col]
    arm = [i for i in range(base.shape[1]) if i not in hand_cols] or list(range(base.shape[1]))
    ep = RobotEpisode(format=f"lerobot-{version}", instruction=instruction, robot=str(info.get("robot_type") or "")[:200],
                      fps=fps, timestamps=t, state=state, action=action, gripper=gripper, gripper_source=gsource,
                      effector=base[:, arm], episode_index=episode, n_episodes=n_episodes, video=video,
                      video_offset_s=offset, video_key=key, files=sorted(set(reader.files)), root=reader.root)
    for message in reader.warnings:
        ep.warn(message)
    return ep
