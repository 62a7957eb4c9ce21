import json

import pytest

from dataclaw_tailor.core.errors import InputError
from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.subtitles import parse_cues

from .conftest import ffmpeg

SRT = "1\n00:00:00,500 --> 00:00:01,800\nHello <i>there</i>\n\n2\n00:00:02,000 --> 00:00:03,250\nSecond line\nwraps\n"
VTT = "WEBVTT\n\n00:00.500 --> 00:01.800 align:start\nHello there\n\n00:02.000 --> 00:03.250\nSecond line wraps\n"


def test_srt_and_vtt_parse_alike():
    want = [(0.5, 1.8, "Hello there"), (2.0, 3.25, "Second line wraps")]
    assert parse_cues(SRT, "a.srt") == want
    assert parse_cues(VTT, "a.vtt") == want


def test_bad_timing_names_file():
    with pytest.raises(InputError, match="bad.srt: bad subtitle timing"):
        parse_cues("1\nxx --> yy\nhi\n", "bad.srt")


def test_sidecar_and_embedded(tmp_path):
    video = tmp_path / "talk.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=4", "-pix_fmt", "yuv420p", str(video))
    (tmp_path / "talk.srt").write_text(SRT)
    (tmp_path / "talk2.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nanother video's line\n")
    source = detect(video)
    assert source.meta.subtitle_files == [str(tmp_path / "talk.srt")]
    track, *cues = extract(source, ["subtitle"], cache_dir=tmp_path / "c")
    assert [(a.t, a.c.text) for a in cues] == [((0.5, 1.8), "Hello there"), ((2.0, 3.25), "Second line wraps")]
    assert track.id == "subtitle_track:0" and track.t == (0.5, 3.25)
    assert track.c.to_json() == {"language": "und", "origin": "sidecar", "file": str(tmp_path / "talk.srt"),
                                 "word_level": False, "cues": 2}

    mkv = tmp_path / "embedded.mkv"
    ffmpeg("-i", str(video), "-i", str(tmp_path / "talk.srt"), "-map", "0:v", "-map", "1:s", "-c:v", "copy",
           "-c:s", "srt", str(mkv))
    source = detect(mkv)
    assert source.meta.subtitle_streams == 1 and "subtitle_files" not in source.meta.to_json()
    cues = extract(source, ["subtitle"], cache_dir=tmp_path / "c")[1:]
    assert [a.c.text for a in cues] == ["Hello there", "Second line wraps"]
    assert cues[0].t == pytest.approx((0.5, 1.8))


# --- one track per language, on real samples (devset) and quirk-faithful fixtures ----------------------

import shutil  # noqa: E402
import warnings  # noqa: E402
from difflib import SequenceMatcher  # noqa: E402
from pathlib import Path  # noqa: E402

from dataclaw_tailor.tools.subtitles import (  # noqa: E402
    SubtitleWarning, bitmap_cue_times, choose, parse_track, tracks,
)

from ..conftest import run_claw  # noqa: E402
from .conftest import devset_path  # noqa: E402

SINTEL_FIRST, SINTEL_LAST = (0.182, 3.632), (25.582, 27.182)


def _cues(source, tmp_path):
    return [a for a in extract(source, ["subtitle"], cache_dir=tmp_path / "cache") if a.kind == "subtitle"]


@pytest.mark.parametrize("container", ["mp4", "mkv"])
def test_sintel_one_track_per_language_sidecar_first(tmp_path, container):
    video = devset_path("video", "sintel-subtitles", f"Sintel.2010.480.{container}")
    source = detect(video)
    found = tracks(video, source.meta)
    chosen = choose(found, video, source.meta)
    # 11 embedded languages (text: mov_text in mp4, ass + one subrip in mkv) and the two sidecars
    assert sorted(k for k in chosen if k != "und") == sorted(["de", "en", "es", "fr", "it", "nl", "pl", "pt", "ru",
                                                               "vi", "zh"])
    assert Path(chosen["und"].origin).name == "Sintel.2010.480.srt"  # not the RichText variant beside it
    cues = _cues(source, tmp_path)
    assert len(cues) == 8 and cues[0].t == SINTEL_FIRST and cues[-1].t == SINTEL_LAST
    assert cues[0].c.text == "You're a fool for traveling alone, so completely unprepared."


