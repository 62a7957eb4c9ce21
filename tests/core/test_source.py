"""Typed source metadata: one model per source kind; JSON round-trips; a wrong key is an error where the source is built."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from dataclaw_tailor.core import Source, SourceKind
from dataclaw_tailor.core.source import META_TYPES, GuiTraceMeta, RobotEpisodeMeta, SourceMeta, VideoMeta

EXAMPLES = Path(__file__).resolve().parents[2] / "dataclaw_tailor" / "experts" / "examples"


def example_sources() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found += [(path.name, c["source"]) for c in [data, *data.get("contexts", {}).values()] if "source" in c]
    return found


def test_every_example_source_validates_into_its_kinds_model_and_dumps_back_to_the_same_json():
    sources = example_sources()
    assert {s["kind"] for _, s in sources} >= {"video", "gui_trace", "robot_episode", "edit_sequence"}
    for name, raw in sources:
        source = Source.model_validate(raw)
        assert type(source.meta) is META_TYPES[source.kind], name
        assert source.model_dump(mode="json", exclude_unset=True) == raw, name


def test_every_kind_has_a_meta_model_and_an_omitted_meta_is_an_empty_one():
    assert set(META_TYPES) == set(SourceKind)
    source = Source(path="t", kind="gui_trace", content_hash="h")
    assert type(source.meta) is GuiTraceMeta and source.model_dump(mode="json")["meta"] == {}
    assert source.duration_s is None and source.screen is None


def test_a_wrong_key_is_an_error_where_the_source_is_built():
    with pytest.raises(ValidationError, match="duration"):
        Source(path="v.mp4", kind="video", content_hash="h", meta={"duration": 3.0})
    with pytest.raises(ValidationError, match="instruction"):
        Source(path="v.mp4", kind="video", content_hash="h", meta={"instruction": "pick"})
    with pytest.raises(ValidationError, match="RobotEpisodeMeta, not VideoMeta"):
        Source(path="e", kind="robot_episode", content_hash="h", meta=VideoMeta(duration_s=1.0))
    assert Source(path="e", kind="robot_episode", content_hash="h", meta={"instruction": "pick"}).meta.instruction == "pick"


def test_numbers_stay_as_written_and_the_shared_facts_come_in_order():
    raw = {"path": "v.mp4", "kind": "video", "content_hash": "h", "format": "mp4",
           "meta": {"fps": 30, "duration_s": 12.0, "width": 1280, "height": 720, "audio": False}}
    source = Source.model_validate(raw)
    dumped = source.model_dump(mode="json")["meta"]
    assert dumped == raw["meta"] and isinstance(dumped["fps"], int) and isinstance(dumped["duration_s"], float)
    assert source.meta.physical() == {"duration_s": 12.0, "width": 1280, "height": 720, "fps": 30}
    assert list(source.meta.physical()) == ["duration_s", "width", "height", "fps"]
    assert source.duration_s == 12.0 and source.screen == (1280, 720)


def test_meta_is_frozen_and_each_kind_extends_the_shared_facts():
    meta = RobotEpisodeMeta(n_steps=3)
    with pytest.raises(ValidationError):
        meta.n_steps = 4
    assert all(issubclass(model, SourceMeta) for model in META_TYPES.values())
