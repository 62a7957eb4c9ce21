import numpy as np
import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.formats import load_episode

from ..conftest import devset_path


def test_bridge_gripper_events_match_action_channel(tmp_path):
    root = devset_path("robot", "bridge-rlds", "bridge_dataset", "1.0.0")
    top = detect(root.parents[1])  # the folder above: dataset_info.json is found beside the shard
    assert top.meta.n_episodes == 25 and top.meta.fps == 5.0 and top.meta.robot == "bridge_dataset"
    assert "fps_assumed" not in top.meta.to_json()
    n = detect(root).meta.n_episodes
    assert n == 25
    with_events = 0
    for e in range(n):
        ep = load_episode(f"{root}#episode={e}")
        assert ep.action.shape == (10, 7) and ep.instruction
        channel = ep.action[:, 6] > 0.5
        transitions = [(i, "close" if not channel[i] else "open") for i in range(1, 10) if channel[i] != channel[i - 1]]
        anchors = extract(detect(f"{root}#episode={e}"), ["gripper"], cache_dir=tmp_path)
        assert [(a.c.step, a.c.state) for a in anchors] == transitions
        assert all(a.t == pytest.approx(a.c.step / 5.0) for a in anchors)
        with_events += bool(transitions)
    assert with_events >= 15


def test_bridge_frames_are_camera_jpegs(tmp_path):
    root = devset_path("robot", "bridge-rlds", "bridge_dataset", "1.0.0")
    frames = extract(detect(f"{root}#episode=1"), ["frame"], cache_dir=tmp_path)
    from PIL import Image

    with Image.open(frames[0].c.path) as im:
        assert im.size == (64, 64)


def test_truncated_tfrecord(tmp_path):
    root = devset_path("robot", "bridge-rlds", "bridge_dataset", "1.0.0")
    shard = next(root.glob("*.tfrecord*"))
    bad = tmp_path / "cut.tfrecord"
    bad.write_bytes(shard.read_bytes()[:200_000])
    with pytest.raises(InputError, match=r"cut\.tfrecord: truncated TFRecord payload"):
        detect(f"{bad}#episode=24")


def test_written_tfrecord_roundtrip(tmp_path):
    """A record framed by our own writer parses back: framing and crc agree with TensorFlow's spec."""
    from dataclaw_tailor.tools.robot import tfrecord

    root = devset_path("robot", "bridge-rlds", "bridge_dataset", "1.0.0")
    payload = next(tfrecord.records(next(root.glob("*.tfrecord*"))))
    ex = tfrecord.parse_example(payload)
    assert np.asarray(ex["steps/action"]).size == 70 and ex["steps/language_instruction"][0]
