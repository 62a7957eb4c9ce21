from dataclaw_tailor.core import Intent, Source, TailorContext
from dataclaw_tailor.experts.common import clean, limit, unique, where_in_frame


def ctx(max_items):
    return TailorContext(source=Source(path="s", kind="video", content_hash="h"), intent=Intent(text="x", max_items=max_items), anchors=[], task="daily.vqa")


def test_limit_spreads_over_the_list_or_keeps_a_prefix():
    items = list(range(10))
    assert limit(items, ctx(None)) == items
    assert limit(items, ctx(3)) == [0, 4, 9]
    assert limit(items, ctx(1)) == [0]
    assert limit(items, ctx(3), spread=False) == [0, 1, 2]
    assert limit(items, ctx(None), default=2) == [0, 9]


def test_clean_makes_one_safe_line():
    assert clean("a\n\tb   c") == "a b c"
    assert clean("word " * 100, 20) == "word word word word..."


def test_unique_is_case_insensitive_and_keeps_order():
    assert unique(["Exit", "exit", " Platform 2 ", ""]) == ["Exit", "Platform 2"]


def test_where_in_frame_by_thirds():
    assert where_in_frame((10, 10), 300, 300) == "upper left"
    assert where_in_frame((150, 150), 300, 300) == "center"
    assert where_in_frame((290, 150), 300, 300) == "middle right"
    assert where_in_frame((150, 299), 300, 300) == "lower center"
