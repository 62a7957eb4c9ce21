"""Render a Page (and an index of pages) as one self-contained static HTML file.

All text from the data (OCR, subtitles, DOM text, record fields) is escaped here; what the script
needs travels in a JSON data block whose `<`, `>` and `&` are escaped, and the Content-Security-Policy
allows only this page's own script (by hash), inline styles and data:/local pictures: no network, and
no injected script can run even if something slipped through.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any

from .layout import LANE_ORDER, RECORD_LANE, Timeline, clock, lay_out
from .model import Page, PageAnchor, PageItem

ROW_PX = 20
THUMB_ROW_PX = 38
PALETTE = ("#5c6bc0", "#8d6e63", "#00897b", "#7cb342", "#26a69a", "#ab47bc", "#78909c", "#ef6c00",
           "#1e88e5", "#6d4c41", "#546e7a", "#d81b60", "#3949ab", "#00acc1", "#c0ca33", "#f4511e",
           "#8e24aa", "#fb8c00")
SKIP_FIELDS = frozenset({"anchor_ids"})
FIELD_CHARS = 600


def kind_color(kind: str) -> str:
    """A fixed colour per anchor kind (the page and the chart agree)."""
    index = LANE_ORDER.index(kind) if kind in LANE_ORDER else int(hashlib.sha1(kind.encode()).hexdigest(), 16)
    return PALETTE[index % len(PALETTE)]


@cache
def _asset(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def _finite(value: Any) -> Any:
    """NaN and infinities (which Python's json reads) as strings: JSON.parse would reject the whole block."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _script_json(value: Any) -> str:
    """JSON safe inside <script type="application/json">: no '</script>' or '<!--' can be formed."""
    text = json.dumps(_finite(value), ensure_ascii=False, default=str, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _document(title: str, body: str, script: str | None) -> str:
    policy = "default-src 'none'; img-src data: file: 'self'; style-src 'unsafe-inline'"
    if script is not None:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        policy += f"; script-src 'sha256-{digest}'"
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{_asset('page.css')}</style></head>\n<body>\n{body}\n"
        + (f"<script>{script}</script>" if script is not None else "")
        + "</body></html>\n"
    )


def _time(start: float | None, end: float | None) -> str:
    if start is None:
        return "no time"
    return clock(start) if end is None or end == start else f"{clock(start)} – {clock(end)}"


def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


# ------------------------------------------------------------------ one page


def render_page(page: Page, *, index_href: str | None = None) -> str:
    timeline = lay_out(page)
    anchors = {a.id: a for a in page.anchors}
    parts = [
        _header(page, index_href),
        _page_notes(page),
        _timeline(page, timeline, anchors),
        "<main><section id=\"items\">",
        f"<h2>Record items ({len(page.items)})</h2>",
        *(_card(item, page, anchors) for item in page.items),
        _record_fallback(page),
        "</section><aside id=\"inspector\"><p class=\"meta\">Click an item or an anchor.</p></aside></main>",
        _comparison(page),
        f"<script type=\"application/json\" id=\"page-data\">{_script_json(_data(page))}</script>",
    ]
    return _document(f"claw view: {page.title}", "\n".join(p for p in parts if p), _asset("page.js"))


def _data(page: Page) -> dict[str, Any]:
    return {
        "images": {k: {"src": v.src} for k, v in page.images.items()},
        "anchors": {a.id: {"kind": a.kind, "start": a.start, "end": a.end, "p": a.p, "c": a.content, "cited_by": a.cited_by}
                    for a in page.anchors},
        "items": {i.id: {"path": i.path, "start": i.start, "end": i.end, "derived": i.time_from_anchors,
                         "anchor_ids": i.anchor_ids, "unknown": i.unknown_ids, "value": i.value} for i in page.items},
    }


def _header(page: Page, index_href: str | None) -> str:
    src = page.source
    meta = src.get("meta") or {}
    status_cls = {"ok": "ok", "invalid": "bad", "needs_clarification": "warn"}.get(page.status, "")
    problems = page.problems()
    repairs = sum(n.kind == "repair" for n in page.notes) + sum(n.kind == "repair" for i in page.items for n in i.notes)
    badges = [
        f"<span class=\"badge {status_cls}\" id=\"status\">{escape(page.status)}</span>",
        f"<span class=\"badge\">task {escape(page.task or '?')}</span>",
        f"<span class=\"badge\">{len(page.anchors)} anchors</span>",
        f"<span class=\"badge\">{len(page.items)} items</span>",
        f"<span class=\"badge {'bad' if problems else 'ok'}\">{problems} problems</span>",
        f"<span class=\"badge {'warn' if repairs else ''}\">{repairs} repairs</span>",
    ]
    facts = ", ".join(f"{escape(str(k))} {escape(str(v))}" for k, v in meta.items() if isinstance(v, str | int | float))
    prov = page.provenance
    backend = f"backend {escape(str(prov.get('backend')))} {escape(str(prov.get('model_id') or ''))}" if prov.get("backend") else ""
    counts = " · ".join(f"{escape(k)} {n}" for k, n in page.counts().items())
    back = f"<a href=\"{_attr(index_href)}\">← index</a> " if index_href else ""
    return (
        f"<header><h1>{back}{escape(page.title)}</h1><p>{''.join(badges)}</p>"
        f"<p class=\"meta\">{escape(str(src.get('kind') or ''))} {escape(str(src.get('format') or ''))} · {facts}</p>"
        f"<p class=\"meta\">anchors: {counts or 'none'}{' · ' + backend if backend else ''}</p></header>"
    )


def _note_li(cls: str, text: str) -> str:
    return f"<li class=\"{cls}\">{escape(text)}</li>"


def _page_notes(page: Page) -> str:
    rows = [_note_li(n.kind, n.line()) for n in page.notes]
    rows += [_note_li("warning", w) for w in page.warnings]
    rows += [_note_li("warning", f"question {q.get('id', '')}: {q.get('text', '')}") for q in page.questions]
    if not rows:
        return ""
    return f"<section id=\"page-notes\"><h2>Whole-record notes</h2><ul class=\"notes\">{''.join(rows)}</ul></section>"


def _timeline(page: Page, timeline: Timeline, anchors: dict[str, PageAnchor]) -> str:
    items = {i.id: i for i in page.items}
    labels, tracks = [], []
    for lane in timeline.lanes:
        thumbs = lane.name == "keyframe"
        height = (THUMB_ROW_PX if thumbs else ROW_PX) * lane.rows + 4
        labels.append(f"<div style=\"--h:{height}px\">{escape(lane.name)}</div>")
        marks = []
        for m in lane.marks:
            top = 2 + m.row * (THUMB_ROW_PX if thumbs else ROW_PX)
            style = f"left:{m.left * 100:.4f}%;top:{top}px;"
            if m.width > 0 and not thumbs:
                style += f"width:{m.width * 100:.4f}%;"
            if lane.name == RECORD_LANE:
                item = items[m.id]
                tip = f"{item.path} {item.label} ({_time(item.start, item.end)})"
                marks.append(f"<button type=\"button\" class=\"mk i{_state_cls(item)}\" data-id=\"{_attr(m.id)}\" style=\"{style}\" "
                             f"title=\"{_attr(tip)}\">{escape(item.label)}</button>")
                continue
            a = anchors[m.id]
            tip = f"{a.id} ({_time(a.start, a.end)}): {a.label}"
            cls = "mk a" + (" pt" if m.width == 0 and not thumbs else "") + (" thumb" if thumbs and a.image else "")
            inner = (f"<img data-img=\"{_attr(a.image)}\" alt=\"{_attr(a.id)}\" loading=\"lazy\" decoding=\"async\">" if thumbs and a.image
                     else ("" if m.width == 0 else escape(a.label)))
            marks.append(f"<button type=\"button\" class=\"{cls}\" data-id=\"{_attr(a.id)}\" style=\"{style}background:{kind_color(a.kind)}\" "
                         f"title=\"{_attr(tip)}\">{inner}</button>")
        tracks.append(f"<div class=\"track\" style=\"--h:{height}px;height:{height}px\">{''.join(marks)}</div>")
    axis = "".join(f"<span style=\"left:{frac * 100:.4f}%\">{escape(text)}</span>" for frac, text in timeline.ticks)
    facts = "".join(
        f"<button type=\"button\" class=\"mk a fact\" data-id=\"{_attr(aid)}\" title=\"{_attr(aid)}\">{escape(aid)}: {escape(anchors[aid].label)}</button>"
        for aid in timeline.untimed
    )
    return (
        "<section id=\"timeline\"><label class=\"zoom\">zoom <input id=\"zoom\" type=\"range\" min=\"1\" max=\"20\" step=\"0.5\" value=\"1\"></label>"
        f"<h2>Timeline ({escape(clock(timeline.duration))})</h2>"
        f"<div class=\"tl\"><div class=\"labels\"><div style=\"--h:18px\"></div>{''.join(labels)}</div>"
        f"<div class=\"scroll\"><div id=\"tracks\"><div class=\"axis\">{axis}</div>{''.join(tracks)}</div></div></div>"
        + (f"<div class=\"facts\">facts without time: {facts}</div>" if facts else "")
        + "</section>"
    )


def _state_cls(item: PageItem) -> str:
    return "" if item.state == "ok" else f" {item.state}"


def _overlay(item: PageItem, width: int, height: int) -> str:
    """The click point and target box, in the screen's pixels scaled onto the picture."""
    if item.point is None and item.box is None:
        return ""
    w, h = item.screen or (width, height)
    r = max(w, h) / 70
    shapes = []
    if item.box is not None:
        x1, y1, x2, y2 = item.box
        shapes.append(f"<rect x=\"{x1:.1f}\" y=\"{y1:.1f}\" width=\"{max(0.0, x2 - x1):.1f}\" height=\"{max(0.0, y2 - y1):.1f}\" "
                      f"fill=\"rgba(0,200,255,.15)\" stroke=\"#00a5e0\" stroke-width=\"{r / 2.5:.1f}\"/>")
    if item.point is not None:
        x, y = item.point
        shapes.append(f"<circle cx=\"{x:.1f}\" cy=\"{y:.1f}\" r=\"{r:.1f}\" fill=\"rgba(255,40,40,.3)\" stroke=\"#ff1744\" stroke-width=\"{r / 2.5:.1f}\"/>"
                      f"<path d=\"M{x - 2 * r:.1f} {y:.1f}H{x + 2 * r:.1f}M{x:.1f} {y - 2 * r:.1f}V{y + 2 * r:.1f}\" stroke=\"#ff1744\" stroke-width=\"{r / 4:.1f}\"/>")
    return f"<svg viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"none\" aria-hidden=\"true\">{''.join(shapes)}</svg>"


def _fields(value: Any) -> str:
    """The item's scalar fields (and one level of nested objects, e.g. the action), nulls left out."""
    if not isinstance(value, dict):
        return ""
    rows = []
    for key, v in value.items():
        if key in SKIP_FIELDS or v is None or v == [] or v == {}:
            continue
        if isinstance(v, dict):
            v = ", ".join(f"{k}={json.dumps(x, ensure_ascii=False)}" for k, x in v.items() if x is not None)
        elif not isinstance(v, str):
            v = json.dumps(v, ensure_ascii=False, default=str)
        text = v if len(v) <= FIELD_CHARS else v[:FIELD_CHARS - 1] + "…"
        rows.append(f"<dt>{escape(str(key))}</dt><dd>{escape(text)}</dd>")
    return f"<dl class=\"fields\">{''.join(rows)}</dl>"


def _also(label: str, ident: str) -> str:
    return "" if label == ident else f" · {escape(label)}"


def _card(item: PageItem, page: Page, anchors: dict[str, PageAnchor]) -> str:
    pictures = []
    for field, key in item.images:
        ref = page.images[key]
        pictures.append(
            f"<figure class=\"shot\"><img data-img=\"{_attr(key)}\" alt=\"{_attr(field)} of {_attr(item.path)}\" loading=\"lazy\" decoding=\"async\" "
            f"width=\"{ref.width}\" height=\"{ref.height}\" style=\"aspect-ratio:{ref.width}/{ref.height};height:auto\">"
            f"{_overlay(item, ref.width, ref.height)}<figcaption class=\"cap\">{escape(field)}</figcaption></figure>"
        )
    chips = [f"<button type=\"button\" class=\"chip\" data-ref=\"{_attr(a)}\" title=\"{_attr(anchors[a].label)}\">"
             f"{escape(a)}{_also(anchors[a].label, a)}</button>" for a in item.anchor_ids]
    chips += [f"<span class=\"chip bad\">{escape(a)} (no such anchor)</span>" for a in item.unknown_ids]
    notes = "".join(_note_li(n.kind, f"{n.kind} {n.line()}") for n in item.notes)
    pairs = "".join(
        f"<li class=\"pair\">{escape(p.metric)}: "
        + (f"paired with {escape(p.ref_path)} {escape(p.ref_label)} (score {p.score:.2f})" if p.ref_path and p.score is not None
           else "no reference item paired")
        + "</li>" for p in item.pairs
    )
    when = _time(item.start, item.end) + (" (from cited anchors)" if item.time_from_anchors else "")
    return (
        f"<article class=\"card{_state_cls(item)}\" data-id=\"{_attr(item.id)}\">"
        f"<header><span class=\"path\">{escape(item.path)}</span><span class=\"title\">{escape(item.label)}</span>"
        f"<span class=\"meta\">{escape(when)}</span></header>"
        + (f"<ul class=\"notes\">{notes}{pairs}</ul>" if notes or pairs else "")
        + f"<div class=\"body\">{''.join(pictures)}{_fields(item.value)}</div>"
        + f"<div class=\"chips\">cites: {''.join(chips) or '<em>no anchors</em>'}</div></article>"
    )


def _record_fallback(page: Page) -> str:
    """A record with no items (or no record at all) says so instead of leaving an empty column."""
    if page.items:
        return ""
    return "<p class=\"meta\">The record has no items that cite anchors or state a time.</p>"


def _comparison(page: Page) -> str:
    comp = page.comparison
    if comp is None:
        return ""
    rows = "".join(
        f"<tr><td>{escape(m.name)}</td><td class=\"num\">{'—' if m.score is None else f'{m.score:.1f}'}</td><td>{escape(m.detail)}</td></tr>"
        for m in comp.metrics
    )
    unpaired = "".join(_note_li("problem", f"{p.metric}: reference {p.ref_path} {p.ref_label} has no predicted item")
                       for p in comp.unpaired_reference)
    return (
        f"<section id=\"comparison\"><h2>Against the reference {escape(comp.reference)}</h2>"
        f"<table><tr><th>metric</th><th>score</th><th>how</th></tr>{rows}</table>"
        + (f"<ul class=\"notes\">{unpaired}</ul>" if unpaired else "") + "</section>"
    )


# ------------------------------------------------------------------ index


def render_index(title: str, rows: list[dict[str, Any]]) -> str:
    """One row per source: status, task, counts, problems, and a link to its page when it has one."""
    body = []
    for r in rows:
        status = str(r.get("status") or "")
        cls = {"ok": "ok", "invalid": "bad", "error": "bad", "needs_clarification": "warn"}.get(status, "")
        name = escape(str(r.get("source") or ""))
        link = f"<a href=\"{_attr(r['href'])}\">{name}</a>" if r.get("href") else name
        body.append(
            f"<tr class=\"row\" data-status=\"{_attr(status)}\"><td>{link}</td><td><span class=\"badge {cls}\">{escape(status)}</span></td>"
            f"<td>{escape(str(r.get('task') or ''))}</td><td class=\"num\">{r.get('anchors', '')}</td><td class=\"num\">{r.get('items', '')}</td>"
            f"<td class=\"num\">{r.get('problems', '')}</td><td class=\"num\">{r.get('repairs', '')}</td><td>{escape(str(r.get('note') or ''))}</td></tr>"
        )
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r.get("status"))] = counts.get(str(r.get("status")), 0) + 1
    summary = " · ".join(f"{escape(k)} {n}" for k, n in counts.items())
    html = (
        f"<header><h1>{escape(title)}</h1><p class=\"meta\">{len(rows)} sources · {summary}</p></header><section>"
        "<table><tr><th>source</th><th>status</th><th>task</th><th>anchors</th><th>items</th><th>problems</th><th>repairs</th><th>note</th></tr>"
        f"{''.join(body)}</table></section>"
    )
    return _document(f"claw view: {title}", html, None)
