import json

import pytest

from dataclaw_tailor.core import SourceKind
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
    assert list((tmp_path / "envcache").rglob("gui-3.json"))


def test_extracted_contents_are_typed_and_the_cache_round_trips_them(tmp_path):
    from dataclaw_tailor.core.contents import content_type

    from ..conftest import ROOT

    source = detect(ROOT / "examples" / "gui" / "login-trace")
    first = extract(source, ["gui"], cache_dir=tmp_path)
    assert {a.kind for a in first} >= {"gui_task", "gui_event"}
    assert all(a.c is None or isinstance(a.c, content_type(a.kind)) for a in first)
    assert extract(source, ["gui"], cache_dir=tmp_path) == first
    cached = next(tmp_path.rglob("gui-*.json"))
    assert json.loads(cached.read_text())["anchors"] == [a.model_dump(mode="json") for a in first]


def test_cached_contents_that_no_longer_fit_are_extracted_again(tmp_path, caplog):
    from ..conftest import ROOT

    source = detect(ROOT / "examples" / "gui" / "login-trace")
    first = extract(source, ["gui"], cache_dir=tmp_path)
    cached = next(tmp_path.rglob("gui-*.json"))
    stale = json.loads(cached.read_text())
    stale["anchors"][1]["c"]["clicks_total"] = 3
    cached.write_text(json.dumps(stale))
    with caplog.at_level("WARNING", logger="dataclaw_tailor.tools.cache"):
        assert extract(source, ["gui"], cache_dir=tmp_path) == first
    assert "do not fit their content models" in caplog.text
    assert json.loads(cached.read_text())["anchors"] == [a.model_dump(mode="json") for a in first]


def test_every_extractor_declares_the_content_types_of_the_kinds_it_makes():
    from dataclaw_tailor.core.contents import CONTENT_TYPES, GripperContent
    from dataclaw_tailor.tools import EXTRACTORS
    from dataclaw_tailor.tools.extractor import extractor

    made = {k for e in EXTRACTORS.values() for k in e.produces}
    assert made == set(CONTENT_TYPES.names())
    assert EXTRACTORS.get("robot").produces[:2] == ("robot_task", "gripper")
    assert extractor("grip", 1, {SourceKind.robot_episode}, (GripperContent,))(lambda s, c: []).produces == ("gripper",)
    with pytest.raises(ValueError, match="extractor 'steps' makes anchor kinds without a content type: footstep"):
        extractor("steps", 1, {SourceKind.robot_episode}, ("footstep",))
