"""The Ray engine: the same corpus work (`work.py`) as a Ray Data pipeline, on one machine or a cluster.

discover (driver) → expand: detect each source and fan out its episodes, a CPU task per source →
tailor: an actor pool, each actor one `TailorService` built from the run's `Settings` (one backend, so one
model load per actor; the pool size bounds how many requests an HTTP backend sees across the cluster) that
detects, extracts, tailors and validates one item at a time and writes its record file → the driver
streams the outcomes, appends each to the manifest (the only writer, whole lines) and writes records.jsonl
and records.parquet at the end, exactly as the local engine does.

Resumable after any kill: a record file is written atomically under a name keyed by content hash before its
outcome reaches the driver, and the manifest line is appended only after; a killed worker's tasks and actors
are retried by Ray (its in-flight items are redone, their outputs discarded), and a killed driver's
in-flight items have no manifest line, so the next run redoes them and overwrites the same record file.
The output folder and the state dir must be visible to every node (one machine, or a shared file system).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..core import DataClawError
from ..service import Settings, TailorService
from ..tools.files import append_line
from .work import FINAL, CorpusSummary, ItemOutcome, KindAnswers, WorkSpec, expand, read_manifest, split_sidecars, summarize, tailor_item

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], Awaitable[None]]

EXPAND_CPUS = 0
"""Detection reads headers and indexes (light, mostly I/O). It reserves no CPU, so tailoring actors that
hold every CPU (or the CPUs left after a node is lost) can never starve it; `workers` tasks at a time."""
TAILOR_CPUS = 0.5
"""Extraction and the rules backend are CPU work; an HTTP backend's actor mostly waits."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise DataClawError("the Ray engine needs the `scale` extra: pip install 'dataclaw-tailor[scale]'") from None
    return ray


def connect(address: str | None, *, temp_dir: str | Path | None = None, num_cpus: int | None = None) -> bool:
    """Join the cluster at `address`, or start a local Ray (no dashboard, no usage stats); True when this
    call started or joined it (and the caller should shut it down)."""
    ray = _ray()
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    env = {"env_vars": {"RAY_USAGE_STATS_ENABLED": "0"}}
    if address:
        ray.init(address=address, runtime_env=env, log_to_driver=False)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, runtime_env=env, log_to_driver=False,
                 _temp_dir=str(temp_dir) if temp_dir else None)
    return True


def _expand_row(row: dict[str, Any], episodes: str) -> list[dict[str, Any]]:
    items = expand(row["path"], episodes)
    if isinstance(items, ItemOutcome):
        return [{"index": row["index"], "sub": 0, "item": row["path"], "outcome": items.model_dump_json()}]
    return [{"index": row["index"], "sub": j, "item": item, "outcome": ""} for j, item in enumerate(items)]


class _Tailor:
    """One actor of the pool: one service (one backend load), one item at a time."""

    def __init__(self, settings: Settings, spec: WorkSpec, previous: dict[str, str]):
        self.service = TailorService(settings)
        self.spec = spec
        self.previous = previous
        self.answers = KindAnswers(spec)
        self.loop = asyncio.new_event_loop()

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        if row["outcome"]:
            return {**row, "done": False}
        outcome, was_done = self.loop.run_until_complete(
            tailor_item(self.service, row["item"], self.spec, self.previous, self.answers))
        return {**row, "outcome": outcome.model_dump_json(), "done": was_done}


async def run_corpus_ray(
    settings: Settings,
    sources: list[Path],
    spec: WorkSpec,
    *,
    out_dir: str | Path,
    address: str | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    temp_dir: str | Path | None = None,
) -> CorpusSummary:
    """Tailor every item of `sources` on Ray with `workers` tailoring actors; same outputs as `run_corpus`.

    `address` joins a running cluster; without it a local Ray is started (its files under `temp_dir`)
    and stopped at the end. The questions of a fuzzy intent are not asked here: give `spec.answers`.
    """
    ray = _ray()
    out = Path(out_dir).absolute()
    spec = spec.model_copy(update={"out_dir": str(out)})
    manifest_path = out / "manifest.jsonl"
    previous = read_manifest(manifest_path)
    done_before = {h: o.status for h, o in previous.items() if o.status in FINAL}
    sources, sidecars = split_sidecars(list(sources))
    log.info("ray corpus of %d sources into %s (%d finished before)", len(sources), out, len(done_before))
    owned = connect(address, temp_dir=temp_dir)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        rows = [{"index": i, "path": str(Path(p).absolute())} for i, p in enumerate(sources)]
        ds = ray.data.from_items(rows, override_num_blocks=max(1, len(rows)))
        # Ray Data retries a task whose node died and restarts an actor (and its task) elsewhere by default.
        ds = ds.flat_map(_expand_row, fn_kwargs={"episodes": spec.episodes}, num_cpus=EXPAND_CPUS,
                         compute=ray.data.TaskPoolStrategy(size=max(1, workers)))
        ds = ds.map(_Tailor, fn_constructor_args=(settings, spec, done_before),
                    compute=ray.data.ActorPoolStrategy(size=max(1, workers)), num_cpus=TAILOR_CPUS)
        results: list[tuple[int, int, ItemOutcome, bool]] = []
        rows_iter = iter(ds.iter_rows())
        finished = 0
        while (row := await asyncio.to_thread(next, rows_iter, None)) is not None:
            outcome = ItemOutcome.model_validate_json(row["outcome"])
            if not row["done"]:
                append_line(manifest_path, outcome.model_dump_json())
            results.append((row["index"], row["sub"], outcome, row["done"]))
            finished += 1
            if progress is not None:
                await progress(finished, max(finished, len(sources)), f"{Path(outcome.source).name}: "
                               f"{'already done' if row['done'] else outcome.status}")
    finally:
        if owned:
            ray.shutdown()
    items = [o for _, _, o, _ in sorted(results, key=lambda r: (r[0], r[1]))]
    return summarize(out, items, previous, sidecars=sum(len(v) for v in sidecars.values()), engine="ray")
