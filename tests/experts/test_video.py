"""Video structure on real devset clips: speech splits long shots, no span or clip under the minimum,
no question on text the recogniser is unsure of."""

import pytest

from dataclaw_tailor.core import Intent, TailorContext
from dataclaw_tailor.core.contents import KeyframeContent
from dataclaw_tailor.experts import video
from dataclaw_tailor.experts.registry import get_task
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.ocr import names, read_text

SINTEL = "video/sintel-subtitles/Sintel.2010.480.mp4"
POPEYE_SRT = "video/popeye-bitmap-subtitles/srt/popeye p1.eng.srt"


def _context(devset, relative, kinds, task="daily.dense_captions"):
    source = detect(devset / relative)
    return TailorContext(source=source, intent=Intent(text="tailor this"), anchors=extract(source, kinds), task=task)


@pytest.mark.devset
def test_a_long_shot_with_speech_becomes_several_events_each_inside_its_sentences(devset):
    ctx = _context(devset, SINTEL, ["shot", "cut", "subtitle", "keyframe", "motion"])
    by_id = {a.id: a for a in ctx.anchors}
    long_shot = next(a for a in ctx.anchors if a.kind == "shot" and abs(a.start - 2.25) < 0.05)
    assert long_shot.end - long_shot.start >= video.SPEECH_SPLIT_S, "Sintel's 2.25-8.54 s shot carries three subtitle sentences"
    events = get_task("daily.dense_captions").synthesize(ctx)["events"]
    assert len([e for e in events if long_shot.id in e["anchor_ids"]]) >= 2
    assert len(events) > sum(1 for a in ctx.anchors if a.kind == "shot" and a.end - a.start >= video.MIN_SPAN_S)
    spoken = [e for e in events if ", speech " in e["caption"]]
    assert spoken
    for event in spoken:
        sentences = [by_id[i] for i in event["anchor_ids"] if i.startswith("subtitle:")]
        assert min(s.start for s in sentences) - 1e-3 <= event["start_s"] < event["end_s"] <= max(s.end for s in sentences) + 1e-3, event
    assert all(e["end_s"] - e["start_s"] >= video.MIN_SPAN_S - 1e-3 for e in events)
    steps = get_task("education.procedure").synthesize(ctx)["steps"]
    assert len(steps) == len(events), "procedure steps follow the same segmentation"


@pytest.mark.devset
@pytest.mark.parametrize("relative", [SINTEL, "video/pyscenedetect/testvideo.mp4"])
def test_no_vqa_clip_is_shorter_than_the_minimum_and_cuts_are_asked_about(devset, relative):
    ctx = _context(devset, relative, ["shot", "cut", "subtitle", "keyframe", "motion"], task="daily.vqa")
    qa = get_task("daily.vqa").synthesize(ctx)["qa"]
    assert qa
    assert all(q["clip"][1] - q["clip"][0] >= video.MIN_SPAN_S - 1e-3 for q in qa), [q["clip"] for q in qa]
    assert any(q["type"] == "counting" and "cuts" in q["question"] for q in qa)
    if relative == SINTEL:
        between = [q for q in qa if q["question"].startswith("What is said between")]
        assert between and all(any(i.startswith("cut:") for i in q["anchor_ids"]) for q in between)


@pytest.mark.devset
def test_no_question_quotes_ocr_text_below_the_confidence_threshold(devset):
    ctx = _context(devset, SINTEL, ["shot", "cut", "keyframe", "ocr"], task="daily.vqa")
    confident: set[str] = set()
    for frame in (a for a in ctx.anchors if a.kind == "keyframe"):
        from PIL import Image
        import numpy as np

        with Image.open(KeyframeContent.of(frame).path) as im:
            confident |= {b.text for b in names(read_text(np.asarray(im.convert("RGB"))))}
    ocr = {a.id: a.c for a in ctx.anchors if a.kind == "ocr"}
    assert set(ocr.values()) <= confident
    for q in get_task("daily.vqa").synthesize(ctx)["qa"]:
        assert all(ocr[i] in confident for i in q["anchor_ids"] if i in ocr)
