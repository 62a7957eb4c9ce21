"""The MCP server against its peers, each measured side by side in one run.

- `calls`: per-call cost of the tools against a no-op tool in the same server. The no-op tool is
  registered only here (build the product server, then add it), so the ratio is the work a tool adds on
  top of the identical MCP path: argument validation, the roots resolver, result conversion and the
  client round trip. A direct `check_record` row shows how much of `validate_record` is the validation
  itself. In-process in both protocol modes, and a real stdio subprocess (this script re-launched with
  `--serve-stdio`, which adds the same no-op tool).
- `cold`: time from starting `claw mcp` over stdio to its first `tools/list` answer, against a minimal
  server built on the same SDK (one tool), started the same way, alternating, median of `--starts` each.
- `size`: the bytes of `tools/list` (what a host puts in the model's context), per tool.
- `burst`: resident memory of a real `claw mcp --http` while `--burst` concurrent `tailor` calls run on as
  many different (uncached) generated videos: after one warm-up video, the burst's peak, and a second
  after it; with the default bound on extractions (one per CPU) and with the bound lifted to the burst
  size (what every call decoding at once costs).

    .venv/bin/python bench/mcp_bench.py [--only calls,cold,size,burst] [--calls 200] [--tailor-calls 30] [--starts 5] [--burst 12]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from dataclaw_tailor.server.app import build_server
from dataclaw_tailor.server.config import ServerConfig
from dataclaw_tailor.server.roots import Roots

ROOT = Path(__file__).resolve().parents[1]
TRACE = ROOT / "examples" / "gui" / "login-trace"
MINIMAL = """from mcp.server.mcpserver import MCPServer
server = MCPServer("minimal")
@server.tool()
def noop() -> str:
    return "ok"
