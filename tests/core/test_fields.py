"""The record-field conventions: the helpers, and that grounding, repair and schema specialisation all follow them."""

import math

import pytest

from dataclaw_tailor.core import Source, fields
from dataclaw_tailor.core.grounding import grounding_problems
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.model.schema import specialise


def test_number_takes_finite_json_numbers_only():
    assert fields.number(3) == 3.0 and isinstance(fields.number(3), float)
    assert fields.number(2.5) == 2.5
    for value in (True, False, None, "1", math.nan, math.inf, [1]):
        assert fields.number(value) is None


def test_pair_and_box_keep_the_order_written():
    assert fields.pair([3, 1]) == (3.0, 1.0)
    assert fields.pair((0, 2)) == (0.0, 2.0)
    assert fields.pair([1, "2"]) is None and fields.pair([1, 2, 3]) is None
    assert fields.box([4, 3, 2, 1]) == [4.0, 3.0, 2.0, 1.0]
    assert fields.box([1, 2, 3]) is None and fields.box([1, 2, 3, True]) is None


def test_is_time_field():
    assert all(fields.is_time_field(name) for name in fields.TIME_POINTS + fields.TIME_SPANS)
    assert not any(fields.is_time_field(name) for name in ("x", "bbox", "duration_s", "start"))


def test_span_of_prefers_start_end_then_spans_then_instants():
    assert fields.span_of({"start_s": 3, "end_s": 1, "clip": [7, 8]}) == (1.0, 3.0)
    assert fields.span_of({"span": [5, 4]}) == (4.0, 5.0)
    assert fields.span_of({"timestamp_s": 2}) == (1.5, 2.5)
    assert fields.span_of({"start_s": 1}) is None
    assert fields.span_of([1, 2]) is None


def test_point_box_and_screen():
    assert fields.point_in({"x": 1, "y": 2, "point": [5, 6]}) == (1.0, 2.0)
    assert fields.point_in({"point": [5, 6]}) == (5.0, 6.0)
    assert fields.point_in({"point": (5, 6)}) is None  # JSON points are lists
    assert fields.box_in({"region": [0, 0, 2, 2]}) == [0.0, 0.0, 2.0, 2.0]
    assert fields.box_in({"bbox": "x", "region": [0, 0, 2, 2]}) == [0.0, 0.0, 2.0, 2.0]
    assert fields.screen_of({"width": 800, "height": 600, "screen_width": 1024, "screen_height": 768}) == (1024.0, 768.0)
    assert fields.screen_of({"screen": {"width": 640, "height": 480}}) == (640.0, 480.0)
    assert fields.screen_of({"screen_size": [320, 200]}) == (320.0, 200.0)
    assert fields.screen_of({"screen": {"width": 0, "height": 480}}) is None


@pytest.mark.parametrize("name", fields.TIME_POINTS)
def test_every_time_point_is_checked_repaired_and_bounded(name):
    source = Source(path="v.mp4", kind="video", content_hash="h", meta={"duration_s": 10.0})
    assert [p.code for p in grounding_problems({name: 12.0}, [], source)] == ["time_range"]
    checked = check_record({name: 12.0}, {"type": "object"}, [], source)
    assert checked.record == {name: 10.0}
    schema = specialise({"type": "object", "properties": {name: {"type": "number"}}}, source, [])
    assert schema["properties"][name]["maximum"] == 10.0


@pytest.mark.parametrize("name", fields.TIME_SPANS)
def test_every_time_span_is_checked_repaired_and_bounded(name):
    source = Source(path="v.mp4", kind="video", content_hash="h", meta={"duration_s": 10.0})
    assert "time_order" in [p.code for p in grounding_problems({name: [3.0, 1.0]}, [], source)]
    assert check_record({name: [3.0, 1.0]}, {"type": "object"}, [], source).record == {name: [1.0, 3.0]}
    span = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
    schema = specialise({"type": "object", "properties": {name: span}}, source, [])
    assert [item["maximum"] for item in schema["properties"][name]["prefixItems"]] == [10.0, 10.0]


@pytest.mark.parametrize("name", fields.BOXES)
def test_every_box_is_checked_and_bounded(name):
    screen = Source(path="t", kind="gui_trace", content_hash="h", meta={"width": 100, "height": 50})
    assert [p.code for p in grounding_problems({name: [0, 0, 200, 10]}, [], screen)] == ["off_screen"]
    box = {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4}
    schema = specialise({"type": "object", "properties": {name: box}}, screen, [])
    assert [item["maximum"] for item in schema["properties"][name]["prefixItems"]] == [100.0, 50.0, 100.0, 50.0]
