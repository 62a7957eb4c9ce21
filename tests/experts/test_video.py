"""Video structure on real devset clips: speech splits long shots, no span or clip under the minimum,
no question on text the recogniser is unsure of."""

import numpy as np
import pytest
from PIL import Image

from dataclaw_tailor.core import Intent, TailorContext
from dataclaw_tailor.core.contents import KeyframeContent
from dataclaw_tailor.experts import video
from dataclaw_tailor.experts.registry import get_task
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.ocr import names, read_text

SINTEL = "video/sintel-subtitles/Sintel.2010.480.mp4"
POPEYE = "video/popeye-bitmap-subtitles/mkv/vob/Title T03-4.mkv"
POPEYE_SRT = "video/popeye-bitmap-subtitles/srt/popeye p1.eng.srt"


def _context(devset, relative, kinds, cache, task="daily.dense_captions"):
    source = detect(devset / relative)
    return TailorContext(source=source, intent=Intent(text="tailor this"), anchors=extract(source, kinds, cache_dir=cache), task=task)


@pytest.mark.devset
def test_a_long_shot_with_speech_becomes_several_events_each_inside_its_sentences(devset, tmp_path):
    ctx = _context(devset, SINTEL, ["shot", "cut", "subtitle", "keyframe", "motion"], tmp_path)
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
    said = {e["start_s"]: e["objects"] for e in events}
    assert said[25.582] == ["dragon"] and "blood" in said[3.932], "objects name what the span's subtitles name"
    said = {e["start_s"]: e["objects"] for e in events}
    assert said[25.582] == ["dragon"] and "spirit" in said[20.333], "objects name what the span's subtitles name"
    steps = get_task("education.procedure").synthesize(ctx)["steps"]
    assert len(steps) == len(events), "procedure steps follow the same segmentation"


@pytest.mark.devset
def test_popeye_dense_captions_follow_its_bitmap_subtitled_song(devset, tmp_path):
    """Popeye's 50 s second shot is one continuous song: its VobSub bitmap subtitles (read by OCR) split it into
    several events, each inside the sentences it covers; the sidecar .srt the subtitles were made from is the ground
    truth for where lines start (SOURCES.md: each VobSub packet lies within 0.86 s of a cue start; the packets'
    ends follow the display, not the .srt)."""
    from dataclaw_tailor.tools.subtitles import parse_cues

    ctx = _context(devset, POPEYE, ["shot", "cut", "subtitle", "keyframe", "motion"], tmp_path)
    by_id = {a.id: a for a in ctx.anchors}
    long_shot = max((a for a in ctx.anchors if a.kind == "shot"), key=lambda a: a.end - a.start)
    assert long_shot.end - long_shot.start > 40
    events = get_task("daily.dense_captions").synthesize(ctx)["events"]
    in_shot = [e for e in events if long_shot.id in e["anchor_ids"]]
    assert len(in_shot) >= 4, [(e["start_s"], e["end_s"]) for e in in_shot]
    assert all(e["end_s"] - e["start_s"] >= video.MIN_SPAN_S - 1e-3 for e in events)
    truth = parse_cues((devset / POPEYE_SRT).read_text(encoding="utf-8-sig"), POPEYE_SRT)
    spoken = [e for e in in_shot if ", speech " in e["caption"]]
    assert len(spoken) >= 4
    for event in spoken:
        sentences = [by_id[i] for i in event["anchor_ids"] if i.startswith("subtitle:")]
        assert min(s.start for s in sentences) - 1e-3 <= event["start_s"] < event["end_s"] <= max(s.end for s in sentences) + 1e-3, event
        assert min(abs(event["start_s"] - start) for start, _, _ in truth) <= 0.9, "each speech event starts where a sung line starts"
    assert [e["start_s"] for e in events] == sorted(e["start_s"] for e in events)


@pytest.mark.devset
@pytest.mark.parametrize("relative", [SINTEL, "video/pyscenedetect/testvideo.mp4"])
def test_no_vqa_clip_is_shorter_than_the_minimum_and_cuts_are_asked_about(devset, relative, tmp_path):
    ctx = _context(devset, relative, ["shot", "cut", "subtitle", "keyframe", "motion"], tmp_path, task="daily.vqa")
    qa = get_task("daily.vqa").synthesize(ctx)["qa"]
    assert qa
    assert all(q["clip"][1] - q["clip"][0] >= video.MIN_SPAN_S - 1e-3 for q in qa), [q["clip"] for q in qa]
    assert any(q["type"] == "counting" and "cuts" in q["question"] for q in qa)
    if relative == SINTEL:
        between = [q for q in qa if q["question"].startswith("What is said between")]
        assert between and all(any(i.startswith("cut:") for i in q["anchor_ids"]) for q in between)


