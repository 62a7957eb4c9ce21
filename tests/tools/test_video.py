import json
import re
import subprocess

import numpy as np
import pytest

from dataclaw_tailor.tools import detect, extract
from dataclaw_tailor.tools.ffmpeg import ffmpeg_exe, sync_points
from dataclaw_tailor.tools.video import (
    _part_starts, _upper_quartile_around, find_cuts, refine_cuts, scan_video, scan_windows,
)

from .conftest import devset_path


def test_pyscenedetect_reference_cuts_within_one_frame(tmp_path):
    video = devset_path("video", "pyscenedetect", "testvideo.mp4")
    frames = json.loads((video.parent / "testvideo.mp4.ContentDetector.default.json").read_text())["cuts"]
    source = detect(video)
    found = [a.c.frame for a in extract(source, ["cut"], cache_dir=tmp_path)]
    assert len(found) == len(frames)
    for want, got in zip(frames, found, strict=True):
        assert abs(want - got) <= 1
    # the clip's one cross-dissolve (leaf on a rock -> metal texture, visibly mixed from about frame 530
    # to 558) is no cut in ContentDetector's list; it is a dissolve inside the last shot
    dissolves = extract(source, ["dissolve"], cache_dir=tmp_path)
    assert [(530 <= a.c.frame <= 558, a.c.shot) for a in dissolves] == [(True, "shot:3")]


def test_full_decode_and_bframe_skipping_agree():
    """The B-frame-skipping scan plus refinement finds what scanning every frame finds: the same frame for
    hard cuts and fades; for a dissolve, whose half-way point spans frames, within two frames."""
    video = devset_path("video", "pyscenedetect", "testvideo.mp4")
    source = detect(video)
    scan = scan_video(video, source.meta.width, source.meta.height, source.duration_s)
    sparse = scan_video(video, source.meta.width, source.meta.height, source.duration_s, skip_bidir=True)
    assert len(sparse.times) < len(scan.times) * 0.6
    every = [(kind, round(float(scan.times[f]), 3)) for f, kind, _ in find_cuts(scan)]
    found = [(f, kind) for f, kind, _ in find_cuts(sparse)]
    refined = [(kind, round(t, 3)) for (_, kind), t in
               zip(found, refine_cuts(video, 1280, 720, sparse, found, source.meta.fps), strict=True)]
    assert [k for k, _ in every] == [k for k, _ in refined]
    for (kind, a), (_, b) in zip(every, refined, strict=True):
        assert a == b if kind != "dissolve" else abs(a - b) <= 2 / source.meta.fps


def test_spans_decoded_together_equal_spans_decoded_alone():
    """One ffmpeg for several refinement spans (an input each, concatenated) gives each span's frames
    and statistics exactly as decoding it alone does."""
    video = devset_path("video", "pyscenedetect", "testvideo.mp4")
    spans = [(1.0, 1.4), (9.9, 10.3), (20.0, 20.2)]
    together = scan_windows(video, 1280, 720, spans)
    alone = [scan_windows(video, 1280, 720, [span])[0] for span in spans]
    for (start, end), a, b in zip(spans, together, alone, strict=True):
        assert len(a.times) == len(b.times) >= 5 and a.times[0] <= start + 0.05 and a.times[-1] >= end - 0.05
        for name in ("times", "change", "hist_change", "luma", "thumbs"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_generated_hard_cuts_and_fade(cut_video, tmp_path):
    path, hard, fade_in = cut_video
    anchors = extract(detect(path), cache_dir=tmp_path)
    cuts = [a for a in anchors if a.kind == "cut"]
    assert [c.c.type for c in cuts] == ["hard", "hard", "hard", "fade"]
    for cut, want in zip(cuts, [*hard, fade_in], strict=True):
        assert cut.t == pytest.approx(want, abs=0.041)
    shots = [a for a in anchors if a.kind == "shot"]
    assert len(shots) == 5
    assert shots[0].t[0] == 0.0 and shots[-1].t[1] == pytest.approx(13.0)
    assert all(a.t[1] == b.t[0] for a, b in zip(shots, shots[1:]))
    keyframes = [a for a in anchors if a.kind == "keyframe"]
    assert [k.c.shot for k in keyframes] == [s.id for s in shots]
    for k, s in zip(keyframes, shots, strict=True):
        assert s.t[0] <= k.t <= s.t[1]
        from PIL import Image

        with Image.open(k.c.path) as im:
            assert im.format == "JPEG" and max(im.size) <= 512


def test_motion_separates_static_from_moving(tmp_path):
    from .conftest import ffmpeg

    out = tmp_path / "motion.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=160x90:r=25:d=3", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=3",
           "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]", "-map", "[v]", str(out))
    motion = [a for a in extract(detect(out), ["motion"], cache_dir=tmp_path)]
    assert [m.c.state for m in motion] == ["static", "motion"]
    assert motion[0].t[1] == pytest.approx(3.0, abs=0.1)


def test_sync_points_are_the_decoded_keyframes(cut_video):
    path = cut_video[0]
    log = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-skip_frame", "nokey", "-i", str(path),
                          "-vf", "showinfo", "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    keys = [float(t) for t in re.findall(r"pts_time:([\d.]+).*iskey:1", log)]
    points, total = sync_points(path)
    assert len(keys) >= 3
    assert [t for t, _ in points] == pytest.approx(keys, abs=1e-6)
    assert [b for _, b in points] == sorted(b for _, b in points) and 0 < total < path.stat().st_size


