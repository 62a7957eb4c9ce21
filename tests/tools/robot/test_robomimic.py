import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.tools import detect, extract

from .fixtures import FPS, robomimic_file


def test_robomimic_demo(tmp_path):
    path = robomimic_file(tmp_path / "lift.hdf5")
    source = detect(f"{path}#episode=1")
    assert source.format == "robomimic-hdf5" and source.meta["episode"] == 1 and source.meta["n_episodes"] == 2
    assert source.meta["instruction"] == "Lift" and source.meta["fps"] == FPS
    anchors = extract(source, cache_dir=tmp_path / "c")
    grips = [a for a in anchors if a.kind == "gripper"]
    assert [g.c["state"] for g in grips] == ["close"] and grips[0].t == pytest.approx(2.0, abs=0.11)


def test_hdf5_without_demos(tmp_path):
    import h5py

    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=[1, 2, 3])
    with pytest.raises(InputError, match=r"other\.h5"):
        detect(path)
