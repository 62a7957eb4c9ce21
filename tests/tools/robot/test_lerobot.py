import json

import numpy as np
import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.core.source import SourceKind
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.formats import load_episode

from ..conftest import devset_path
from .fixtures import FPS, N, lerobot_openpi_libero, lerobot_v21, lerobot_v30


def test_g1_hand_closes_before_lift_and_frames_match_video(tmp_path):
    root = devset_path("robot", "g1-lerobot-v21")
    source = detect(root)
    assert source.kind is SourceKind.robot_episode and source.format == "lerobot-v2.1"
    assert source.meta.n_steps == 221 and source.meta.fps == 30 and source.meta.episode == 29
    assert source.meta.instruction == "Pick up the yellow bottle on the table."
    anchors = extract(source, cache_dir=tmp_path)
    closes = [a for a in anchors if a.kind == "gripper" and a.c.state == "close"]
    lift = next(a for a in anchors if a.kind == "phase" and a.c.skill == "lift")
    assert closes and closes[0].t <= lift.t[0]
    ep = load_episode(root)
    a, b = lift.c.steps
    arm = ep.effector
    assert np.linalg.norm(arm[b - 1] - arm[a]) > np.linalg.norm(arm[a] - arm[closes[0].c.step])
    import imageio_ffmpeg

    n_frames, secs = imageio_ffmpeg.count_frames_and_secs(str(ep.video))
    assert n_frames == ep.n_steps == 221
    assert secs == pytest.approx(source.duration_s, abs=1 / 30)
    frames = [x for x in anchors if x.kind == "frame"]
    assert frames and all(x.t == pytest.approx(ep.timestamps[x.c.step], abs=1e-3) for x in frames)


def test_v21_fixture_and_episode_selection(tmp_path):
    root = lerobot_v21(tmp_path / "ds")
    first = detect(root)
    second = detect(f"{root}#episode=1")
    assert first.meta.episode == 0 and second.meta.episode == 1
    assert second.meta.instruction == "pick the cube 1"
    assert first.content_hash != second.content_hash
    anchors = extract(second, cache_dir=tmp_path / "cache")
    grips = [a for a in anchors if a.kind == "gripper"]
    assert [(g.c.state, g.t) for g in grips] == [("close", pytest.approx(20 / FPS, abs=0.11))]
    skills = [a.c.skill for a in anchors if a.kind == "phase"]
    assert skills[:3] == ["reach", "grasp", "lift"]


def test_v30_episode_packed_in_shared_files(tmp_path):
    root = lerobot_v30(tmp_path / "ds3")
    source = detect(f"{root}#episode=1")
    assert source.format == "lerobot-v3.0" and source.meta.n_steps == N and source.meta.n_episodes == 2
    ep = load_episode(f"{root}#episode=1")
    assert ep.video_offset_s == pytest.approx(N / FPS)
    frames = [a for a in extract(source, ["frame"], cache_dir=tmp_path / "c") if a.kind == "frame"]
    assert frames and all(json.dumps(f.content_json) for f in frames)


def test_missing_video_gives_state_only_anchors_with_a_warning(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=1)
    next(root.glob("videos/**/*.mp4")).unlink()
    source = detect(root)
    assert source.meta.video is None
    assert any("no video file for camera 'observation.images.top'" in w for w in source.meta.warnings)
    anchors = extract(source, cache_dir=tmp_path / "c")
    kinds = {a.kind for a in anchors}
    assert {"robot_task", "gripper", "phase"} <= kinds and "frame" not in kinds


def test_declared_codec_differs_from_the_file(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=1, codec="av1")
    source = detect(root)
    assert any("video codec is 'h264' but info.json declares 'av1'" in w for w in source.meta.warnings)
    assert source.meta.video.endswith("episode_000000.mp4")
    assert any(a.kind == "frame" for a in extract(source, ["frame"], cache_dir=tmp_path / "c"))


def test_templates_that_do_not_match_the_files_are_located(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=2)
    info = json.loads((root / "meta/info.json").read_text())
    info["video_path"] = "videos/elsewhere/{video_key}/episode_{episode_index:06d}.mp4"
    info["data_path"] = "data/{episode_index}.parquet"
    (root / "meta/info.json").write_text(json.dumps(info))
    source = detect(f"{root}#episode=1")
    assert source.meta.n_steps == N and source.meta.instruction == "pick the cube 1"
    assert source.meta.video.endswith("observation.images.top/episode_000001.mp4")
    warnings = " | ".join(source.meta.warnings)
    assert "info.json video_path" in warnings and "using videos/chunk-000/observation.images.top/episode_000001.mp4" in warnings
    assert "info.json data_path 'data/{episode_index}.parquet'" in warnings


