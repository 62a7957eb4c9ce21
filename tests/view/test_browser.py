"""The pages in a real headless Chromium: one element per anchor and item, clicks link both ways, no console
errors, hostile text stays text, and screenshots of a GUI trace and a video record look like pages."""

from __future__ import annotations

import json

from PIL import Image, ImageStat

from dataclaw_tailor.view import render_view

from .conftest import VIEWPORT, load


def check_links(opened, envelope: dict, items_key: str) -> None:
    items = envelope["record"][items_key]
    page = opened.page
    assert sorted(opened.ids(".mk.a")) == sorted(a["id"] for a in envelope["anchors"])
    assert opened.ids(".card") == [f"item:{n}" for n in range(len(items))]
    for n, item in enumerate(items):
        page.locator(f'.card[data-id="item:{n}"] .path').click()
        assert opened.ids(".card.sel") == [f"item:{n}"]
        assert sorted(set(opened.ids(".mk.a.hit"))) == sorted(set(item["anchor_ids"]))
        assert page.locator("#inspector h2").inner_text() == f"item:{n}"
    cited = item["anchor_ids"][0]
    page.locator(f'.mk.a[data-id="{cited}"]').click()
    citing = [f"item:{n}" for n, it in enumerate(items) if cited in it["anchor_ids"]]
    assert opened.ids(".mk.a.sel") == [cited] and sorted(set(opened.ids(".card.hit"))) == citing
    page.locator(f'#inspector .chip[data-ref="{citing[0]}"]').click()
    assert opened.ids(".card.sel") == [citing[0]]
    page.keyboard.press("Escape")
    assert opened.ids(".sel") == []


def check_screenshot(path) -> None:
    shot = Image.open(path).convert("RGB")
    assert shot.size == (VIEWPORT["width"], VIEWPORT["height"])
    stat = ImageStat.Stat(shot)
    assert max(stat.stddev) > 20, "blank page"
    assert len(shot.getcolors(1 << 20) or []) > 500, "too few colours for pictures and text"


def test_gui_trace_page(gui_envelope, tmp_path, open_page):
    render_view(gui_envelope, tmp_path / "gui.html", chart=False)
    opened = open_page(tmp_path / "gui.html")
    check_links(opened, load(gui_envelope), "steps")
    page = opened.page
    page.locator('.card[data-id="item:0"] .path').click()
    overlay = page.locator('.card[data-id="item:0"] svg')
    assert overlay.locator("circle").get_attribute("cx") == "400.0" and overlay.locator("rect").count() == 1
    assert page.eval_on_selector('.card[data-id="item:0"] img', "img => img.complete && img.naturalWidth") > 0
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=tmp_path / "gui.png")
    check_screenshot(tmp_path / "gui.png")
    assert opened.errors == []


def test_video_record_page(video_envelope, tmp_path, open_page):
    render_view(video_envelope, tmp_path / "video.html", chart=False)
    opened = open_page(tmp_path / "video.html")
    check_links(opened, load(video_envelope), "events")
    page = opened.page
    widths = page.eval_on_selector_all(".mk.thumb img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert len(widths) == 4 and all(w > 0 for w in widths)
    page.locator("#zoom").fill("4")
    assert page.eval_on_selector("#tracks", "t => t.style.width") == "400%"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=tmp_path / "video.png")
    check_screenshot(tmp_path / "video.png")
    assert opened.errors == []


HOSTILE = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2"><!--'


def test_hostile_text_from_anchors_and_records_stays_text(video_envelope, tmp_path, open_page):
    env = load(video_envelope)
    env["anchors"].append({"id": 'ocr:"><b>', "kind": "ocr", "t": 2.0, "c": HOSTILE})
    env["anchors"].append({"id": "subtitle:0", "kind": HOSTILE, "t": [1.0, 2.0], "c": {"text": HOSTILE}})
    env["record"]["events"][0]["caption"] = HOSTILE
    env["record"]["events"][0]["anchor_ids"] += ['ocr:"><b>', "subtitle:0", HOSTILE]
    env["source"]["path"] = HOSTILE
    env["validation"]["errors"] = [{"path": "$.events[0].caption", "code": HOSTILE, "message": HOSTILE}]
    (tmp_path / "hostile.json").write_text(json.dumps(env))
    render_view(tmp_path / "hostile.json", tmp_path / "hostile.html", chart=False)
    opened = open_page(tmp_path / "hostile.html")
    page = opened.page
    assert page.evaluate("window.pwned") is None
    assert page.locator("script").count() == 2 and page.locator("img[onerror]").count() == 0
    card = page.locator('.card[data-id="item:0"]')
    assert HOSTILE in card.inner_text()
    card.locator(".path").click()
    assert HOSTILE in page.locator("#inspector").inner_text()
    page.locator('.mk.a[data-id="ocr:\\"><b>"]').click()
    assert page.evaluate("window.pwned") is None and opened.errors == []


def test_corpus_index_links_to_the_pages(gui_envelope, video_envelope, tmp_path, open_page):
    records = tmp_path / "records.jsonl"
    records.write_text(f"{json.dumps(load(gui_envelope))}\n{json.dumps(load(video_envelope))}\n")
    result = render_view(records, tmp_path / "index.html", chart=False)
    opened = open_page(tmp_path / "index.html", scripted=False)
    page = opened.page
    assert page.locator("tr.row").count() == 2
    page.locator("tr.row a").nth(1).click()
    page.wait_for_function("window.viewReady !== undefined")
    assert page.url.endswith(result.pages[1].split("/")[-1]) and page.locator(".card").count() == 4
    assert opened.errors == []
