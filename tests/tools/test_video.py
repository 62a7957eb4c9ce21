import json

import pytest

from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.video import find_cuts, refine_cut, scan_video

from .conftest import devset_path


def test_pyscenedetect_reference_cuts_within_one_frame(tmp_path):
    video = devset_path("video", "pyscenedetect", "testvideo.mp4")
    frames = json.loads((video.parent / "testvideo.mp4.ContentDetector.default.json").read_text())["cuts"]
    source = detect(video)
    found = [a.c["frame"] for a in extract(source, ["cut"], cache_dir=tmp_path)]
    assert len(found) == len(frames)
    for want, got in zip(frames, found, strict=True):
        assert abs(want - got) <= 1


def test_full_decode_and_bframe_skipping_agree():
    """The B-frame-skipping scan plus refinement finds what scanning every frame finds."""
    video = devset_path("video", "pyscenedetect", "testvideo.mp4")
    source = detect(video)
    scan = scan_video(video, source.meta["width"], source.meta["height"], source.duration_s)
    sparse = scan_video(video, source.meta["width"], source.meta["height"], source.duration_s, skip_bidir=True)
    assert len(sparse.times) < len(scan.times) * 0.6
    every = [round(float(scan.times[f]), 3) for f, _, _ in find_cuts(scan)]
    refined = [round(refine_cut(video, 1280, 720, sparse, f, kind, source.meta["fps"]), 3)
               for f, kind, _ in find_cuts(sparse)]
    assert every == refined


def test_generated_hard_cuts_and_fade(cut_video, tmp_path):
    path, hard, fade_in = cut_video
    anchors = extract(detect(path), cache_dir=tmp_path)
    cuts = [a for a in anchors if a.kind == "cut"]
    assert [c.c["type"] for c in cuts] == ["hard", "hard", "hard", "fade"]
    for cut, want in zip(cuts, [*hard, fade_in], strict=True):
        assert cut.t == pytest.approx(want, abs=0.041)
    shots = [a for a in anchors if a.kind == "shot"]
    assert len(shots) == 5
    assert shots[0].t[0] == 0.0 and shots[-1].t[1] == pytest.approx(13.0)
    assert all(a.t[1] == b.t[0] for a, b in zip(shots, shots[1:]))
    keyframes = [a for a in anchors if a.kind == "keyframe"]
    assert [k.c["shot"] for k in keyframes] == [s.id for s in shots]
    for k, s in zip(keyframes, shots, strict=True):
        assert s.t[0] <= k.t <= s.t[1]
        from PIL import Image

        with Image.open(k.c["path"]) as im:
            assert im.format == "JPEG" and max(im.size) <= 512


def test_motion_separates_static_from_moving(tmp_path):
    from .conftest import ffmpeg

    out = tmp_path / "motion.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=160x90:r=25:d=3", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=3",
           "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]", "-map", "[v]", str(out))
    motion = [a for a in extract(detect(out), ["motion"], cache_dir=tmp_path)]
    assert [m.c["state"] for m in motion] == ["static", "motion"]
    assert motion[0].t[1] == pytest.approx(3.0, abs=0.1)