server.run()
"""
"""The peer for cold start: the smallest server the same SDK makes, started the same way (a fresh interpreter)."""


def noop() -> str:
    """Does nothing: the floor every tool call pays."""
    return "ok"


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


async def timed(client: Client, name: str, args: dict, n: int) -> list[float]:
    await client.call_tool(name, args)  # warm: imports, anchor cache, SQLite setup
    out = []
    for _ in range(n):
        start = time.perf_counter()
        result = await client.call_tool(name, args)
        out.append(time.perf_counter() - start)
        assert not result.is_error, result.content
    return out


def direct_check(record: dict, n: int) -> list[float]:
    """The validation work alone, called directly: what `validate_record` costs without any MCP around it."""
    from dataclaw_tailor.core.validate import check_record
    from dataclaw_tailor.service import task_schema

    schema = task_schema("gui.trajectory")
    out = []
    for _ in range(n):
        start = time.perf_counter()
        check_record(record, schema, [], None)
        out.append(time.perf_counter() - start)
    return out


def bench_server(state: Path):
    server = build_server(ServerConfig(roots=Roots([ROOT]), state_dir=state))
    server.add_tool(noop, name="noop")
    return server


async def bench(transport: str, mode: str, calls: int, tailor_calls: int, state: Path) -> None:
    if transport == "stdio":
        args = [__file__, "--serve-stdio", str(state)]
        target = StdioServerParameters(command=sys.executable, args=args, cwd=str(ROOT), env=dict(os.environ))
    else:
        target = bench_server(state)
    async with Client(target, mode=mode) as client:
        record = (await client.call_tool("tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps"})).structured_content["record"]
        rows = {
            "noop": await timed(client, "noop", {}, calls),
            "validate_record": await timed(client, "validate_record", {"record": record, "task": "gui.trajectory"}, calls),
            "validate_record+path": await timed(
                client, "validate_record", {"record": record, "task": "gui.trajectory", "path": str(TRACE)}, calls // 4
            ),
            "tailor (rules)": await timed(client, "tailor", {"path": str(TRACE), "intent": "GUI-agent SFT steps"}, tailor_calls),
        }
    rows["(check_record, no MCP)"] = direct_check(record, calls)
    base50, base95 = quantiles(rows["noop"])
    print(f"\n{transport}, mode={mode}  (ratios are against the no-op tool in the same server)")
    print(f"{'tool':<24}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'p50 x noop':>12}{'p95 x noop':>12}")
    for name, samples in rows.items():
        p50, p95 = quantiles(samples)
        print(f"{name:<24}{len(samples):>5}{p50 * 1e3:>10.2f}{p95 * 1e3:>10.2f}{p50 / base50:>12.1f}{p95 / base95:>12.1f}")


async def first_list(params: StdioServerParameters) -> float:
    """Seconds from starting a stdio server to its first `tools/list` answer (its shutdown after is not counted)."""
    start = time.perf_counter()
    async with Client(params, mode="legacy") as client:
        await client.list_tools()
        took = time.perf_counter() - start
    return took


async def cold(starts: int, tmp: Path) -> None:
    env = dict(os.environ)
    peers = {
        "minimal SDK server": StdioServerParameters(command=sys.executable, args=["-c", MINIMAL], env=env, cwd=str(ROOT)),
        "claw mcp": StdioServerParameters(command=sys.executable, args=["-m", "dataclaw_tailor.cli", "mcp", "--root", str(ROOT / "examples"),
                                                                         "--state-dir", str(tmp / "cold-state")], env=env, cwd=str(ROOT)),
    }
    times: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(starts):  # alternating, so both see the same machine load
        for name, params in peers.items():
            times[name].append(await first_list(params))
    base = statistics.median(times["minimal SDK server"])
    print(f"\ncold start over stdio: process start to the first tools/list answer, median of {starts} each")
    for name, samples in times.items():
        print(f"{name:<22}{statistics.median(samples):>8.2f} s  {statistics.median(samples) / base:>6.2f}x   ({', '.join(f'{t:.2f}' for t in samples)})")


async def size(tmp: Path) -> None:
    async with Client(bench_server(tmp / "size-state")) as client:
        tools = [t for t in (await client.list_tools()).tools if t.name != "noop"]
    dumped = {t.name: t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in tools}
    total = len(json.dumps({"tools": list(dumped.values())}))
    print(f"\ntools/list: {len(tools)} tools, {total} bytes (~{total // 4} tokens)")
    print(f"{'tool':<22}{'bytes':>8}{'input':>8}{'output':>8}")
    for name, tool in sorted(dumped.items(), key=lambda kv: -len(json.dumps(kv[1]))):
        print(f"{name:<22}{len(json.dumps(tool)):>8}{len(json.dumps(tool['inputSchema'])):>8}{len(json.dumps(tool.get('outputSchema', {}))):>8}")


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def videos(folder: Path, n: int) -> list[Path]:
    """`n` different 640x360 three-shot videos (lengths differ, so content hashes differ: nothing is cached)."""
    from imageio_ffmpeg import get_ffmpeg_exe

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(n):
        out = folder / f"v{i:02d}.mp4"
        subprocess.run([get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s=640x360:r=25:d={2 + 0.25 * i}",
                        "-f", "lavfi", "-i", "smptebars=s=640x360:r=25:d=3", "-f", "lavfi", "-i", "mandelbrot=s=640x360:r=25",
                        "-filter_complex", "[2]trim=duration=3[m];[0][1][m]concat=n=3:v=1:a=0", "-pix_fmt", "yuv420p", str(out)], check=True)
        made.append(out)
    return made


async def burst_once(clips: list[Path], tmp: Path, flags: list[str]) -> tuple[float, float, float, float]:
    """(baseline, peak, after) RSS in MiB and the burst's seconds, for one fresh server with `flags`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATACLAW_CACHE_DIR": str(tmp / f"cache-{port}")}  # a cold anchor cache: every video decoded
    args = ["-m", "dataclaw_tailor.cli", "mcp", "--http", "--port", str(port), "--root", str(clips[0].parent), "--state-dir", str(tmp / f"state-{port}"), *flags]
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        args = {"intent": "dense captions", "task": "daily.dense_captions"}
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            await client.call_tool("tailor", {"path": str(clips[-1]), **args})  # warm: the OCR model and decoders loaded
            baseline = peak = rss_mib(proc.pid)
            done = anyio.Event()

            async def watch() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, rss_mib(proc.pid))
                    await anyio.sleep(0.05)

            start = time.perf_counter()
            async with anyio.create_task_group() as tg:
                tg.start_soon(watch)
                async with anyio.create_task_group() as calls:
                    for clip in clips[:-1]:
                        calls.start_soon(client.call_tool, "tailor", {"path": str(clip), **args})
                took = time.perf_counter() - start
                done.set()
            await anyio.sleep(1)
            return baseline, peak, rss_mib(proc.pid), took
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def burst(n: int, tmp: Path) -> None:
    clips = videos(tmp / "clips", n + 1)
    print(f"\nburst: {n} concurrent tailor calls on {n} uncached videos over HTTP, resident memory (MiB) of the server")
    print(f"{'extractions at once':<26}{'baseline':>10}{'peak':>8}{'after':>8}{'peak-base':>11}{'after-base':>12}{'burst s':>9}")
    from dataclaw_tailor.core.slots import default_size

    for label, flags in ((f"{default_size()} (default: CPUs)", []), (f"{n} (every call)", ["--max-extractions", str(n)])):
        base, peak, after, took = await burst_once(clips, tmp, flags)
        print(f"{label:<26}{base:>10.0f}{peak:>8.0f}{after:>8.0f}{peak - base:>11.0f}{after - base:>12.0f}{took:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="calls,cold,size,burst", help="Comma-separated sections: calls, cold, size, burst.")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--tailor-calls", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5, help="Cold starts of each server.")
    parser.add_argument("--burst", type=int, default=12, help="Concurrent calls on uncached videos.")
    parser.add_argument("--serve-stdio", metavar="STATE_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stdio:
        bench_server(Path(args.serve_stdio)).run()
        return
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        if "calls" in only:
            for transport, mode in (("in-process", "auto"), ("in-process", "legacy"), ("stdio", "auto"), ("stdio", "legacy")):
                anyio.run(bench, transport, mode, args.calls, args.tailor_calls, Path(tmp) / f"{transport}-{mode}")
        if "size" in only:
            anyio.run(size, Path(tmp))
        if "cold" in only:
            anyio.run(cold, args.starts, Path(tmp))
        if "burst" in only:
            anyio.run(burst, args.burst, Path(tmp))


if __name__ == "__main__":
    main()
