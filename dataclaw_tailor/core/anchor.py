"""Factual anchors (t, p, c): the deterministic facts a tailored record must be grounded in."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

Time = float | tuple[float, float]


class Anchor(BaseModel):
    """One fact about a source, as in the paper's (t, p, c) triple.

    `id` is stable across runs (`shot:3`, `gui_event:12`) so records can cite it in `anchor_ids`.
    """

    id: str = Field(description="Stable id, '<kind>:<index>'.")
    kind: str = Field(description="What sort of fact: shot, keyframe, ocr, gui_event, gripper, pause ...")
    t: Time | None = Field(default=None, description="Seconds: a point or a [start, end] span.")
    p: list[float] | None = Field(
        default=None, description="Position: [x, y] pixel point, [x1, y1, x2, y2] bbox, or an end-effector [x, y, z]."
    )
    c: str | dict[str, Any] | None = Field(default=None, description="Observed content: text or a small dict.")
    extractor: str = Field(default="", description="'<extractor>@<version>' that produced it.")

    @property
    def start(self) -> float | None:
        if self.t is None:
            return None
        return float(self.t[0]) if isinstance(self.t, tuple) else float(self.t)

    @property
    def end(self) -> float | None:
        if self.t is None:
            return None
        return float(self.t[1]) if isinstance(self.t, tuple) else float(self.t)

    def compact(self) -> dict[str, Any]:
        """The `{id, kind, t, p, c}` view used in prompts and CLI/MCP output."""
        return {"id": self.id, "kind": self.kind, "t": self.t, "p": self.p, "c": self.c}

    def line(self) -> str:
        """`id t=.. p=.. c=..` on one line, empty fields left out: the cheapest faithful text form
        (the compact training prompt and `claw anchors` both print it)."""
        parts = [self.id]
        if self.t is not None:
            parts.append(f"t={_json(list(self.t) if isinstance(self.t, tuple) else self.t)}")
        if self.p is not None:
            parts.append(f"p={_json([round(v, 1) for v in self.p])}")
        if self.c is not None:
            parts.append(f"c={_json(self.c)}")
        return " ".join(parts)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def anchors_digest(anchors: Iterable[Anchor]) -> str:
    """A short hash of the anchor facts, recorded in provenance to tie a record to its evidence."""
    payload = json.dumps([a.compact() for a in anchors], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def by_id(anchors: Iterable[Anchor]) -> dict[str, Anchor]:
    return {a.id: a for a in anchors}


def of_kind(anchors: Iterable[Anchor], *kinds: str) -> list[Anchor]:
    return [a for a in anchors if a.kind in kinds]
