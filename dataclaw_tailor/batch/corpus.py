"""The local engine: tailor a corpus in this process with bounded concurrency, a manifest and atomic writes.

Re-running the same corpus into the same folder skips items whose content hash already has a final
outcome (ok or invalid) in the manifest, so an interrupted run resumes where it stopped and a finished
one is a no-op. An item that fails, however it fails, is recorded with its reason and the run goes on;
failures are retried on the next run. The manifest only ever holds whole lines (an append cut short by
a full disk is undone, a line torn by a kill is cut on the next open), so nothing already written is
lost and a full disk is one error naming the file. The steps themselves are `work.py`'s, shared with
the Ray engine (`ray_engine.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..core import Intent
from ..service import Ask, TailorService
from ..tools.files import append_line
from .work import (FINAL, CorpusSummary, ItemOutcome, KindAnswers, WorkSpec, expand, read_manifest, split_sidecars, summarize,
                   tailor_item)

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], Awaitable[None]]


async def run_corpus(
    service: TailorService,
    sources: list[Path],
    intent: Intent | str | WorkSpec,
    *,
    out_dir: str | Path,
    concurrency: int = 4,
    progress: Progress | None = None,
    ask: Ask | None = None,
) -> CorpusSummary:
    """Tailor every item of `sources` through `service` (one backend for the whole run), `concurrency` at a time.

    `intent` is the intent for every item, or a `WorkSpec` with tasks, answers and episodes by source kind.
    `ask` puts a fuzzy intent's questions to the user, once per source kind (when the spec has no answer).
    """
    out = Path(out_dir)
    spec = intent if isinstance(intent, WorkSpec) else WorkSpec(
        intent=Intent(text=intent) if isinstance(intent, str) else intent, out_dir=str(out))
    spec = spec.model_copy(update={"out_dir": str(out)})
    manifest_path = out / "manifest.jsonl"
    previous = read_manifest(manifest_path)
    done_before = {h: o.status for h, o in previous.items()}
    sources, sidecars = split_sidecars(list(sources))
    log.info("corpus of %d sources into %s (%d finished before)", len(sources), out, sum(s in FINAL for s in done_before.values()))

    expanded = await asyncio.gather(*(asyncio.to_thread(expand, p, spec.episodes) for p in sources))
    failed = [e for e in expanded if isinstance(e, ItemOutcome)]
    work = [item for e in expanded if not isinstance(e, ItemOutcome) for item in e]
    total = len(work) + len(failed)
    for n, item in enumerate(failed, 1):
        append_line(manifest_path, item.model_dump_json())
        if progress is not None:
            await progress(n, total, f"{Path(item.source).name}: error")
    gate = asyncio.Semaphore(max(1, concurrency))
    write_lock = asyncio.Lock()
    answers = KindAnswers(spec, ask)
    outcomes: list[ItemOutcome | None] = [None] * len(work)
    finished = len(failed)

    async def one(i: int, item: str) -> None:
        nonlocal finished
        async with gate:
            outcome, was_done = await tailor_item(service, item, spec, done_before, answers)
        outcomes[i] = outcome
        async with write_lock:
            finished += 1
            if not was_done:
                append_line(manifest_path, outcome.model_dump_json())
        if progress is not None:
            await progress(finished, total, f"{Path(item).name}: {'already done' if was_done else outcome.status}")

    await asyncio.gather(*(one(i, p) for i, p in enumerate(work)))
    by_item = dict(zip(work, outcomes, strict=True))
    items = [o for e in expanded for o in ([e] if isinstance(e, ItemOutcome) else [by_item[i] for i in e]) if o is not None]
    return summarize(out, items, previous, sidecars=sum(len(v) for v in sidecars.values()), engine="local")
