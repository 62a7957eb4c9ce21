"""The work of a corpus run, described once and shared by the local and the Ray engine so they cannot drift.

A run is: `plan` the folder (sources, and the sidecar files that belong to them) → `expand` each source
into its items (one per selected episode of a multi-episode dataset) → `tailor_item` each item through a
`TailorService` (skip it when the manifest already has a final outcome for its content hash; the task and
clarification answers come from the `WorkSpec` by source kind) → `summarize` the outcomes (records.jsonl
and records.parquet, every failure with its reason). An engine only decides where and how many of these
steps run at once, and owns the manifest appends (one writer, whole lines).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator

from ..core import DataClawError, InputError, Intent, OutputError, Question, SourceKind
from ..core.source import RobotEpisodeMeta
from ..service import Answers, Ask, TailorService
from ..tools import detect
from ..tools.files import recover_jsonl, write_atomic

log = logging.getLogger(__name__)

FINAL = ("ok", "invalid")
SIDECAR_SUFFIXES = (".srt", ".vtt", ".json")
"""Files that belong to a video beside them with the same stem (`clip.srt`, `clip.en.vtt`, `clip.info.json`)."""
VIDEO_SUFFIXES = (".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".mpg", ".mpeg", ".ts", ".flv")
ALL_KINDS = "*"
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


class ItemOutcome(BaseModel):
    source: str
    content_hash: str | None = None
    kind: str | None = Field(default=None, description="Source kind, when the source could be detected.")
    status: str = Field(description="ok, invalid, needs_clarification or error")
    task: str | None = None
    thread_id: str | None = None
    error: str | None = Field(default=None, description="Why the item failed, one line naming the file.")
    record_path: str | None = None
    questions: list[Question] = Field(default_factory=list, description="What to answer (status needs_clarification).")


class CorpusSummary(BaseModel):
    out_dir: str
    records_path: str = Field(description="JSONL of result envelopes for every valid record, in source order.")
    parquet_path: str | None = Field(default=None, description="The same records as Parquet: source, content_hash, kind, task, envelope (JSON).")
    engine: str = "local"
    total: int = Field(description="Items tailored: sources, and one per selected episode of a multi-episode dataset.")
    ok: int
    invalid: int
    needs_clarification: int
    errors: int
    skipped: int = Field(description="Items already finished by an earlier run of this corpus.")
    sidecars: int = Field(default=0, description="Subtitle / metadata files counted with the video they sit beside, not as sources.")
    questions: dict[str, list[Question]] = Field(
        default_factory=dict,
        description="Unanswered clarification questions by source kind; answer once per kind (`answers`) and re-run.")
    items: list[ItemOutcome]

    @property
    def failures(self) -> list[ItemOutcome]:
        return [i for i in self.items if i.status == "error"]


class WorkSpec(BaseModel):
    """What every item of a run is tailored for: plain data, so a worker process gets the same description."""

    intent: Intent
    tasks: dict[str, str] = Field(default_factory=dict, description="Task by source kind ('*' for every kind).")
    answers: dict[str, str] = Field(
        default_factory=dict, description="Clarification answer by source kind ('*' for every kind), given for every item of that kind.")
    episodes: str = Field(default="all", description="Episodes of a multi-episode dataset: all, first, N or N-M (dataset indices).")
    out_dir: str

    @field_validator("tasks", "answers")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [k for k in value if k != ALL_KINDS and k not in SourceKind.__members__]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a source kind ({', '.join(SourceKind.__members__)}, or '*' for every kind)")
        return value

    @field_validator("episodes")
    @classmethod
    def _episode_spec(cls, value: str) -> str:
        select_episodes(value, 0, 1)
        return value

    def intent_for(self, kind: str | None) -> Intent:
        task = self.tasks.get(kind or "", self.tasks.get(ALL_KINDS))
        return self.intent.model_copy(update={"task": task}) if task else self.intent

    def answer_for(self, kind: str | None) -> str | None:
        return self.answers.get(kind or "", self.answers.get(ALL_KINDS))


def by_kind(values: list[str] | None, what: str) -> dict[str, str]:
    """`KIND=VALUE` flags (or a bare `VALUE` for every kind) as a dict; an unknown kind is an InputError."""
    out: dict[str, str] = {}
    for value in values or []:
        kind, sep, rest = value.partition("=")
        if sep and kind in SourceKind.__members__:
            out[kind] = rest
        elif sep and kind.isidentifier() and "." not in kind and kind != "task":
            raise InputError(what, f"{kind!r} is not a source kind ({', '.join(SourceKind.__members__)})")
        else:
            out[ALL_KINDS] = value
    return out


def select_episodes(spec: str, first: int, count: int) -> list[int]:
    """Episode indices of a dataset whose episodes are `first .. first+count-1`, chosen by `spec`."""
    spec = spec.strip().lower()
    if spec == "all":
        return list(range(first, first + count))
    if spec == "first":
        return [first]
    m = _RANGE.match(spec)
    if not m:
        raise ValueError(f"episodes {spec!r} is not all, first, N or N-M")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    return [i for i in range(first, first + count) if lo <= i <= hi]


def discover(folder: str | Path) -> list[Path]:
    """The entries of a folder: each visible file or sub-folder, in name order."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(root, "not a folder of sources")
    return sorted(p for p in root.iterdir() if not p.name.startswith("."))


