import json

import numpy as np
import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.core.source import SourceKind
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.robot import load_episode

from ..conftest import devset_path
from .fixtures import FPS, N, lerobot_v21, lerobot_v30


def test_g1_hand_closes_before_lift_and_frames_match_video(tmp_path):
    root = devset_path("robot", "g1-lerobot-v21")
    source = detect(root)
    assert source.kind is SourceKind.robot_episode and source.format == "lerobot-v2.1"
    assert source.meta["n_steps"] == 221 and source.meta["fps"] == 30 and source.meta["episode"] == 29
    assert source.meta["instruction"] == "Pick up the yellow bottle on the table."
    anchors = extract(source, cache_dir=tmp_path)
    closes = [a for a in anchors if a.kind == "gripper" and a.c["state"] == "close"]
    lift = next(a for a in anchors if a.kind == "phase" and a.c["skill"] == "lift")
    assert closes and closes[0].t <= lift.t[0]
    ep = load_episode(root)
    a, b = lift.c["steps"]
    arm = ep.effector
    assert np.linalg.norm(arm[b - 1] - arm[a]) > np.linalg.norm(arm[a] - arm[closes[0].c["step"]])
    import imageio_ffmpeg

    n_frames, secs = imageio_ffmpeg.count_frames_and_secs(str(ep.video))
    assert n_frames == ep.n_steps == 221
    assert secs == pytest.approx(source.duration_s, abs=1 / 30)
    frames = [x for x in anchors if x.kind == "frame"]
    assert frames and all(x.t == pytest.approx(ep.timestamps[x.c["step"]], abs=1e-3) for x in frames)


def test_v21_fixture_and_episode_selection(tmp_path):
    root = lerobot_v21(tmp_path / "ds")
    first = detect(root)
    second = detect(f"{root}#episode=1")
    assert first.meta["episode"] == 0 and second.meta["episode"] == 1
    assert second.meta["instruction"] == "pick the cube 1"
    assert first.content_hash != second.content_hash
    anchors = extract(second, cache_dir=tmp_path / "cache")
    grips = [a for a in anchors if a.kind == "gripper"]
    assert [(g.c["state"], g.t) for g in grips] == [("close", pytest.approx(20 / FPS, abs=0.11))]
    skills = [a.c["skill"] for a in anchors if a.kind == "phase"]
    assert skills[:3] == ["reach", "grasp", "lift"]


def test_v30_episode_packed_in_shared_files(tmp_path):
    root = lerobot_v30(tmp_path / "ds3")
    source = detect(f"{root}#episode=1")
    assert source.format == "lerobot-v3.0" and source.meta["n_steps"] == N and source.meta["n_episodes"] == 2
    ep = load_episode(f"{root}#episode=1")
    assert ep.video_offset_s == pytest.approx(N / FPS)
    frames = [a for a in extract(source, ["frame"], cache_dir=tmp_path / "c") if a.kind == "frame"]
    assert frames and all(json.dumps(f.c) for f in frames)


def test_missing_video_is_named(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=1)
    video = next(root.glob("videos/**/*.mp4"))
    video.unlink()
    with pytest.raises(InputError, match=r"episode_000000\.mp4: episode video .* is missing"):
        detect(root)


def test_info_names_wrong_codec(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=1, codec="av1")
    with pytest.raises(InputError, match="video codec is 'h264' but info.json declares 'av1'"):
        detect(root)


def test_info_names_wrong_folder(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=1)
    info = json.loads((root / "meta/info.json").read_text())
    info["video_path"] = "videos/elsewhere/{video_key}/episode_{episode_index:06d}.mp4"
    (root / "meta/info.json").write_text(json.dumps(info))
    with pytest.raises(InputError, match="is missing"):
        detect(root)


def test_missing_episode(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=1)
    with pytest.raises(InputError, match="episode 7 data file is missing"):
        detect(f"{root}#episode=7")
