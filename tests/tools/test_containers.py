import pytest

from dataclaw_tailor.core.source import SourceKind
from dataclaw_tailor.tools import detect, extract

from .conftest import ffmpeg

TWO_SHOTS = ["-f", "lavfi", "-i", "testsrc2=s=160x90:r=20:d=1.5", "-f", "lavfi", "-i", "smptebars=s=160x90:r=20:d=1.5"]
CONCAT = "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]"


@pytest.mark.parametrize(("ext", "codec"), [("mkv", "libx264"), ("webm", "libvpx-vp9"), ("mov", "libx264"),
                                            ("avi", "mjpeg")])
def test_containers_load_and_cut(tmp_path, ext, codec):
    out = tmp_path / f"clip.{ext}"
    extra = ["-pix_fmt", "yuvj420p"] if codec == "mjpeg" else []
    try:
        ffmpeg(*TWO_SHOTS, "-filter_complex", CONCAT, "-map", "[v]", "-c:v", codec, *extra, str(out))
    except Exception:
        pytest.skip(f"this ffmpeg cannot encode {codec}")
    source = detect(out)
    assert source.kind is SourceKind.video and source.format == ext
    assert source.duration_s == pytest.approx(3.0, abs=0.06)
    cuts = [a for a in extract(source, ["cut"], cache_dir=tmp_path / "c")]
    assert [round(c.t, 2) for c in cuts] == [1.5]


def test_audio_track_is_reported(tmp_path):
    out = tmp_path / "with_audio.mp4"
    ffmpeg(*TWO_SHOTS, "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-filter_complex", CONCAT,
           "-map", "[v]", "-map", "2:a", "-shortest", str(out))
    source = detect(out)
    assert source.meta.audio is True
    assert [round(c.t, 2) for c in extract(source, ["cut"], cache_dir=tmp_path / "c")] == [1.5]


def test_variable_frame_rate_uses_real_timestamps(tmp_path):
    """First shot at 10 fps for 2 s, second at 30 fps: frame index alone would put the cut at 0.67 s."""
    out = tmp_path / "vfr.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=2", "-f", "lavfi", "-i", "smptebars=s=160x90:r=30:d=1",
           "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]", "-map", "[v]", "-fps_mode", "vfr",
           str(out))
    source = detect(out)
    cuts = extract(source, ["cut"], cache_dir=tmp_path / "c")
    assert len(cuts) == 1 and cuts[0].t == pytest.approx(2.0, abs=0.04)
    shots = extract(source, ["shot"], cache_dir=tmp_path / "c")
    assert shots[-1].t[1] == pytest.approx(3.0, abs=0.05)


def test_sound_and_silence_spans(tmp_path):
    out = tmp_path / "talk.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=3", "-f", "lavfi",
           "-i", "aevalsrc='if(between(t,1,2),0,sin(2*PI*440*t))':d=3", "-pix_fmt", "yuv420p", "-shortest", str(out))
    spans = extract(detect(out), ["audio"], cache_dir=tmp_path / "c")
    assert [a.c.state for a in spans] == ["sound", "silence", "sound"]
    assert spans[1].t == pytest.approx((1.0, 2.0), abs=0.05)


def test_no_audio_track_no_audio_anchors(tmp_path):
    out = tmp_path / "mute.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=64x48:r=10:d=1", "-pix_fmt", "yuv420p", str(out))
    assert extract(detect(out), ["audio"], cache_dir=tmp_path / "c") == []
