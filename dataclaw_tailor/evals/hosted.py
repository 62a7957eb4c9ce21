"""A scripted assistant that writes a record from a brief's text alone (the "host-written" benchmark row).

It reads only what an assistant in an MCP host is shown: the source line and the anchor lines of the
brief's prompt (ids, times, positions, OCR/subtitle text, GUI event fields, image file names). From
those it rebuilds the anchors and lets the task's synthesiser arrange them, the way an assistant would
copy ids and times into the schema. So its score is what the brief carries, measured: if it reaches
Field 100 and the rules backend's Sequence, nothing a record needs is missing from the brief.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..core import Anchor, Intent, Source, TailorContext
from ..experts.registry import get_task

_SOURCE = re.compile(r"^## Source \((.*)\)$", re.MULTILINE)


def anchors_from_brief(prompt: str) -> list[Anchor]:
    """The anchors as the brief lists them, one JSON object per line after the `## Anchors` header."""
    anchors = []
    for line in prompt.splitlines():
        if not line.startswith('{"id":'):
            continue
        row = json.loads(line)
        anchors.append(Anchor(id=row["id"], kind=row["id"].rsplit(":", 1)[0], t=row.get("t"), p=row.get("p"), c=row.get("c")))
    return anchors


def source_from_brief(prompt: str, path: str) -> Source:
    """The source facts of the brief's `## Source (kind=..., duration_s=..., ...)` line."""
    match = _SOURCE.search(prompt)
    if match is None:
        raise ValueError("the brief has no source line")
    facts = dict(part.split("=", 1) for part in match.group(1).split(", "))
    kind, fmt = facts.pop("kind"), facts.pop("format", "")
    meta: dict[str, Any] = {k: (float(v) if "." in v else int(v)) for k, v in facts.items()}
    return Source(path=path, kind=kind, format=fmt, content_hash="", meta=meta)


def write_from_brief(prompt: str, task: str, path: str, intent: str) -> dict[str, Any]:
    """The record a careful assistant copies out of the brief for `task`."""
    spec = get_task(task)
    ctx = TailorContext(source=source_from_brief(prompt, path), intent=Intent(text=intent), anchors=anchors_from_brief(prompt), task=task)
    return spec.synthesize(ctx)
