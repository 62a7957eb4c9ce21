"""Shared fixtures for tools tests: the devset (skipped when absent) and ffmpeg-generated media."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dataclaw_tailor.tools.ffmpeg import ffmpeg_exe

from ..conftest import DEVSET


def devset_path(*parts: str) -> Path:
    path = DEVSET.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"devset sample {'/'.join(parts)} not present")
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def cut_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float], float]:
    """A 320x180 25 fps video: three hard cuts at 2, 4, 6 s, then a fade out/in through black at ~9.6 s.

    Returns (path, known cut times, fade-in start time).
    """
    out = tmp_path_factory.mktemp("video") / "cuts.mp4"
    size = "s=320x180:r=25"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2={size}:d=2",
           "-f", "lavfi", "-i", f"mandelbrot={size}:end_scale=0.01",
           "-f", "lavfi", "-i", f"smptehdbars={size}:d=2",
           "-f", "lavfi", "-i", f"rgbtestsrc={size}:d=2",
           "-f", "lavfi", "-i", f"testsrc={size}:d=4",
           "-filter_complex",
           "[1:v]trim=duration=2,setpts=PTS-STARTPTS[m];"
           "[3:v]fade=t=out:st=1.2:d=0.6[r];"
           "[4:v]fade=t=in:st=0:d=0.6:start_time=0,tpad=start_duration=1:start_mode=add:color=black[t];"
           "[0:v][m][2:v][r][t]concat=n=5:v=1:a=0,format=yuv420p[v]",
           "-map", "[v]", "-c:v", "libx264", "-g", "50", str(out))
    return out, [2.0, 4.0, 6.0], 9.0