@pytest.mark.parametrize("container", ["mp4", "mkv"])
def test_sintel_embedded_english_equals_the_sidecar(tmp_path, container):
    original = devset_path("video", "sintel-subtitles", f"Sintel.2010.480.{container}")
    alone = tmp_path / original.name
    alone.symlink_to(original)  # the video without its sidecars
    sidecar = parse_cues(original.with_suffix(".srt").read_text(encoding="utf-8"), "sidecar")
    cues = _cues(detect(alone), tmp_path)
    assert [(a.t, a.c.text, a.c.language) for a in cues] == [((s, e), t, "en") for s, e, t in sidecar]


@pytest.mark.parametrize("kind, n, tolerance", [("vob", 14, 0.87), ("pgs", 13, 0.021)])
def test_popeye_bitmap_cue_times_from_packets(kind, n, tolerance):
    video = devset_path("video", "popeye-bitmap-subtitles", "mkv", kind, "Title T03-4.mkv")
    starts = [s for s, _, _ in parse_cues(devset_path("video", "popeye-bitmap-subtitles", "srt", "popeye p1.eng.srt")
                                          .read_text(encoding="utf-8-sig"), "srt")]
    spans = bitmap_cue_times(video, 1)
    assert len(spans) == n and all(e > s for s, e in spans)
    assert [(t.kind, t.language) for t in tracks(video, detect(video).meta)] == [("bitmap", "en")]  # tag 'eng'
    assert all(min(abs(s - t) for t in starts) <= tolerance for s, _ in spans)


@pytest.mark.slow
@pytest.mark.parametrize("kind, n, tolerance", [("vob", 14, 0.87), ("pgs", 13, 0.021)])
def test_popeye_bitmap_cue_times_and_ocr_text(tmp_path, kind, n, tolerance):
    video = devset_path("video", "popeye-bitmap-subtitles", "mkv", kind, "Title T03-4.mkv")
    truth = parse_cues(devset_path("video", "popeye-bitmap-subtitles", "srt", "popeye p1.eng.srt")
                       .read_text(encoding="utf-8-sig"), "srt")
    cues = _cues(detect(video), tmp_path)
    assert len(cues) == n
    matched = [min(truth, key=lambda c: abs(c[0] - a.t[0])) for a in cues]
    assert all(abs(a.t[0] - m[0]) <= tolerance and a.t[1] > a.t[0] for a, m in zip(cues, matched))
    if kind == "pgs":
        assert 47.02 not in [round(m[0], 2) for m in matched]  # that cue has no PGS bitmap
    similar = [SequenceMatcher(None, a.c.text.lower(), m[2].lower()).ratio() for a, m in zip(cues, matched)]
    assert sum(r >= 0.9 for r in similar) >= n - 1, list(zip([a.c.text for a in cues], similar))


@pytest.mark.slow
def test_popeye_bitmaps_are_read_once_each_and_capped_with_a_warning(tmp_path, monkeypatch):
    """Popeye's VobSub shows "Sinbad the sailor!" twice (cues 7 and 13): one OCR read serves both. Past
    the cap (8 distinct bitmaps here) a warning names it, and later cues keep their times, with text only
    where their bitmap was read before."""
    from dataclaw_tailor.tools import ocr, subtitles

    video = devset_path("video", "popeye-bitmap-subtitles", "mkv", "vob", "Title T03-4.mkv")
    reads = []
    read_text = ocr.read_text
    monkeypatch.setattr(ocr, "read_text", lambda rgb, *a, **k: reads.append(rgb.shape) or read_text(rgb, *a, **k))
    monkeypatch.setattr(subtitles, "MAX_BITMAP_OCR", 8)
    with pytest.warns(SubtitleWarning, match=r"Title T03-4\.mkv \(stream 1\): more than 8 distinct subtitle bitmaps "
                                             r"\(MAX_BITMAP_OCR\); cues from \d+\.\d{3} s on"):
        cues = _cues(detect(video), tmp_path)
    assert len(cues) == 14 and len(reads) == 8
    said = [a.c.text for a in cues]
    assert all(said[:8]) and not any(said[8:13]) and said[13] == said[7] and "Sinbad" in said[13]