def split_sidecars(entries: list[Path]) -> tuple[list[Path], dict[Path, list[Path]]]:
    """The sources among a folder's entries, and each video's sidecar files (which are not sources)."""
    videos = {p.stem: p for p in entries if p.suffix.lower() in VIDEO_SUFFIXES}
    owned: dict[Path, list[Path]] = {}
    sources = []
    for entry in entries:
        owner = None
        if entry.suffix.lower() in SIDECAR_SUFFIXES and entry.is_file():
            name = entry.name
            owner = next((v for stem, v in videos.items() if name.startswith(stem + ".")), None)
        if owner is None:
            sources.append(entry)
        else:
            owned.setdefault(owner, []).append(entry)
    return sources, owned


def failure(path: str | Path, exc: BaseException) -> ItemOutcome:
    """An error outcome with its reason in one line, however the item failed."""
    if isinstance(exc, DataClawError):
        log.warning("%s: %s", path, exc)
        return ItemOutcome(source=str(path), status="error", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    log.error("corpus source %s failed", path, exc_info=exc)
    first = str(exc).splitlines()[0][:300] if str(exc) else ""
    return ItemOutcome(source=str(path), status="error", error=f"{path}: unexpected {type(exc).__name__}: {first}")


def expand(path: str | Path, episodes: str) -> list[str] | ItemOutcome:
    """The items of one source: the source itself, or one `path#episode=N` per selected episode; an error
    outcome when it cannot be detected (never raises)."""
    try:
        meta = detect(path).meta
        count = int(meta.n_episodes or 1) if isinstance(meta, RobotEpisodeMeta) else 1
        if count <= 1 or "#episode=" in str(path):
            return [str(path)]
        first = int(meta.episode or 0)
        return [f"{path}#episode={i}" for i in select_episodes(episodes, first, count)]
    except Exception as exc:  # noqa: BLE001 - one source's bug or unforeseen input never stops the corpus
        return failure(path, exc)


class KindAnswers:
    """The clarification answer for each source kind: from the spec, else asked once per kind and reused."""

    def __init__(self, spec: WorkSpec, ask: Ask | None = None):
        self.spec = spec
        self._ask = ask
        self._asked: dict[str, Answers | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def for_kind(self, kind: str) -> Ask | None:
        given = self.spec.answer_for(kind)
        if given is not None:
            async def fixed(questions: list[Question]) -> Answers | None:
                return given
            return fixed
        if self._ask is None:
            return None

        async def once(questions: list[Question]) -> Answers | None:
            lock = self._locks.setdefault(kind, asyncio.Lock())
            async with lock:
                if kind not in self._asked:
                    self._asked[kind] = await self._ask(questions)
            return self._asked[kind]
        return once

    @property
    def asked(self) -> dict[str, Answers | None]:
        return dict(self._asked)


async def tailor_item(
    service: TailorService, item: str, spec: WorkSpec, previous: Mapping[str, str], answers: KindAnswers,
) -> tuple[ItemOutcome, bool]:
    """Tailor one item (never raises): its outcome, and whether an earlier run had already finished it.

    `previous` maps content hashes to the status an earlier run recorded; a final one is not redone.
    """
    try:
        source = await asyncio.to_thread(detect, item)
        if previous.get(source.content_hash) in FINAL:
            return ItemOutcome(source=item, content_hash=source.content_hash, kind=source.kind.value, status="skipped"), True
        kind = source.kind.value
        result = await service.tailor(item, spec.intent_for(kind), ask=answers.for_kind(kind))
        outcome = ItemOutcome(source=item, content_hash=source.content_hash, kind=kind, status=result.status,
                              task=result.task, thread_id=result.thread_id, questions=result.questions)
        if result.status in FINAL:
            record_path = Path(spec.out_dir) / "records" / f"{source.content_hash[:16]}-{result.task}.json"
            write_atomic(record_path, result.model_dump_json())
            outcome.record_path = str(record_path)
        return outcome, False
    except Exception as exc:  # noqa: BLE001 - one source's bug or unforeseen input never stops the corpus
        return failure(item, exc), False


def read_manifest(path: Path) -> dict[str, ItemOutcome]:
    """Outcomes by content hash. A last line torn by an interrupted run (killed, disk full) is cut off (its
    item is simply redone), so this run's appends start on a line of their own; any other line that
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


def summarize(out: Path, items: list[ItemOutcome], previous: Mapping[str, ItemOutcome], *, sidecars: int,
              engine: str) -> CorpusSummary:
    """The run's summary, with records.jsonl and records.parquet rewritten from every finished item."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    final: list[ItemOutcome] = []
    skipped = 0
    for item in items:
        if item.status == "skipped":
            skipped += 1
            item = previous.get(item.content_hash or "", item)
        final.append(item)
    rows = []
    for o in final:
        if o.status == "ok" and o.record_path and Path(o.record_path).exists():
            rows.append({"source": o.source, "content_hash": o.content_hash, "kind": o.kind, "task": o.task,
                         "envelope": json.dumps(json.loads(Path(o.record_path).read_text()), ensure_ascii=False)})
    records_path = out / "records.jsonl"
    write_atomic(records_path, "".join(r["envelope"] + "\n" for r in rows))
    parquet_path = out / "records.parquet"
    table = pa.Table.from_pylist(rows, schema=pa.schema([(k, pa.string()) for k in ("source", "content_hash", "kind", "task", "envelope")]))
    tmp = parquet_path.with_suffix(".parquet.tmp")
    try:
        pq.write_table(table, tmp)
        tmp.replace(parquet_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(parquet_path, f"cannot write the records ({exc.strerror or exc})") from None
    questions: dict[str, list[Question]] = {}
    for o in final:
        if o.status == "needs_clarification" and o.kind and o.kind not in questions:
            questions[o.kind] = o.questions
    count = {s: sum(o.status == s for o in final) for s in ("ok", "invalid", "needs_clarification", "error")}
    return CorpusSummary(out_dir=str(out), records_path=str(records_path), parquet_path=str(parquet_path), engine=engine,
                         total=len(final), ok=count["ok"], invalid=count["invalid"],
                         needs_clarification=count["needs_clarification"], errors=count["error"], skipped=skipped,
                         sidecars=sidecars, questions=questions, items=final)
