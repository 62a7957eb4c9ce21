"""Per-call cost of the MCP tools against a no-op tool in the same server.

The no-op tool is registered only here (build the product server, then add it), so the ratio is the
work a tool adds on top of the identical MCP path: argument validation, the roots resolver, result
conversion and the client round trip. A direct `check_record` row shows how much of `validate_record`
is the validation itself. Runs the in-process client in both protocol modes, and a real
stdio subprocess (this script re-launched with `--serve-stdio`, which adds the same no-op tool).

    .venv/bin/python bench/mcp_bench.py [--calls 200] [--tailor-calls 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--tailor-calls", type=int, default=30)
    parser.add_argument("--serve-stdio", metavar="STATE_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stdio:
        bench_server(Path(args.serve_stdio)).run()
        return
    with tempfile.TemporaryDirectory() as tmp:
        for transport, mode in (("in-process", "auto"), ("in-process", "legacy"), ("stdio", "auto"), ("stdio", "legacy")):
            anyio.run(bench, transport, mode, args.calls, args.tailor_calls, Path(tmp) / f"{transport}-{mode}")


if __name__ == "__main__":
    main()
