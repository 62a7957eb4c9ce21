"""Robot episode formats: LeRobot v2.1/v3.0, robomimic HDF5 and RLDS TFRecord, loaded into one `RobotEpisode`."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ...core.source import RobotEpisodeMeta, Source, SourceKind
from ..hashing import content_hash
from ..robot import lerobot, rlds, robomimic
from ..robot.episode import split_episode
from .spec import InputFormat


def describe_episode(fmt: InputFormat, given: str, path: Path) -> Source:
    """Duration, rate, counts, instruction and robot of one episode; its hash covers the files the
    episode is made of (`RobotEpisode.files`, not the whole dataset) and its index."""
    ep = fmt.load(path, split_episode(given)[1])
    root = ep.root or (path if path.is_dir() else path.parent)
    digest = hashlib.sha256(f"{content_hash(root, ep.files)}#episode={ep.episode_index}".encode()).hexdigest()
    noted = ({"fps_assumed": True} if ep.extra.get("fps_assumed") else {}) | ({"warnings": ep.warnings} if ep.warnings else {})
    meta = RobotEpisodeMeta(duration_s=round(ep.duration_s, 3), fps=ep.fps, n_steps=ep.n_steps, episode=ep.episode_index,
                            n_episodes=ep.n_episodes, instruction=ep.instruction, robot=ep.robot,
                            gripper_signal=ep.gripper_source or None, video=str(ep.video) if ep.video else None, **noted)
    return Source(path=given, kind=SourceKind.robot_episode, content_hash=digest, format=ep.format, meta=meta,
                  files=[str(f) for f in ep.files])


LEROBOT = InputFormat(
    name="lerobot", title="LeRobot", kind=SourceKind.robot_episode, priority=100, takes="either",
    sniff=lambda p: lerobot.info_file(p) is not None, load=lerobot.load, describe=describe_episode,
    description="LeRobot v2.1/v3.0 datasets: meta/info.json, parquet frames and per-camera videos (#episode=N).",
)
ROBOMIMIC = InputFormat(
    name="robomimic", title="robomimic", kind=SourceKind.robot_episode, priority=110, takes="file",
    sniff=robomimic.is_robomimic, load=robomimic.load, describe=describe_episode,
    description="robomimic / robosuite HDF5: data/demo_N groups of actions and observations (#episode=N).",
)
RLDS = InputFormat(
    name="rlds", title="RLDS", kind=SourceKind.robot_episode, priority=120, takes="either",
    sniff=lambda p: bool(rlds.shards(p)), load=rlds.load, describe=describe_episode,
    description="RLDS / Open X-Embodiment TFRecord shards of episodes (#episode=N).",
)
