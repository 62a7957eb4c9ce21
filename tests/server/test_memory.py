"""Memory under a burst: twelve concurrent uncached videos through a real HTTP server with a bound of two extractions."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

from ..tools.conftest import ffmpeg
from .conftest import serving_http

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
SLOTS = 2
MiB = 1 << 20


def rss(pid: int) -> float:
    """Resident memory of a process, in MiB."""
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) * 1024 / MiB


def videos(folder, n: int) -> list:
    """`n` different three-shot videos (different lengths, so different content hashes: nothing is cached)."""
    folder.mkdir(parents=True)
    made = []
    for i in range(n):
        out = folder / f"v{i:02d}.mp4"
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=640x360:r=25:d={1 + 0.25 * i}", "-f", "lavfi", "-i", "smptebars=s=640x360:r=25:d=2",
               "-f", "lavfi", "-i", "mandelbrot=s=640x360:r=25", "-filter_complex", "[2]trim=duration=2[m];[0][1][m]concat=n=3:v=1:a=0",
               "-pix_fmt", "yuv420p", str(out))
        made.append(out)
    return made


async def test_twelve_concurrent_uncached_videos_stay_under_the_bound_and_memory_returns(tmp_path):
    clips = videos(tmp_path / "clips", 12 + SLOTS)
    flags = ("--root", str(tmp_path / "clips"), "--state-dir", str(tmp_path / "state"), "--max-extractions", str(SLOTS))
    with serving_http(tmp_path, *flags) as (url, proc):
        async with Client(url) as client:
            results = []

            async def one(clip) -> None:
                results.append(await client.call_tool("tailor", {"path": str(clip), "intent": "dense captions", "task": "daily.dense_captions"}))

            async with anyio.create_task_group() as warm:  # as many at once as the bound lets run: each slot's thread is warm
                for clip in clips[12:]:
                    warm.start_soon(one, clip)
            baseline = peak = rss(proc.pid)  # the OCR model and decoders loaded, every slot's heap trimmed

            async def watch(done: anyio.Event) -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, rss(proc.pid))
                    await anyio.sleep(0.05)

            done = anyio.Event()
            async with anyio.create_task_group() as tg:
                tg.start_soon(watch, done)
                async with anyio.create_task_group() as burst:
                    for clip in clips[:12]:
                        burst.start_soon(one, clip)
                done.set()
            await anyio.sleep(1)
            after = rss(proc.pid)
    assert all(not r.is_error and r.structured_content["status"] == "ok" for r in results), [r.content for r in results if r.is_error]
    print(f"RSS MiB: baseline {baseline:.0f}, peak {peak:.0f}, after {after:.0f}")
    assert peak - baseline < 160 * SLOTS, (baseline, peak)  # about two extractions' worth, not twelve
    assert after - baseline < 96, (baseline, after)  # near the baseline (without trimming it stayed ~500 MiB above)