@pytest.mark.devset
def test_no_question_quotes_ocr_text_below_the_confidence_threshold(devset, tmp_path):
    ctx = _context(devset, "video/pyscenedetect/testvideo.mp4", ["shot", "cut", "keyframe", "ocr"], tmp_path, task="daily.vqa")
    confident: set[str] = set()
    for frame in (a for a in ctx.anchors if a.kind == "keyframe"):
        with Image.open(KeyframeContent.of(frame).path) as im:
            confident |= {b.text for b in names(read_text(np.asarray(im.convert("RGB"))))}
    ocr = {a.id: a.c for a in ctx.anchors if a.kind == "ocr"}
    assert ocr, "testvideo's keyframes carry on-screen text"
    assert set(ocr.values()) <= confident
    for q in get_task("daily.vqa").synthesize(ctx)["qa"]:
        assert all(ocr[i] in confident for i in q["anchor_ids"] if i in ocr)


@pytest.mark.devset
def test_a_watermark_read_differently_from_frame_to_frame_splits_no_shot(devset, tmp_path):
    """testvideo's corner watermark reads "Copyright 0 2013", "Copyright @ 2013" or not at all from frame to frame;
    it is on screen in every shot, so the procedure keeps one step per shot (the devbench reference's four)."""
    kinds = ["shot", "cut", "keyframe", "ocr", "motion", "audio", "subtitle"]
    ctx = _context(devset, "video/pyscenedetect/testvideo.mp4", kinds, tmp_path, task="education.procedure")
    shots = [(a.start, a.end) for a in ctx.anchors if a.kind == "shot"]
    steps = get_task("education.procedure").synthesize(ctx)["steps"]
    assert [(s["start_s"], s["end_s"]) for s in steps] == [(round(a, 3), round(b, 3)) for a, b in shots]


def _picture(width):
    """A 360-pixel-high picture with smooth colour ramps and mild grain, like a photo's background."""
    y, x = np.mgrid[0:360, 0:width]
    picture = np.stack([(x * 0.3 + 40) % 256, (y * 0.5 + 60) % 256, 120 + 40 * np.sin(x / 50.0)], -1)
    return (picture + np.random.default_rng(0).normal(0, 6, picture.shape)).clip(0, 255).astype(np.uint8)


SLIDES = ("Open the terminal", "Install the package", "Run the tests")
FADE_S = 0.5


def _slideshow(path, shared_picture):
    """Text slides each shown 4 s, as a screencast of a lecture's slides: over one plain colour with hard switches
    (the shot detector cuts at each), or drawn on one shared picture and cross-faded over FADE_S (one shot: only the
    text changes, so only the keyframes sampled inside the shot and their OCR can tell the slides apart)."""
    import subprocess

    from PIL import ImageDraw, ImageFont

    from dataclaw_tailor.tools.ffmpeg import ffmpeg_exe

    picture = _picture(640)
    inputs = []
    for i, text in enumerate(SLIDES):
        im = Image.fromarray(picture) if shared_picture else Image.new("RGB", (640, 360), (30, 40, 60))
        ImageDraw.Draw(im).text((60, 150), text, fill="white", font=ImageFont.load_default(size=48), stroke_width=2, stroke_fill="black")
        im.save(path.parent / f"slide{i}.png")
        inputs += ["-loop", "1", "-t", "4", "-i", str(path.parent / f"slide{i}.png")]
    if shared_picture:
        graph = (";".join(f"[{i}]fps=25,settb=AVTB[s{i}]" for i in range(3))
                 + f";[s0][s1]xfade=transition=fade:duration={FADE_S}:offset={4 - FADE_S}[a]"
                 + f";[a][s2]xfade=transition=fade:duration={FADE_S}:offset={8 - 2 * FADE_S},format=yuv420p")
    else:
        graph = "[0][1][2]concat=n=3:v=1:a=0,fps=25,format=yuv420p"
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *inputs, "-filter_complex", graph, str(path)],
                   check=True, timeout=120)
    return path


