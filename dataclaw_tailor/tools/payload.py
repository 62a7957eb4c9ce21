"""The `{source, anchors}` JSON document behind `claw anchors` and the MCP `extract_anchors` tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .detect import detect
from .extract import extract


def anchors_payload(path: str | Path, kinds: list[str] | None = None,
                    cache_dir: str | Path | None = None) -> dict[str, Any]:
    source = detect(path)
    anchors = extract(source, kinds, cache_dir=cache_dir)
    return {"source": source.model_dump(mode="json"),
            "anchors": [a.compact() | {"extractor": a.extractor} for a in anchors]}
