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
    assert source.meta["subtitle_files"] == [str(tmp_path / "talk.srt")]
    cues = [a for a in extract(source, ["subtitle"], cache_dir=tmp_path / "c")]
    assert [(a.t, a.c) for a in cues] == [((0.5, 1.8), "Hello there"), ((2.0, 3.25), "Second line wraps")]

    mkv = tmp_path / "embedded.mkv"
    ffmpeg("-i", str(video), "-i", str(tmp_path / "talk.srt"), "-map", "0:v", "-map", "1:s", "-c:v", "copy",
           "-c:s", "srt", str(mkv))
    source = detect(mkv)
    assert source.meta["subtitle_streams"] == 1 and "subtitle_files" not in source.meta
    cues = extract(source, ["subtitle"], cache_dir=tmp_path / "c")
    assert [a.c for a in cues] == ["Hello there", "Second line wraps"]
    assert cues[0].t == pytest.approx((0.5, 1.8))