@pytest.mark.parametrize("shared_picture", [False, True], ids=["cut-between-slides", "one-shot-crossfade"])
def test_a_slideshow_becomes_one_step_per_slide(tmp_path, shared_picture):
    source = detect(_slideshow(tmp_path / "slides.mp4", shared_picture))
    anchors = extract(source, ["shot", "cut", "keyframe", "ocr", "motion", "subtitle"], cache_dir=tmp_path / "cache")
    ctx = TailorContext(source=source, intent=Intent(text="step by step tutorial"), anchors=anchors, task="education.procedure")
    steps = get_task("education.procedure").synthesize(ctx)["steps"]
    assert [s["title"] for s in steps] == list(SLIDES)
    assert all(s["end_s"] - s["start_s"] >= video.MIN_SPAN_S for s in steps)
    if not shared_picture:
        assert [round(s["start_s"]) for s in steps] == [0, 4, 8]
        return
    assert sum(a.kind == "shot" for a in anchors) == 1, "only the text changes: the shot detector sees one shot"
    fades = [4 - FADE_S, 8 - 2 * FADE_S]  # where each cross-fade starts
    assert steps[0]["start_s"] == 0.0
    assert all(f - 0.1 <= s["start_s"] <= f + FADE_S + 0.1 for f, s in zip(fades, steps[1:])), [s["start_s"] for s in steps]
    assert all(s["on_screen_text"] == [title] for s, title in zip(steps, SLIDES)), "each step shows only its own slide"


def _clip(path, video_filter, audio_filter=None, seconds=12):
    """A generated clip: one continuous take of a picture (so the shot detector sees one shot), with a tone."""
    import subprocess

    from dataclaw_tailor.tools.ffmpeg import ffmpeg_exe

    Image.fromarray(_picture(1280)).save(path.parent / "picture.png")
    audio = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-af", audio_filter, "-c:a", "aac"] if audio_filter else []
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-t", str(seconds), "-i",
                    str(path.parent / "picture.png"), *audio, "-vf", f"{video_filter},fps=25,format=yuv420p", "-shortest", str(path)],
                   check=True, timeout=120)
    return path


def _events(path, cache):
    source = detect(path)
    anchors = extract(source, list(get_task("daily.dense_captions").extractors), cache_dir=cache)
    ctx = TailorContext(source=source, intent=Intent(text="dense captions"), anchors=anchors, task="daily.dense_captions")
    return anchors, get_task("daily.dense_captions").synthesize(ctx)["events"]


def test_a_silence_inside_a_long_shot_is_its_own_event(tmp_path):
    """A 12 s still take whose tone stops from 4 to 7 s: sound, silence, sound."""
    anchors, events = _events(_clip(tmp_path / "tone.mp4", "crop=640:360:0:0", "volume=enable='between(t,4,7)':volume=0"), tmp_path / "c")
    assert sum(a.kind == "shot" for a in anchors) == 1
    assert [e["caption"].split(" (")[0] for e in events] == ["Shot 1", "Shot 1, silence", "Shot 1, sound"]
    assert [round(e["start_s"]) for e in events] == [0, 4, 7]


def test_a_long_still_then_moving_stretch_inside_one_shot_are_two_events(tmp_path):
    """One take: the picture holds still for 6 s, then pans for 6 s (no cut, no sound)."""
    anchors, events = _events(_clip(tmp_path / "pan.mp4", "crop=640:360:'if(lt(t,6),0,(t-6)*60)':0"), tmp_path / "c")
    assert sum(a.kind == "shot" for a in anchors) == 1
    assert [e["caption"].split(" (")[0] for e in events] == ["Shot 1", "Shot 1, moving picture"]
    assert abs(events[1]["start_s"] - 6) <= 0.5
    assert all(e["end_s"] - e["start_s"] >= video.MIN_SPAN_S for e in events)


def test_continuous_speech_splits_where_the_topic_shifts():
    """Back-to-back sentences (no pause) over one shot: a new span where the next sentences share no content word
    with the ones before, and never before SPEECH_SPLIT_S of speech."""
    from tests.experts.support import context

    lines = ["Preheat the oven to two hundred degrees.", "The oven needs ten minutes to heat.", "Grease the oven tray with butter.",
             "Whisk the eggs with sugar.", "Beat the eggs until they turn pale.", "Fold the flour into the eggs."]
    anchors = [{"id": "shot:0", "kind": "shot", "t": [0.0, 18.0]}]
    anchors += [{"id": f"subtitle:{i}", "kind": "subtitle", "t": [3.0 * i, 3.0 * i + 2.95], "c": text} for i, text in enumerate(lines)]
    ctx = context("daily.dense_captions", "video", anchors, {"duration_s": 18.0})
    parts = video.spans(ctx)
    assert [(p.start, p.end) for p in parts] == [(0.0, 8.95), (9.0, 17.95)]
    assert [p.texts("subtitle") for p in parts] == [lines[:3], lines[3:]]
