"""The data of one audit page: anchors, record items, the links between them and what was found wrong.

Everything the HTML and the PNG chart draw is decided here, in plain typed values, so the renderers only
lay out and escape; a test can check what a reviewer will see without a browser.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..core.report import Problem, Repair


class ImageRef(BaseModel):
    """A picture the page shows, after it was read and shrunk: a data URL or a file beside the page."""

    src: str = Field(description="data: URL, or a path relative to the page.")
    width: int = Field(description="Width of the original picture, in its own pixels (overlays use these).")
    height: int = Field(description="Height of the original picture.")


class PageAnchor(BaseModel):
    """One anchor as the page shows it."""

    id: str
    kind: str
    start: float | None = Field(default=None, description="Seconds; None for facts without time (the task, the robot).")
    end: float | None = None
    p: list[float] | None = Field(default=None, description="Point, box or end-effector position, as extracted.")
    label: str = Field(description="Short text for the timeline (OCR text, action, shot number ...).")
    content: Any = Field(default=None, description="The anchor's `c`, shown in full in the inspector.")
    image: str | None = Field(default=None, description="Key into Page.images (keyframe, screenshot).")
    cited_by: list[str] = Field(default_factory=list, description="Ids of the record items citing this anchor.")


Note = Problem | Repair
"""A validation problem or a repair, placed at the record item its JSON path falls in."""


class PairNote(BaseModel):
    """How the metrics paired this item with a reference item."""

    metric: str = Field(description="Which metric paired them: sequence (time IoU / step index) or semantic (text).")
    ref_path: str | None = Field(description="JSON path of the reference item; None when nothing was paired with it.")
    score: float | None = Field(default=None, description="Pair score in [0, 1] (IoU, point hit, text similarity).")
    ref_label: str = ""


class PageItem(BaseModel):
    """One record item: an object of the record that cites anchors or states a time."""

    id: str = Field(description="'item:N' in record order.")
    path: str = Field(description="JSON path in the record, e.g. $.steps[2].")
    label: str
    start: float | None = None
    end: float | None = None
    time_from_anchors: bool = Field(default=False, description="The item states no time: it is placed by the anchors it cites.")
    anchor_ids: list[str] = Field(default_factory=list, description="Cited anchors that exist.")
    unknown_ids: list[str] = Field(default_factory=list, description="Cited ids no anchor has.")
    point: tuple[float, float] | None = Field(default=None, description="Click point on the screen (GUI steps).")
    box: list[float] | None = Field(default=None, description="Target element box [x1, y1, x2, y2].")
    images: list[tuple[str, str]] = Field(
        default_factory=list, description="(field, key into Page.images): the screenshot, first frame, before/after pictures."
    )
    screen: tuple[int, int] | None = Field(default=None, description="Screen size the point and box are in.")
    value: Any = Field(default=None, description="The item's JSON, shown in full in the inspector.")
    notes: list[Note] = Field(default_factory=list)
    pairs: list[PairNote] = Field(default_factory=list)

    @property
    def state(self) -> str:
        """'bad' (a problem, or a citation of no anchor), 'fix' (repaired only) or 'ok': the item's colour."""
        if self.unknown_ids or any(n.kind == "problem" for n in self.notes):
            return "bad"
        return "fix" if self.notes else "ok"


class MetricRow(BaseModel):
    name: str
    score: float | None = Field(description="0-100; None when it could not be computed here (why in `detail`).")
    detail: str = ""


class Comparison(BaseModel):
    """The record against a reference: per-metric scores and unpaired reference items."""

    reference: str = Field(description="Where the reference came from.")
    metrics: list[MetricRow]
    unpaired_reference: list[PairNote] = Field(default_factory=list)


class Page(BaseModel):
    title: str
    status: str
    task: str | None = None
    domain: str | None = None
    source: dict[str, Any] = Field(default_factory=dict, description="path, kind, format, meta as in the envelope.")
    valid: bool | None = None
    duration: float = Field(description="Seconds the timeline spans.")
    anchors: list[PageAnchor]
    items: list[PageItem]
    notes: list[Note] = Field(default_factory=list, description="Problems and repairs not inside any item (e.g. at '$').")
    warnings: list[str] = Field(default_factory=list, description="What the page could not show (missing images, bad anchors).")
    images: dict[str, ImageRef] = Field(default_factory=dict)
    comparison: Comparison | None = None
    provenance: dict[str, Any] = Field(default_factory=dict)
    questions: list[dict[str, Any]] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Anchors per kind, in first-seen order."""
        out: dict[str, int] = {}
        for a in self.anchors:
            out[a.kind] = out.get(a.kind, 0) + 1
        return out

    def problems(self) -> int:
        return sum(n.kind == "problem" for n in self.notes) + sum(n.kind == "problem" for i in self.items for n in i.notes)
