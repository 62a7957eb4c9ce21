"""Stage-2 data construction: anchors (stage 1) + a teacher model's records (stage 2) -> training triplets.

Each (source, intent) pair runs through the same tailoring service users run (`service.TailorService`):
routing, anchor extraction, the teacher's synthesis through a backend (`openai` for any
OpenAI-compatible server, `rules` offline), validation and bounded repair. The result is appended to
`<out>/triplets.jsonl` keyed by (source content, intent, teacher), so a re-run skips finished pairs and
an interrupted run loses nothing it wrote; failures go to `<out>/failures.jsonl` with their reason and
are retried next time. Fuzzy variants of each intent (no task, vague words) are run too: where the
graph asks for clarification, its questions become a `clarify` triplet that teaches the model to ask.
At the end every triplet is written as a Hugging Face dataset under `<out>/dataset`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..core import DataClawError, InputError, Intent, Source
from ..tools.files import read_data
from .triplets import DATASET_DIR, TRIPLETS_FILE, Triplet, read_triplets, to_hf_dataset, triplet_key, write_triplet

FAILURES_FILE = "failures.jsonl"
FUZZY_PHRASES = (
    "make some training data from this",
    "turn this into a dataset",
    "I need annotations for this file",
    "label this for me",
    "prepare this for fine-tuning",
)

Progress = Callable[[int, int, str], Awaitable[None]]


class IntentEntry(Intent):
    """An intent line in the intents file; `source_kinds` limits it to some stream kinds."""

    source_kinds: list[str] | None = Field(default=None, description="Apply only to sources of these kinds.")


class ConstructSummary(BaseModel):
    written: int = Field(default=0, description="Tailoring triplets written in this run.")
    clarify: int = Field(default=0, description="Clarification triplets written in this run.")
    invalid: int = Field(default=0, description="Written triplets whose record still failed validation.")
    skipped_done: int = Field(default=0, description="Pairs already in the output (resume).")
    skipped_kind: int = Field(default=0, description="Pairs whose intent does not apply to the source kind.")
    failed: int = Field(default=0, description="Pairs that raised; see failures.jsonl.")
    total_triplets: int = Field(default=0, description="Triplets in the output after this run.")
    dataset_path: str = ""


def read_intents(path: str | Path) -> list[IntentEntry]:
    """Intents from a JSONL, JSON list or YAML list file; a plain string entry is the intent text."""
    items = read_data(path, "intents")
    if not isinstance(items, list) or not items:
        raise InputError(path, "expected a non-empty list of intents")
    entries = []
    for i, item in enumerate(items):
        try:
            entries.append(IntentEntry(text=item) if isinstance(item, str) else IntentEntry.model_validate(item))
        except ValueError as exc:
            raise InputError(path, f"intent {i}: {str(exc).splitlines()[0]}") from exc
    return entries


def fuzzy_variant(intent: Intent, source: Source) -> Intent:
    """A vague rewording with no domain or task: what a user says before clarification."""
    pick = int(hashlib.sha256((source.content_hash + intent.text).encode()).hexdigest(), 16) % len(FUZZY_PHRASES)
    return Intent(text=FUZZY_PHRASES[pick], language=intent.language)


def teacher_name(backend: str, options: dict[str, Any]) -> str:
    return f"{backend}:{options.get('model', '')}" if options.get("model") else backend


class _Run:
    def __init__(self, out: Path, backend: str, options: dict[str, Any], max_repairs: int, fuzzy: bool):
        from ..service import Settings, TailorService

        self.out = out
        self.service = TailorService(Settings(backend=backend, backend_options=options, state_dir=out / "state", max_repairs=max_repairs))
        self.fuzzy = fuzzy
        self.teacher = teacher_name(backend, options)
        self.file = out / TRIPLETS_FILE
        self.done = {t.key for t in read_triplets(self.file)} if self.file.exists() else set()
        self.summary = ConstructSummary()

    def _fail(self, source: str, intent: Intent | None, kind: str, reason: str) -> None:
        self.summary.failed += 1
        with (self.out / FAILURES_FILE).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"source": source, "intent": intent and intent.text, "kind": kind, "reason": reason}) + "\n")

    async def pair(self, source: Source, intent: Intent) -> None:
        from ..experts.registry import get_task

        jobs = [("tailor", intent)] + ([("clarify", fuzzy_variant(intent, source))] if self.fuzzy else [])
        for kind, asked in jobs:
            key = triplet_key(source, asked, self.teacher, kind)
            if key in self.done:
                self.summary.skipped_done += 1
                continue
            try:
                result = await self.service.tailor(source.path, asked)
            except DataClawError as exc:
                self._fail(source.path, asked, kind, str(exc))
                continue
            if kind == "clarify" and result.status != "needs_clarification":
                continue
            if kind == "tailor" and result.status == "needs_clarification":
                self._fail(source.path, asked, kind, "the graph asked for clarification; give the intent a task or domain")
                continue
            schema = get_task(result.task).json_schema(asked.schema_) if result.task else {}
            triplet = Triplet(
                key=key, kind=kind, source=source, intent=asked, domain=result.domain or "", task=result.task or "",
                json_schema=schema, anchors=result.anchors, record=result.record if kind == "tailor" else None,
                questions=[q.model_dump() for q in result.questions], valid=result.validation.valid,
                validation=result.validation.model_dump(mode="json"), teacher=self.teacher,
            )
            write_triplet(self.file, triplet)
            self.done.add(key)
            if kind == "clarify":
                self.summary.clarify += 1
            else:
                self.summary.written += 1
                self.summary.invalid += not triplet.valid


async def aconstruct(
    sources: Sequence[str | Path],
    intents: Sequence[IntentEntry],
    out: str | Path,
    *,
    backend: str = "openai",
    backend_options: dict[str, Any] | None = None,
    fuzzy: bool = True,
    concurrency: int = 4,
    max_repairs: int = 2,
    progress: Progress | None = None,
) -> ConstructSummary:
    """Build triplets for every (source, intent) pair; resumable; returns what this run did."""
    from ..tools import detect

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run = _Run(out, backend, dict(backend_options or {}), max_repairs, fuzzy)
    detected = []
    for path in sources:
        try:
            detected.append(detect(path))
        except InputError as exc:
            run._fail(str(path), None, "detect", str(exc))
    pairs = []
    for source in detected:
        for entry in intents:
            if entry.source_kinds and source.kind.value not in entry.source_kinds:
                run.summary.skipped_kind += 1
                continue
            pairs.append((source, Intent.model_validate(entry.model_dump(by_alias=True, exclude={"source_kinds"}))))
    gate = asyncio.Semaphore(concurrency)
    finished = 0

    async def one(source: Source, intent: Intent) -> None:
        nonlocal finished
        async with gate:
            await run.pair(source, intent)
        finished += 1
        if progress is not None:
            await progress(finished, len(pairs), f"{Path(source.path).name}: {intent.text[:60]}")

    try:
        await asyncio.gather(*(one(s, i) for s, i in pairs))
    finally:
        await run.service.aclose()
    triplets = list(read_triplets(run.file)) if run.file.exists() else []
    run.summary.total_triplets = len(triplets)
    if triplets:
        dataset_path = out / DATASET_DIR
        to_hf_dataset(triplets).save_to_disk(str(dataset_path))
        run.summary.dataset_path = str(dataset_path)
    return run.summary


def construct(sources: Sequence[str | Path], intents: Sequence[IntentEntry], out: str | Path, **kwargs: Any) -> ConstructSummary:
    """Synchronous `aconstruct` for the CLI and scripts."""
    return asyncio.run(aconstruct(sources, intents, out, **kwargs))
