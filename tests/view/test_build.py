"""The page's data from real envelopes: items, two-way links, pictures, the GUI overlay, notes at their items."""

from __future__ import annotations

import copy
import json
import math

from dataclaw_tailor.core import Anchor, Source
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.registry import get_task
from dataclaw_tailor.view.build import build_page
from dataclaw_tailor.view.images import ImageStore

from .conftest import load


def page_of(envelope: dict, tmp_path, **kwargs):
    return build_page(envelope, origin=None, store=ImageStore(beside=tmp_path / "files", page_dir=tmp_path), **kwargs)


def test_gui_steps_link_both_ways_and_carry_point_box_and_screenshot(gui_envelope, tmp_path):
    env = load(gui_envelope)
    page = page_of(env, tmp_path)
    assert [i.path for i in page.items] == [f"$.steps[{n}]" for n in range(len(env["record"]["steps"]))]
    assert len(page.anchors) == len(env["anchors"])
    anchors = {a.id: a for a in page.anchors}
    for item, step in zip(page.items, env["record"]["steps"]):
        assert item.anchor_ids == step["anchor_ids"] and not item.unknown_ids
        assert all(item.id in anchors[a].cited_by for a in item.anchor_ids)
        assert item.time_from_anchors and item.start == anchors[step["anchor_ids"][0]].start
        assert [field for field, _ in item.images] == ["screenshot"]
    assert sum(len(a.cited_by) for a in page.anchors) == sum(len(i.anchor_ids) for i in page.items)
    first = page.items[0]
    assert first.point == (400, 170) and first.box == [220, 150, 580, 190] and first.screen == (800, 600)
    assert first.label == "click 'Username'"
    shot = page.images[first.images[0][1]]
    assert (shot.width, shot.height) == (800, 600) and shot.src.startswith("data:image/jpeg;base64,")
    assert page.duration == 7.5 and page.status == "ok" and page.problems() == 0
    assert [a.id for a in page.anchors if a.start is None] == ["gui_task:0"]


def test_video_events_show_their_keyframes_and_span_the_video(video_envelope, tmp_path):
    env = load(video_envelope)
    page = page_of(env, tmp_path)
    assert [(i.start, i.end) for i in page.items] == [(e["start_s"], e["end_s"]) for e in env["record"]["events"]]
    assert not any(i.time_from_anchors for i in page.items)
    keyframes = [a for a in page.anchors if a.kind == "keyframe"]
    assert keyframes and all(a.image for a in keyframes)
    for item in page.items:
        assert any(field.startswith("keyframe:") for field, _ in item.images)
    assert page.duration == 10.0 and {"shot", "cut", "keyframe"} <= set(page.counts())


def test_keyframes_gone_from_the_cache_are_grabbed_again_from_the_video(video_envelope, tmp_path):
    env = load(video_envelope)
    for a in env["anchors"]:
        if a["kind"] == "keyframe":
            a["c"]["path"] = str(tmp_path / "evicted" / "k.jpg")
    env["source"]["path"] = str(video_envelope.parents[0] / "missing.mp4")
    assert not any(a.image for a in page_of(env, tmp_path).anchors if a.kind == "keyframe")
    from .conftest import VIDEO

    env["source"]["path"] = str(VIDEO)
    page = page_of(env, tmp_path)
    assert all(a.image for a in page.anchors if a.kind == "keyframe") and not page.warnings


def test_problems_and_repairs_land_on_the_items_their_paths_name(video_envelope, tmp_path):
    """A real validation report (core.validate) of a broken record: each note sits on its item."""
    env = load(video_envelope)
    record = copy.deepcopy(env["record"])
    record["events"][1]["end_s"] = 99.0
    record["events"][2]["anchor_ids"].append("shot:99")
    del record["summary"]
    anchors = [Anchor.model_validate(a) for a in env["anchors"]]
    source = Source.model_validate(env["source"])
    checked = check_record(record, get_task("daily.dense_captions").json_schema(), anchors, source, repair=False)
    repaired = check_record(record, get_task("daily.dense_captions").json_schema(), anchors, source, repair=True)
    env["record"] = record
    env["validation"] = checked.report.summary() | {"repairs": repaired.report.summary()["repairs"]}
    page = page_of(env, tmp_path)
    by_path = {i.path: i for i in page.items}
    assert {n.code for n in by_path["$.events[1]"].notes if n.kind == "problem"}
    assert any(n.kind == "repair" and n.action == "clamp" for n in by_path["$.events[1]"].notes)
    assert by_path["$.events[2]"].unknown_ids == ["shot:99"] and by_path["$.events[2]"].state == "bad"
    assert not by_path["$.events[0]"].notes and by_path["$.events[0]"].state == "ok"
    assert any(n.path == "$" and "summary" in n.line() for n in page.notes), page.notes
    located = sum(len(i.notes) for i in page.items) + len(page.notes)
    assert located == len(env["validation"]["errors"]) + len(env["validation"]["repairs"])


def test_malformed_envelope_parts_become_warnings_not_errors(gui_envelope, tmp_path):
    env = load(gui_envelope)
    env["anchors"] += [{"kind": "ocr"}, "text", {"id": "gui_event:0", "kind": "gui_event"},
                       {"id": "ocr:9", "kind": "ocr", "t": math.nan}]
    env["anchors"][1]["c"]["screenshot"] = "../../../../etc/passwd"
    env["record"]["steps"][0]["anchor_ids"] += [7, None]
    env["validation"] = {"errors": [{"code": "x"}, "bad"], "repairs": None}
    env["source"]["meta"] = "not a dict"
    page = page_of(env, tmp_path)
    assert len(page.anchors) == len(load(gui_envelope)["anchors"])
    text = " | ".join(page.warnings)
    for expected in ("anchors[", "duplicate id 'gui_event:0'", "not a finite number", "not strings", "without a path"):
        assert expected in text, text
    assert page.anchors[1].image is None
    for broken in (None, [], "x", {"record": 5}):
        assert page_of(broken if isinstance(broken, dict) else {"record": broken}, tmp_path).items == []


def test_pictures_are_bounded_and_fall_back_beside_the_page(gui_envelope, tmp_path):
    env = load(gui_envelope)
    store = ImageStore(budget=20_000, beside=tmp_path / "page_files", page_dir=tmp_path)
    page = build_page(env, origin=None, store=store)
    sources = [ref.src for ref in page.images.values()]
    assert any(s.startswith("data:") for s in sources) and any(s.startswith("page_files/") for s in sources)
    assert all((tmp_path / s).is_file() for s in sources if not s.startswith("data:"))
    (tmp_path / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (tmp_path / "notes.txt").write_text("secret")
    assert store.add(tmp_path / "bomb.png") is None and store.add(tmp_path / "notes.txt") is None
    assert "not a picture file" in store.warnings[-1]


def test_the_data_block_cannot_close_its_script_tag(tmp_path):
    from dataclaw_tailor.view.html import _script_json

    text = _script_json({"c": "</script><script>alert(1)</script><!--", "n": math.inf})
    assert "<" not in text and ">" not in text and json.loads(text)["c"].startswith("</script>")
    assert json.loads(text)["n"] == "inf"
