"""--reference: the scores are claw eval's, and each item shows whom the metrics paired it with."""

from __future__ import annotations

import copy
import json

import pytest

from dataclaw_tailor.evals.metrics import score_record
from dataclaw_tailor.experts.registry import get_task
from dataclaw_tailor.view import render_view
from dataclaw_tailor.view.build import build_page
from dataclaw_tailor.view.compare import compare
from dataclaw_tailor.view.images import ImageStore

from .conftest import load

pytest.importorskip("sentence_transformers", reason="the eval extra (MiniLM for Semantic) is not installed")


def test_reference_pairs_timed_items_by_iou_and_scores_like_claw_eval(video_envelope, tmp_path):
    env = load(video_envelope)
    reference = copy.deepcopy(env["record"])
    dropped = reference["events"].pop(0)
    reference["events"].append(dropped | {"start_s": 9.5, "end_s": 10.0, "caption": "A black screen with white dots."})
    reference["events"][0]["start_s"] += 0.5
    page = build_page(env, origin=None, store=ImageStore())
    comparison = compare(page, env, reference, name="ref.json")
    scores = score_record(env["record"], reference, get_task("daily.dense_captions").json_schema())
    got = {m.name: m.score for m in comparison.metrics}
    assert got == pytest.approx({"Field": scores.field, "Semantic": scores.semantic, "Sequence": scores.sequence,
                                 "Overall": scores.overall})
    by_path = {i.path: i for i in page.items}
    seq = {path: next(p for p in item.pairs if p.metric.startswith("sequence")) for path, item in by_path.items()}
    assert seq["$.events[1]"].ref_path == "$.events[0]" and 0 < seq["$.events[1]"].score < 1
    assert seq["$.events[3]"].ref_path == "$.events[2]" and seq["$.events[3]"].score == pytest.approx(1.0)
    assert all(any(p.metric.startswith("semantic") for p in item.pairs) for item in page.items)


def test_claw_view_reference_section(video_envelope, tmp_path):
    env = load(video_envelope)
    (tmp_path / "ref.json").write_text(json.dumps({"id": "case", "reference": env["record"]}))
    render_view(video_envelope, tmp_path / "page.html", reference=tmp_path / "ref.json", chart=False)
    html = (tmp_path / "page.html").read_text()
    assert 'id="comparison"' in html and html.count("paired with $.events[") == 2 * len(env["record"]["events"])
    assert "<td>Overall</td><td class=\"num\">100.0</td>" in html