@pytest.mark.parametrize("container", ["mp4", "mpegts"])
def test_parts_decoded_concurrently_give_the_same_scan(cut_video, tmp_path, container):
    """Also for MPEG-TS, whose clock starts at 1.4 s: spans are placed on ffmpeg's output clock."""
    from .conftest import ffmpeg

    path = cut_video[0]
    if container == "mpegts":
        path = tmp_path / "cuts.ts"
        ffmpeg("-i", str(cut_video[0]), "-c", "copy", "-f", "mpegts", str(path))
    assert sync_points(path)[0][0] == (0.0, 0)
    assert len(_part_starts(path, 3)) == 3
    one = scan_video(path, 320, 180, 13.0, sample_dir=tmp_path / "one", skip_bidir=True)
    three = scan_video(path, 320, 180, 13.0, sample_dir=tmp_path / "three", skip_bidir=True, parts=3)
    np.testing.assert_allclose(three.times, one.times, atol=1e-4)
    for name in ("change", "luma", "moving", "hist_change"):
        np.testing.assert_array_equal(getattr(three, name), getattr(one, name))
    # each part restarts the once-a-second sampling at its first frame: still no gap over a second
    times = [t for t, _ in three.samples]
    assert times[0] == 0.0 and times == sorted(times)
    assert max(np.diff(times)) <= 1.0 + float(np.max(np.diff(three.times))) + 1e-6
    assert all(file.exists() for _, file in three.samples)


def test_upper_quartile_around_matches_numpy_percentile():
    x = np.random.default_rng(0).random(40) * 10
    for half in (1, 3, 50):
        want = []
        for i in range(len(x)):
            around = np.concatenate([x[max(1, i - half):i], x[i + 1:i + 1 + half]])
            want.append(np.percentile(around, 75) if around.size else 0.0)
        np.testing.assert_allclose(_upper_quartile_around(x, half), want, rtol=0, atol=1e-12)
    assert _upper_quartile_around(x[:1], 3).tolist() == [0.0]


@pytest.fixture(scope="module")
def tricky_clip(tmp_path_factory) -> tuple:
    """320x180 at 25 fps, 8 s: a moving pattern with a white flash (frame 20) and a half-bright one (35);
    hard cut at 50 into a fast pan (12 px a frame); hard cut at 100 into a zoom that cross-dissolves
    (frames 135-150) into colour bars, which then jump sideways every 12 frames (pattern jumps)."""
    from .conftest import ffmpeg

    out = tmp_path_factory.mktemp("tricky") / "tricky.mp4"
    norm = "scale=320:180,setsar=1,fps=25,format=yuv420p"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25",
           "-f", "lavfi", "-i", "testsrc=s=1200x180:r=25",
           "-f", "lavfi", "-i", "mandelbrot=s=320x180:r=25",
           "-f", "lavfi", "-i", "smptehdbars=s=640x180:r=25",
           "-filter_complex",
           "[0:v]trim=end_frame=50,setpts=PTS-STARTPTS,"
           "drawbox=x=0:y=0:w=iw:h=ih:c=white:t=fill:enable='eq(n\\,20)',eq=brightness=0.45:enable='eq(n\\,35)',"
           f"{norm}[a];"
           f"[1:v]crop=320:180:x='n*12':y=0,trim=end_frame=50,setpts=PTS-STARTPTS,{norm}[b];"
           f"[2:v]trim=end_frame=50,setpts=PTS-STARTPTS,{norm}[c];"
           f"[3:v]crop=320:180:x='40*floor(max(n-24\\,0)/12)':y=0,trim=end_frame=100,setpts=PTS-STARTPTS,{norm}[d];"
           "[c][d]xfade=transition=fade:duration=0.6:offset=1.4[cd];"
           "[a][b][cd]concat=n=3:v=1:a=0[v]",
           "-map", "[v]", "-c:v", "libx264", "-g", "50", str(out))
    return out, [50, 100], (135, 150)


def test_flashes_pan_and_pattern_jumps_are_no_cuts(tricky_clip, tmp_path):
    path, hard, (d0, d1) = tricky_clip
    anchors = extract(detect(path), ["cut", "dissolve", "shot"], cache_dir=tmp_path)
    cuts = [a for a in anchors if a.kind == "cut"]
    assert [c.c.type for c in cuts] == ["hard", "hard"]
    for cut, want in zip(cuts, hard, strict=True):
        assert abs(cut.c.frame - want) <= 1  # a real cut within one frame
    (dissolve,) = [a for a in anchors if a.kind == "dissolve"]
    assert d0 <= dissolve.c.frame <= d1 and dissolve.c.shot == "shot:2"  # inside the last shot
    assert len([a for a in anchors if a.kind == "shot"]) == 3


def test_dip_to_white_is_one_fade(tmp_path):
    from .conftest import ffmpeg

    out = tmp_path / "white.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=2", "-f", "lavfi", "-i", "mandelbrot=s=320x180:r=25",
           "-filter_complex", "[0:v]fade=t=out:s=38:n=12:c=white,format=yuv420p[a];"
           "[1:v]trim=end_frame=50,setpts=PTS-STARTPTS,fade=t=in:s=0:n=12:c=white,format=yuv420p[b];"
           "[a][b]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-c:v", "libx264", str(out))
    cuts = extract(detect(out), ["cut"], cache_dir=tmp_path / "c")
    assert [(c.c.type, 48 <= c.c.frame <= 52) for c in cuts] == [("fade", True)]