# YouTube automatic captions as yt-dlp writes them (`--write-auto-subs`): inline word timings
# <hh:mm:ss.mmm><c> word</c>, every cue repeating the previous cue's line, and a 10 ms cue after each
# that shows the finished line. Text written for this test.
ASR_VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.500 --> 00:00:02.490 align:start position:0%
 
welcome<00:00:00.900><c> back</c><00:00:01.300><c> to</c><00:00:01.600><c> the</c><00:00:01.900><c> workshop</c>

00:00:02.490 --> 00:00:02.500 align:start position:0%
welcome back to the workshop
 

00:00:02.500 --> 00:00:04.990 align:start position:0%
welcome back to the workshop
today<00:00:02.900><c> we</c><00:00:03.200><c> build</c><00:00:03.500><c> a</c><00:00:03.800><c> shelf</c>

00:00:04.990 --> 00:00:05.000 align:start position:0%
today we build a shelf
 

00:00:05.000 --> 00:00:07.490 align:start position:0%
today we build a shelf
first<00:00:05.400><c> measure</c><00:00:05.900><c> the</c><00:00:06.300><c> wall</c>

00:00:07.490 --> 00:00:07.500 align:start position:0%
first measure the wall
 
"""
SENTENCES_SRT = ("1\n00:00:00,500 --> 00:00:04,990\nWelcome back to the workshop, today we build a shelf.\n\n"
                 "2\n00:00:05,000 --> 00:00:07,500\nFirst, measure the wall.\n")


def test_srt_beside_asr_vtt_is_chosen_alone(tmp_path):
    video = tmp_path / "shelf.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=8", "-pix_fmt", "yuv420p", str(video))
    (tmp_path / "shelf.en.vtt").write_text(ASR_VTT)
    (tmp_path / "shelf.en.srt").write_text(SENTENCES_SRT)
    cues = _cues(detect(video), tmp_path)
    assert [a.c.text for a in cues] == ["Welcome back to the workshop, today we build a shelf.", "First, measure the wall."]


def test_each_cue_and_its_track_name_the_language(tmp_path):
    """The sidecar's name token (`shelf.en.srt`), else a WebVTT header (`Language: de`, as YouTube's
    captions carry it), else `und`; the track anchor comes first and names the file."""
    video = tmp_path / "shelf.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=8", "-pix_fmt", "yuv420p", str(video))
    (tmp_path / "shelf.en.srt").write_text(SENTENCES_SRT)
    anchors = extract(detect(video), ["subtitle"], cache_dir=tmp_path / "a")
    assert [a.kind for a in anchors] == ["subtitle_track", "subtitle", "subtitle"]
    assert anchors[0].c.language == "en" and anchors[0].c.file == str(tmp_path / "shelf.en.srt")
    assert {(a.c.language, a.c.track) for a in anchors[1:]} == {("en", "subtitle_track:0")}
    (tmp_path / "shelf.en.srt").rename(tmp_path / "shelf.vtt")
    (tmp_path / "shelf.vtt").write_text("WEBVTT\nKind: captions\nLanguage: de\n\n00:00:00.500 --> 00:00:04.990\n"
                                        "Willkommen in der Werkstatt.\n\n00:00:05.000 --> 00:00:07.500\nErst messen.\n")
    anchors = extract(detect(video), ["subtitle"], cache_dir=tmp_path / "b")
    assert [a.c.language for a in anchors] == ["de", "de", "de"]
    (tmp_path / "shelf.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nLanguage: fr\n")
    assert [a.c.language for a in extract(detect(video), ["subtitle"], cache_dir=tmp_path / "c")] == ["und", "und"]


def test_claw_anchors_json_shows_the_chosen_tracks_language(tmp_path):
    """Sintel's mkv without its sidecars: the chosen embedded track is English (`eng` tag), in the JSON."""
    original = devset_path("video", "sintel-subtitles", "Sintel.2010.480.mkv")
    alone = tmp_path / original.name
    alone.symlink_to(original)
    proc = run_claw("anchors", str(alone), "--kinds", "subtitle", "--json")
    assert proc.returncode == 0, proc.stderr
    track, *cues = json.loads(proc.stdout)["anchors"]
    assert track["kind"] == "subtitle_track" and track["c"]["language"] == "en" and track["c"]["origin"] == "text"
    assert len(cues) == 8 and all(c["c"]["language"] == "en" and c["c"]["text"] for c in cues)


