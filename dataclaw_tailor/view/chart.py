"""The timeline as a PNG for reports, drawn with Pillow.

Pillow is a core dependency (matplotlib is only in the `eval` extra), so every install can write the
chart next to the page; the lanes, rows and colours are the page's own (`layout`, `html.kind_color`).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .html import kind_color
from .layout import RECORD_LANE, lay_out
from .model import Page

WIDTH = 1600
LABEL_W = 130
ROW_H = 16
LANE_GAP = 8
TOP = 44
AXIS_H = 22
ITEM_COLORS = {"ok": "#37474f", "fix": "#b26a00", "bad": "#c62828"}


def write_chart(page: Page, path: str | Path) -> Path:
    """Write the chart of `page`'s timeline to `path` (PNG) and return the path."""
    timeline = lay_out(page)
    height = TOP + AXIS_H + sum(lane.rows * ROW_H + LANE_GAP for lane in timeline.lanes) + 10
    img = Image.new("RGB", (WIDTH, max(height, TOP + AXIS_H + 30)), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=13)
    small = ImageFont.load_default(size=11)
    track_w = WIDTH - LABEL_W - 16
    problems = page.problems()
    draw.text((10, 8), f"{page.title[-110:]}", fill="#1d232b", font=font)
    draw.text((10, 25), f"{page.task or '?'} · {page.status} · {len(page.anchors)} anchors · {len(page.items)} items · "
                        f"{problems} problems", fill="#5f6b7a", font=small)
    x0 = LABEL_W
    y = TOP
    for frac, label in timeline.ticks:
        x = x0 + frac * track_w
        draw.line([(x, y + AXIS_H - 4), (x, height)], fill="#eef0f3")
        draw.text((x + 2, y), label, fill="#5f6b7a", font=small)
    y += AXIS_H
    states = {i.id: i.state for i in page.items}
    for lane in timeline.lanes:
        lane_h = lane.rows * ROW_H
        draw.line([(10, y - LANE_GAP / 2), (WIDTH - 10, y - LANE_GAP / 2)], fill="#d9dee5")
        draw.text((10, y + lane_h / 2 - 7), lane.name, fill="#5f6b7a", font=small)
        for m in lane.marks:
            color = ITEM_COLORS[states[m.id]] if lane.name == RECORD_LANE else kind_color(lane.name)
            left = x0 + m.left * track_w
            top = y + m.row * ROW_H + 2
            right = max(left + 3, left + m.width * track_w)
            draw.rectangle([left, top, right, top + ROW_H - 4], fill=color, outline="#00000040")
        y += lane_h + LANE_GAP
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, "PNG")
    return out
