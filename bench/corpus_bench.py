"""Corpus engines benchmark: sources per second for the local engine and for Ray with 1 and 2 worker nodes.

Run:  python bench/corpus_bench.py [--sources 12] [--backend rules]   (the scale extra: pip install -e .[scale])

Builds one corpus of N distinct copies of the example GUI trace (each with its own note, so its own content
hash) and tailors it, into a fresh output folder each time, with: the local engine (4 at a time, in this
process); Ray on a cluster of one node (`ray start --head --num-cpus=1`, 2 tailoring actors); the same
cluster with a second node (`ray start --address ... --num-cpus=1`). Each Ray run is a fresh driver
(`claw corpus --engine ray --address`), so its time includes joining the cluster and starting the actors,
as a user's run does; the "steady" column excludes the time to the first finished source. Ratios are
against the local engine measured in the same run.

What a 2-core machine tells you: both Ray "nodes" share the same two cores (and the other load on them),
so 2 nodes vs 1 shows Ray's overhead and that work spreads over both nodes, not a cluster's speed-up; the
rules backend is CPU-bound detection and extraction, so on one machine the local engine is the ceiling.
On a real cluster each node brings its own cores, and with the openai backend the tailoring actors mostly
wait on the model server, so throughput grows with nodes until the vLLM fleet is the bottleneck.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAY = Path(sys.executable).with_name("ray")


def make_corpus(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        shutil.copytree(ROOT / "examples" / "gui" / "login-trace", folder / f"t{i:03d}")
        (folder / f"t{i:03d}" / "note.txt").write_text(f"copy {i}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_corpus(env: dict[str, str], folder: Path, out: Path, backend: str, *extra: str) -> tuple[float, float]:
    """Wall seconds for the whole run, and seconds from the first finished source to the end."""
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "dataclaw_tailor.cli", "corpus", str(folder), "--intent", "GUI steps",
                             "--task", "gui.trajectory", "--backend", backend, "--out", str(out), "--json", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first = None
    manifest = out / "manifest.jsonl"
    while proc.poll() is None:
        if first is None and manifest.exists() and manifest.stat().st_size:
            first = time.monotonic()
        time.sleep(0.2)
    total = time.monotonic() - start
    summary = json.loads(proc.stdout.read())
    if summary["ok"] != summary["total"]:
        raise SystemExit(f"run failed: {summary['ok']}/{summary['total']} ok")
    return total, total - ((first or start) - start)


def start_node(env: dict[str, str], args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(RAY), "start", "--num-cpus=1", "--disable-usage-stats", "--block", *args], env=env,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_nodes(env: dict[str, str], address: str, n: int) -> None:
    code = f"import ray; ray.init(address='{address}', log_to_driver=False); print(sum(x['Alive'] for x in ray.nodes()))"
    for _ in range(120):
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip() and int(proc.stdout.split()[-1]) >= n:
            return
        time.sleep(1)
    raise SystemExit(f"the Ray cluster never had {n} nodes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=12)
    parser.add_argument("--backend", default="rules")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    (base / "home").mkdir()
    env = {**os.environ, "HOME": str(base / "home"), "RAY_TMPDIR": str(base / "t"), "RAY_USAGE_STATS_ENABLED": "0",
           "DATACLAW_STATE_DIR": str(base / "state"), "PYTHONPATH": str(ROOT)}
    folder = base / "corpus"
    make_corpus(folder, args.sources)
    rows = [("local engine, 4 at a time", *run_corpus(env, folder, base / "local", args.backend, "--engine", "local"))]
    port = free_port()
    address = f"127.0.0.1:{port}"
    nodes = [start_node(env, ["--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--include-dashboard=false",
                              f"--temp-dir={base / 't'}"], base / "head.log")]
    try:
        wait_nodes(env, address, 1)
        ray_args = ("--engine", "ray", "--address", address, "--concurrency", "2")
        rows.append(("ray, 1 node x 1 cpu", *run_corpus(env, folder, base / "ray1", args.backend, *ray_args)))
        nodes.append(start_node(env, [f"--address={address}", "--node-ip-address=127.0.0.1"], base / "worker.log"))
        wait_nodes(env, address, 2)
        rows.append(("ray, 2 nodes x 1 cpu", *run_corpus(env, folder, base / "ray2", args.backend, *ray_args)))
    finally:
        for node in reversed(nodes):
            os.killpg(node.pid, signal.SIGKILL)
            node.wait()
    n = args.sources
    local_rate = n / rows[0][1]
    print(f"{n} sources ({args.backend} backend), cores on this machine: {os.cpu_count()}")
    print(f"{'engine':28s} {'wall s':>8s} {'sources/s':>10s} {'vs local':>9s} {'steady s':>9s}")
    for name, total, steady in rows:
        print(f"{name:28s} {total:8.1f} {n / total:10.3f} {n / total / local_rate:8.2f}x {steady:9.1f}")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
