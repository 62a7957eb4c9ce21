import pytest

from dataclaw_tailor.core.errors import InputError, UnsupportedFormat
from dataclaw_tailor.core.source import SourceKind
from dataclaw_tailor.tools import detect

from .conftest import devset_path, ffmpeg


def test_video_meta_and_hash(cut_video):
    path, _, _ = cut_video
    source = detect(path)
    assert source.kind is SourceKind.video
    assert source.meta.width == 320 and source.meta.height == 180
    assert source.meta.fps == 25.0 and source.duration_s == pytest.approx(13.0)
    assert len(source.content_hash) == 64 and detect(path).content_hash == source.content_hash


def test_devset_video():
    source = detect(devset_path("video", "pyscenedetect", "testvideo.mp4"))
    assert source.format == "mp4" and source.meta.fps == 29.97 and source.duration_s == pytest.approx(24.02)


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        detect(tmp_path / "nope.mp4")


def test_zero_byte(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.mp4: empty file"):
        detect(tmp_path / "empty.mp4")


def test_truncated_mp4(cut_video, tmp_path):
    data = cut_video[0].read_bytes()
    bad = tmp_path / "truncated.mp4"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"truncated\.mp4: truncated"):
        detect(bad)


def test_unknown_codec(tmp_path):
    avi = tmp_path / "a.avi"
    ffmpeg("-f", "lavfi", "-i", "testsrc=d=1:s=64x48", "-c:v", "mjpeg", str(avi))
    bad = tmp_path / "unknown.avi"
    bad.write_bytes(avi.read_bytes().replace(b"MJPG", b"ZZZZ"))
    with pytest.raises(UnsupportedFormat, match=r"unknown\.avi: video codec unknown"):
        detect(bad)


def test_not_media(tmp_path):
    junk = tmp_path / "notes.bin"
    junk.write_bytes(b"hello world, no video here\n" * 20)
    with pytest.raises(UnsupportedFormat, match=r"notes\.bin"):
        detect(junk)


def test_unknown_folder(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(UnsupportedFormat, match="folder holds no stream layout"):
        detect(tmp_path)


@pytest.mark.parametrize("name, content, says", [
    ("labels.jsonl", '{"image": "a.png", "label": "cat", "bbox": [1, 2, 3, 4]}\n{"image": "b.png", "label": "dog"}\n',
     r"labels\.jsonl: JSON Lines text \(first record: image, label, bbox\): annotations or records, not a stream"),
    ("meta.json", '{"name": "demo", "annotator": "x", "version": 2}',
     r"meta\.json: a JSON document \(name, annotator, version\), not a stream layout we know"),
    ("cut.jsonl", '{"id": 1, "steps": [{"t": 0.1, "act',
     r"cut\.jsonl: JSON text that does not parse .*truncated or malformed"),
    ("steps.json", '{"steps": ' + "9" * 5000 + "}",  # past the interpreter's digit limit (fuzz case steps=big-int)
     r"steps\.json: JSON text that cannot be read \(ValueError: Exceeds the limit"),
    ("deep.json", "[" * 5000 + "]" * 5000,
     r"deep\.json: JSON text that cannot be read \(RecursionError"),
    ("talk.srt", "1\n00:00:01,000 --> 00:00:02,000\nhi\n",
     r"talk\.srt: a subtitle file, not a video"),
])
def test_text_that_is_no_stream_says_what_it_is(tmp_path, name, content, says):
    """Not ffmpeg's "invalid data": the error says what the file is and what is wrong."""
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(UnsupportedFormat, match=says) as caught:
        detect(path)
    assert "ffmpeg" not in str(caught.value) and "invalid data" not in str(caught.value)