def test_asr_vtt_alone_is_folded_without_flashes():
    cues, word_level = parse_track(ASR_VTT, "shelf.en.vtt")
    assert word_level
    assert cues == [(0.5, 2.49, "welcome back to the workshop"), (2.5, 4.99, "today we build a shelf"),
                    (5.0, 7.49, "first measure the wall")]


def test_one_word_cues_become_phrases():
    srt = "".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},600\n{w}\n\n" for i, w in enumerate(
        ["Cut", "the", "board.", "Sand", "it"]))
    assert parse_cues(srt, "words.srt") == [(0.0, 2.6, "Cut the board."), (3.0, 4.6, "Sand it")]


def test_impossible_times_are_rejected_with_the_file_named():
    srt = ("1\n-00:00:01,000 --> 00:00:02,000\nbefore the start\n\n2\n00:00:05,000 --> 00:00:04,000\nbackwards\n\n"
           "3\n00:00:06,000 --> 00:00:07,000\nfine\n")
    with pytest.warns(SubtitleWarning) as caught:
        cues = parse_cues(srt, "odd.srt")
    assert cues == [(6.0, 7.0, "fine")]
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("odd.srt: cue 1: negative time") for m in messages)
    assert any(m.startswith("odd.srt: cue 2: ends at 4.000 s, not after its start 5.000 s") for m in messages)


def test_editing_or_deleting_a_sidecar_never_returns_stale_cues(tmp_path):
    video = tmp_path / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=4", "-pix_fmt", "yuv420p", str(video))
    sidecar = tmp_path / "clip.srt"
    sidecar.write_text(SRT)
    first = detect(video)
    assert str(sidecar) in first.files and [a.c.text for a in _cues(first, tmp_path)][0] == "Hello there"
    sidecar.write_text(SRT.replace("Hello", "Goodbye"))
    assert [a.c.text for a in _cues(first, tmp_path)][0] == "Goodbye there"  # a Source from before the edit
    edited = detect(video)
    assert edited.content_hash != first.content_hash and _cues(edited, tmp_path)[0].c.text == "Goodbye there"
    sidecar.unlink()
    gone = detect(video)
    assert gone.content_hash not in (first.content_hash, edited.content_hash) and _cues(gone, tmp_path) == []
    assert gone.content_hash == detect(shutil.copy(video, tmp_path / "copy.mp4")).content_hash


def test_ass_tags_and_richtext_variant_read_as_plain_text():
    rich = devset_path("video", "sintel-subtitles", "Sintel.2010.480.RichText.srt").read_text(encoding="utf-8")
    plain = devset_path("video", "sintel-subtitles", "Sintel.2010.480.srt").read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SubtitleWarning)
        assert parse_cues(rich, "rich") == parse_cues(plain, "plain")
