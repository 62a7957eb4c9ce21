"""Shared fixtures: hand-made triplets (two domains)."""

from __future__ import annotations

import pytest

from dataclaw_tailor.core import Anchor, Intent, Source, SourceKind
from dataclaw_tailor.training.triplets import Triplet, triplet_key, write_triplet

SCHEMA = {
    "type": "object",
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "start_s": {"type": "number"},
                    "end_s": {"type": "number"},
                    "caption": {"type": "string"},
                    "anchor_ids": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["start_s", "end_s", "caption", "anchor_ids"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["events"],
    "additionalProperties": False,
}


def make_triplet(i: int, domain: str = "daily", valid: bool = True) -> Triplet:
    duration = 6.0 + i
    source = Source(path=f"v{i}.mp4", kind=SourceKind.video, content_hash=f"hash{i}", meta={"duration_s": duration, "width": 640, "height": 360})
    anchors = [Anchor(id="shot:0", kind="shot", t=(0.0, duration / 2)), Anchor(id="shot:1", kind="shot", t=(duration / 2, duration))]
    record = {"events": [{"start_s": a.start, "end_s": a.end, "caption": f"scene {k}", "anchor_ids": [a.id]} for k, a in enumerate(anchors)]}
    intent = Intent(text="caption the video", task="daily.dense_captions")
    return Triplet(key=triplet_key(source, intent, "rules") + domain, source=source, intent=intent, domain=domain,
                   task="daily.dense_captions", json_schema=SCHEMA, anchors=anchors, record=record, valid=valid, teacher="rules")


@pytest.fixture
def triplet_dir(tmp_path):
    """A construction folder with 8 triplets, half 'daily' and half 'education'."""
    for i in range(8):
        write_triplet(tmp_path / "triplets.jsonl", make_triplet(i, "daily" if i % 2 else "education"))
    return tmp_path
