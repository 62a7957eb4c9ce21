import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.tools import detect, extract

from .conftest import devset_path


def test_second_call_reads_cache_not_source(cut_video, tmp_path):
    source = detect(cut_video[0])
    first = extract(source, cache_dir=tmp_path)
    gone = source.model_copy(update={"path": str(tmp_path / "moved-away.mp4")})
    assert extract(gone, cache_dir=tmp_path) == first


def test_kinds_filter_by_anchor_kind_and_extractor_name(cut_video, tmp_path):
    source = detect(cut_video[0])
    assert {a.kind for a in extract(source, ["cut"], cache_dir=tmp_path)} == {"cut"}
    assert {a.kind for a in extract(source, ["video"], cache_dir=tmp_path)} == {"shot", "cut", "keyframe", "motion"}


def test_unknown_kind_names_source(cut_video, tmp_path):
    with pytest.raises(InputError, match="no extractor makes 'gripper' for a video source"):
        extract(detect(cut_video[0]), ["gripper"], cache_dir=tmp_path)


def test_env_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("DATACLAW_CACHE_DIR", str(tmp_path / "envcache"))
    extract(detect(devset_path("gui", "screenagent-task101")), ["gui_event"])
    assert list((tmp_path / "envcache").rglob("gui-2.json"))