def test_missing_episode(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=1)
    with pytest.raises(InputError, match=r"ds: episode 7 is not in the dataset \(data files for episodes 0\.\.0"):
        detect(f"{root}#episode=7")


def test_openpi_libero_columns_state_actions_without_videos(tmp_path):
    root = lerobot_openpi_libero(tmp_path / "libero")
    source = detect(root)
    assert source.format == "lerobot-v2.1" and source.meta.instruction == "put the bowl on the plate"
    assert "state[6]" in source.meta.gripper_signal or "state[7]" in source.meta.gripper_signal
    assert "warnings" not in source.meta.to_json()  # image features are no cameras: nothing is missing
    ep = load_episode(root)
    assert ep.state.shape == (N, 8) and ep.action.shape == (N, 7)
    grips = [a for a in extract(source, cache_dir=tmp_path / "c") if a.kind == "gripper"]
    assert [(g.c.state, g.t) for g in grips] == [("close", pytest.approx(2.1, abs=0.15))]


def test_v30_default_episode_is_the_first_present(tmp_path):
    root = lerobot_v30(tmp_path / "ds3", first=5)
    source = detect(root)
    assert source.meta.episode == 5 and source.meta.n_episodes == 2
    assert source.meta.instruction == "pick the cube 5"
    assert detect(f"{root}#episode=6").meta.instruction == "pick the cube 6"
    assert load_episode(f"{root}#episode=6").video_offset_s == pytest.approx(N / FPS)


def test_a_file_inside_a_dataset_names_that_dataset_and_episode(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=2)
    inside = detect(root / "data/chunk-000/episode_000001.parquet")
    whole = detect(f"{root}#episode=1")
    assert inside.meta.episode == 1 and inside.content_hash == whole.content_hash
    video = detect(root / "videos/chunk-000/observation.images.top/episode_000001.mp4")
    assert video.kind is SourceKind.robot_episode and video.meta.episode == 1


def test_g1_data_file_inside_the_real_dataset():
    root = devset_path("robot", "g1-lerobot-v21")
    source = detect(root / "data/chunk-000/episode_000029.parquet")
    assert source.meta.episode == 29 and source.content_hash == detect(root).content_hash


def test_every_meta_file_behind_the_anchors_keys_the_cache(tmp_path):
    root = lerobot_v21(tmp_path / "ds", episodes=2)
    before = detect(root)
    task = extract(before, ["robot_task"], cache_dir=tmp_path / "c")[0]
    assert task.c.instruction == "pick the cube 0"
    episodes = root / "meta/episodes.jsonl"
    episodes.write_text(episodes.read_text().replace("pick the cube 0", "stack the cubes"))
    after = detect(root)
    assert after.content_hash != before.content_hash
    assert extract(after, ["robot_task"], cache_dir=tmp_path / "c")[0].c.instruction == "stack the cubes"
    info = json.loads((root / "meta/info.json").read_text())
    (root / "meta/info.json").write_text(json.dumps({**info, "robot_type": "other_arm"}))
    assert detect(root).content_hash != after.content_hash


def test_apple_storage_v30_without_video_identifies_the_unnamed_gripper(tmp_path):
    """rerun's v3.0 apple_storage: no video, `names: null`, tasks.parquet keyed by `__index_level_0__`,
    and info.json totals from the 50-episode set next to 3 episodes."""
    root = devset_path("robot", "rerun-apple-storage-lerobot-v30")
    for episode, (start, n) in enumerate([(0, 299), (299, 300), (599, 300)]):
        source = detect(f"{root}#episode={episode}")
        assert source.format == "lerobot-v3.0" and source.meta.n_steps == n and source.meta.n_episodes == 3
        assert source.meta.instruction == "place the apple in the plate" and source.meta.video is None
        assert source.meta.gripper_signal.startswith("observation.state[15]")
        assert any("no video file" in w for w in source.meta.warnings)
        anchors = extract(source, cache_dir=tmp_path)
        grips = [a.c.state for a in anchors if a.kind == "gripper"]
        assert grips == ["close", "open"]  # grasp the apple, put it down
        skills = [a.c.skill for a in anchors if a.kind == "phase"]
        assert skills == ["reach", "grasp", "lift", "release", "retreat"]
        assert not any(a.kind == "frame" for a in anchors)
    assert detect(root).meta.episode == 0
