import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.formats import load_episode

from ..conftest import devset_path
from .fixtures import FPS, robomimic_file


def test_robomimic_demo(tmp_path):
    path = robomimic_file(tmp_path / "lift.hdf5")
    source = detect(f"{path}#episode=1")
    assert source.format == "robomimic-hdf5" and source.meta.episode == 1 and source.meta.n_episodes == 2
    assert source.meta.instruction == "Lift" and source.meta.fps == FPS
    anchors = extract(source, cache_dir=tmp_path / "c")
    grips = [a for a in anchors if a.kind == "gripper"]
    assert [g.c.state for g in grips] == ["close"] and grips[0].t == pytest.approx(2.0, abs=0.11)


def test_hdf5_without_demos(tmp_path):
    import h5py

    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=[1, 2, 3])
    with pytest.raises(InputError, match=r"other\.h5"):
        detect(path)


def test_robosuite_lift_pre_robomimic_format(tmp_path):
    """robosuite 1.4 demos: env/env_info attrs, no obs/, model XML inline; the gripper command in
    actions[:, 6] switches -1 -> +1 once, at step 408 / 428 / 325 (devset SOURCES.md)."""
    path = devset_path("robot", "robosuite-demos-hdf5", "lift", "demo.hdf5")
    for demo, switch, n in ((1, 408, 482), (2, 428, 510), (3, 325, 392)):
        source = detect(f"{path}#episode={demo}")
        assert source.meta.n_episodes == 3 and source.meta.n_steps == n and source.meta.fps == 20
        assert source.meta.instruction == "Lift" and source.meta.robot == "Panda"
        assert source.meta.gripper_signal.startswith("measured fingers")
        anchors = extract(source, cache_dir=tmp_path)
        grips = [a for a in anchors if a.kind == "gripper"]
        assert [g.c.state for g in grips] == ["close"]  # no "open" while the fingers settle, no release
        assert 0 <= grips[0].c.step - switch <= 10  # the fingers close right after the command
        ep = load_episode(f"{path}#episode={demo}")
        assert ep.effector.shape == (n, 7)  # the arm joints, named by the model's joint list
        assert sum(a.kind == "hesitation" for a in anchors) <= 1


def test_robosuite_wipe_has_no_gripper_and_an_external_model_file(tmp_path):
    path = devset_path("robot", "robosuite-demos-hdf5", "wipe", "panda", "demo.hdf5")
    ep = load_episode(path)
    assert ep.instruction == "Wipe" and ep.gripper is None and ep.action.shape == (174, 6)
    assert path.parent / "models" / "model_1.xml" in ep.files and ep.effector.shape == (174, 7)
    anchors = extract(detect(path), cache_dir=tmp_path)
    assert not any(a.kind in ("gripper", "hesitation", "regrasp") for a in anchors)
    assert [a.c.skill for a in anchors if a.kind == "phase"] == ["move"]
