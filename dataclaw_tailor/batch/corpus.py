"""Tailor a folder of sources with bounded concurrency, a manifest and atomic writes.

Re-running the same corpus into the same folder skips sources whose content hash already has a
final outcome (ok or invalid) in the manifest, so an interrupted run resumes where it stopped and
a finished one is a no-op. A source that fails, however it fails, is recorded with its reason and
the run goes on; failures are retried on the next run. The manifest only ever holds whole lines (an
append cut short by a full disk is undone, a line torn by a kill is cut on the next open), so
nothing already written is lost and a full disk is one error naming the file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..core import DataClawError, InputError, Intent
from ..service import TailorService
from ..tools import detect
from ..tools.files import append_line, recover_jsonl, write_atomic

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], Awaitable[None]]
FINAL = ("ok", "invalid")


class ItemOutcome(BaseModel):
    source: str
    content_hash: str | None = None
    status: str = Field(description="ok, invalid, needs_clarification or error")
    task: str | None = None
    thread_id: str | None = None
    error: str | None = None
    record_path: str | None = None


class CorpusSummary(BaseModel):
    out_dir: str
    records_path: str = Field(description="JSONL of result envelopes for every valid record, in source order.")
    total: int
    ok: int
    invalid: int
    needs_clarification: int
    errors: int
    skipped: int = Field(description="Sources already finished by an earlier run of this corpus.")
    items: list[ItemOutcome]


def discover(folder: str | Path) -> list[Path]:
    """The sources in a folder: each visible file or sub-folder, in name order."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(root, "not a folder of sources")
    return sorted(p for p in root.iterdir() if not p.name.startswith("."))


def _read_manifest(path: Path) -> dict[str, ItemOutcome]:
    """Outcomes by content hash. A last line torn by an interrupted run (killed, disk full) is cut off (its
    source is simply redone), so this run's appends start on a line of their own; any other line that
    is not an outcome is skipped."""
    done: dict[str, ItemOutcome] = {}
    recover_jsonl(path)
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(path, f"cannot read the corpus manifest ({exc.strerror})") from None
        for line in text.splitlines():
            try:
                item = ItemOutcome.model_validate_json(line)
            except ValidationError:
                continue
            if item.content_hash:
                done[item.content_hash] = item
    return done


async def run_corpus(
    service: TailorService,
    sources: list[Path],
    intent: Intent | str,
    *,
    out_dir: str | Path,
    concurrency: int = 4,
    progress: Progress | None = None,
) -> CorpusSummary:
    """Tailor every source through `service` (one backend for the whole run), `concurrency` at a time."""
    out = Path(out_dir)
    manifest_path = out / "manifest.jsonl"
    previous = _read_manifest(manifest_path)
    log.info("corpus of %d sources into %s (%d finished before)", len(sources), out, sum(p.status in FINAL for p in previous.values()))
    gate = asyncio.Semaphore(max(1, concurrency))
    write_lock = asyncio.Lock()
    outcomes: list[ItemOutcome | None] = [None] * len(sources)
    skipped = 0
    finished = 0

    async def process(path: Path) -> tuple[ItemOutcome, bool]:
        try:
            source = await asyncio.to_thread(detect, path)
            prior = previous.get(source.content_hash)
            if prior is not None and prior.status in FINAL:
                return prior, True
            result = await service.tailor(path, intent)
        except DataClawError as exc:
            log.warning("%s: %s", path, exc)
            return ItemOutcome(source=str(path), status="error", error=str(exc)), False
        except Exception as exc:  # noqa: BLE001 - one source's bug or unforeseen input never stops the corpus
            log.exception("corpus source %s failed", path)
            first = str(exc).splitlines()[0][:300] if str(exc) else ""
            return ItemOutcome(source=str(path), status="error",
                               error=f"{path}: unexpected {type(exc).__name__}: {first}"), False
        item = ItemOutcome(source=str(path), content_hash=source.content_hash, status=result.status, task=result.task, thread_id=result.thread_id)
        if result.status in FINAL:
            record_path = out / "records" / f"{source.content_hash[:16]}-{result.task}.json"
            write_atomic(record_path, result.model_dump_json())
            item.record_path = str(record_path)
        return item, False

    async def one(i: int, path: Path) -> None:
        nonlocal skipped, finished
        async with gate:
            item, was_done = await process(path)
        outcomes[i] = item
        async with write_lock:
            skipped += was_done
            finished += 1
            if not was_done:
                append_line(manifest_path, item.model_dump_json())
        if progress is not None:
            await progress(finished, len(sources), f"{path.name}: {'already done' if was_done else item.status}")

    await asyncio.gather(*(one(i, p) for i, p in enumerate(sources)))
    items = [o for o in outcomes if o is not None]
    records = [Path(o.record_path).read_text() for o in items if o.status == "ok" and o.record_path and Path(o.record_path).exists()]
    records_path = out / "records.jsonl"
    write_atomic(records_path, "".join(r.strip() + "\n" for r in records))
    count = {s: sum(o.status == s for o in items) for s in ("ok", "invalid", "needs_clarification", "error")}
    return CorpusSummary(
        out_dir=str(out),
        records_path=str(records_path),
        total=len(sources),
        ok=count["ok"],
        invalid=count["invalid"],
        needs_clarification=count["needs_clarification"],
        errors=count["error"],
        skipped=skipped,
        items=items,
    )
