"""The Ray engine on a real Ray: the same records as the local engine, and runs that survive a killed worker
node or a killed driver (a head and a worker started with `ray start` as separate processes, one CPU each).

Ray's files go under the test's tmp (RAY_TMPDIR, --temp-dir) and HOME points there too (Ray keeps its
cluster token in ~/.ray), so no test touches the user's home.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import EXAMPLES

ray = pytest.importorskip("ray", reason="the Ray engine needs the scale extra")
RAY = Path(sys.executable).with_name("ray")
pytestmark = pytest.mark.slow


def ray_env(base: Path) -> dict[str, str]:
    (base / "home").mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(base / "home"), "RAY_TMPDIR": str(base / "t"), "RAY_USAGE_STATS_ENABLED": "0",
            "DATACLAW_STATE_DIR": str(base / "state"), "PYTHONPATH": str(Path(__file__).parents[2])}


def traces(folder: Path, n: int) -> Path:
    """`n` copies of the example GUI trace, each with its own note so each has its own content hash."""
    folder.mkdir()
    for i in range(n):
        shutil.copytree(EXAMPLES / "gui" / "login-trace", folder / f"t{i:02d}")
        (folder / f"t{i:02d}" / "note.txt").write_text(f"copy {i}")
    return folder


def claw_corpus(env: dict[str, str], folder: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dataclaw_tailor.cli", "corpus", str(folder), "--intent", "GUI steps",
                             "--task", "gui.trajectory", "--out", str(out), "--json", "--engine", "ray", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def manifest_lines(out: Path) -> list[dict]:
    """The manifest's whole lines (the driver may be appending one while we read)."""
    path = out / "manifest.jsonl"
    return [json.loads(line) for line in path.read_text().split("\n")[:-1]] if path.exists() else []


def wait_for(check, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


class Cluster:
    """A head and a worker node, each a `ray start --block` process group this test owns and ends by id."""

    def __init__(self, base: Path):
        self.base = base
        self.env = ray_env(base)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        common = ["--num-cpus=1", "--disable-usage-stats", "--block"]
        self.head = self._start(["start", "--head", f"--port={self.port}", "--node-ip-address=127.0.0.1",
                                 "--include-dashboard=false", f"--temp-dir={base / 't'}", *common], "head")
        wait_for(lambda: self._nodes() >= 1, 120, "the Ray head")
        self.worker = self._start(["start", f"--address={self.address}", "--node-ip-address=127.0.0.1", *common], "worker")
        wait_for(lambda: self._nodes() >= 2, 120, "the Ray worker node")

    def _start(self, args: list[str], name: str) -> subprocess.Popen:
        log = open(self.base / f"{name}.log", "w")
        return subprocess.Popen([str(RAY), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def _nodes(self) -> int:
        proc = subprocess.run([sys.executable, "-c", f"import ray; ray.init(address='{self.address}', log_to_driver=False);"
                               "print(sum(n['Alive'] for n in ray.nodes()))"],
                              env=self.env, capture_output=True, text=True, timeout=120)
        return int(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 and proc.stdout.strip() else 0

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=60)

    def close(self) -> None:
        for proc in (self.worker, self.head):
            self.kill(proc)


@pytest.fixture
def cluster(tmp_path_factory):
    base = tmp_path_factory.mktemp("ray")
    c = Cluster(base)
    try:
        yield c
    finally:
        c.close()


def finished_once(out: Path, n: int) -> None:
    """Every source has exactly one final outcome in the manifest and one line in records.jsonl."""
    final = [m for m in manifest_lines(out) if m["status"] in ("ok", "invalid")]
    assert sorted(Path(m["source"]).name for m in final) == [f"t{i:02d}" for i in range(n)]
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert sorted(Path(r["source"]["path"]).name for r in records) == [f"t{i:02d}" for i in range(n)]


def test_a_killed_worker_node_loses_nothing(cluster, tmp_path):
    n = 6
    folder, out = traces(tmp_path / "corpus", n), tmp_path / "out"
    run = claw_corpus(cluster.env, folder, out, "--address", cluster.address, "--concurrency", "2")
    wait_for(lambda: len(manifest_lines(out)) >= 1 or run.poll() is not None, 300, "the first finished source")
    cluster.kill(cluster.worker)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr[-2000:]
    summary = json.loads(stdout)
    assert (summary["engine"], summary["total"], summary["ok"]) == ("ray", n, n)
    finished_once(out, n)


def test_a_killed_driver_resumes_with_nothing_lost_or_duplicated(cluster, tmp_path):
    n = 6
    folder, out = traces(tmp_path / "corpus", n), tmp_path / "out"
    run = claw_corpus(cluster.env, folder, out, "--address", cluster.address, "--concurrency", "2")
    wait_for(lambda: len(manifest_lines(out)) >= 2 or run.poll() is not None, 300, "two finished sources")
    Cluster.kill(run)
    before = len(manifest_lines(out))
    again = claw_corpus(cluster.env, folder, out, "--address", cluster.address, "--concurrency", "2")
    stdout, stderr = again.communicate(timeout=600)
    assert again.returncode == 0, stderr[-2000:]
    summary = json.loads(stdout)
    assert summary["total"] == n and summary["ok"] == n and summary["skipped"] >= min(before, n) - 0
    finished_once(out, n)


def test_the_local_and_ray_engines_give_identical_records(tmp_path, tmp_path_factory):
    """A local Ray (no --address) started by the CLI itself, against the local engine on the same corpus."""
    folder = traces(tmp_path / "corpus", 2)
    shutil.copy(EXAMPLES / "video" / "three_shots.mp4", folder / "clip.mp4")
    (folder / "clip.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nA red frame.\n")
    (folder / "notes.txt").write_text("not a stream")
    env = ray_env(tmp_path_factory.mktemp("r"))  # a short path: Ray's sockets live under it (107 bytes at most)
    outs = {}
    for engine in ("local", "ray"):
        proc = subprocess.run([sys.executable, "-m", "dataclaw_tailor.cli", "corpus", str(folder), "--intent",
                               "training data", "--answer", "1", "--out", str(tmp_path / engine), "--json",
                               "--engine", engine, "--concurrency", "2"], env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 1 and proc.stdout, proc.stderr[-3000:]  # notes.txt is no source
        outs[engine] = json.loads(proc.stdout)

    def comparable(summary):
        lines = Path(summary["records_path"]).read_text().splitlines()
        records = [json.loads(line) for line in lines]
        for r in records:
            r.pop("thread_id")
            r["provenance"].pop("timings_s")
        items = [(i["source"], i["kind"], i["status"], i["task"], i["content_hash"], i["error"]) for i in summary["items"]]
        return records, items, summary["sidecars"]

    local, on_ray = comparable(outs["local"]), comparable(outs["ray"])
    assert len(local[0]) == 3 and local[2] == 1
    assert local == on_ray
    import pyarrow.parquet as pq

    table = pq.read_table(outs["ray"]["parquet_path"])
    assert table.num_rows == 3 and set(table.column_names) >= {"source", "content_hash", "kind", "task", "envelope"}
