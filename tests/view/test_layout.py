"""Timeline layout: lanes in reading order, overlapping marks on rows of their own, round ticks."""

from __future__ import annotations

from dataclaw_tailor.view.layout import MAX_ROWS, RECORD_LANE, clock, lay_out, ticks
from dataclaw_tailor.view.model import Page, PageAnchor, PageItem


def anchor(ident: str, kind: str, start: float | None, end: float | None = None) -> PageAnchor:
    return PageAnchor(id=ident, kind=kind, start=start, end=start if end is None else end, label=ident)


def test_lanes_rows_and_untimed_facts():
    anchors = [anchor("ocr:0", "ocr", 1.0), anchor("ocr:1", "ocr", 1.0), anchor("shot:0", "shot", 0, 5),
               anchor("zebra:0", "zebra", 2.0), anchor("gui_task:0", "gui_task", None)]
    anchors += [anchor(f"ocr:{n}", "ocr", 3.0) for n in range(2, 12)]
    items = [PageItem(id="item:0", path="$.a[0]", label="a", start=0, end=5), PageItem(id="item:1", path="$.a[1]", label="b")]
    timeline = lay_out(Page(title="t", status="ok", duration=10, anchors=anchors, items=items))
    assert [lane.name for lane in timeline.lanes] == ["shot", "ocr", "zebra", RECORD_LANE]
    ocr = timeline.lanes[1]
    rows = {m.id: m.row for m in ocr.marks}
    assert rows["ocr:0"] != rows["ocr:1"] and ocr.rows == MAX_ROWS
    assert len(ocr.marks) == 12 and max(rows.values()) == MAX_ROWS - 1
    assert timeline.untimed == ["gui_task:0"] and "item:1" not in {m.id for m in timeline.lanes[-1].marks}
    shot = timeline.lanes[0].marks[0]
    assert (shot.left, shot.width) == (0.0, 0.5)


def test_marks_outside_the_duration_are_clamped_to_the_axis():
    anchors = [anchor("cut:0", "cut", -3.0), anchor("shot:0", "shot", 8, 40)]
    timeline = lay_out(Page(title="t", status="ok", duration=10, anchors=anchors, items=[]))
    marks = {m.id: m for lane in timeline.lanes for m in lane.marks}
    assert marks["cut:0"].left == 0.0 and marks["shot:0"].left + marks["shot:0"].width <= 1.0


def test_ticks_are_round_and_clock_reads_like_a_player():
    assert [label for _, label in ticks(7.5)] == [f"{t:g} s" for t in range(8)]
    assert len(ticks(600)) == 11 and ticks(600)[0] == (0.0, "0:00") and ticks(600)[-1] == (1.0, "10:00")
    assert clock(0.25) == "0.25 s" and clock(12) == "12 s" and clock(92.5) == "1:32.5"
