"""Run (or resume) one tailoring thread and read its outcome as an `Envelope`.

Threads are checkpointed in SQLite under one folder, so a thread interrupted for clarification can
be answered from another process (a later CLI call, or the MCP server after a restart).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END
from langgraph.types import Command, StateUpdate

from ..core import (
    Anchor,
    DataClawError,
    Envelope,
    Intent,
    OutputError,
    Provenance,
    Source,
    ValidationReport,
    anchors_digest,
)
from ..experts.registry import get_task
from ..model.base import Backend
from ..tools.files import write_failed
from ..tools.robot.episode import split_episode
from .build import build_graph
from .clarify import resolve_answers
from .state import Services, TailorInput, TailorOutput

log = logging.getLogger(__name__)


@asynccontextmanager
async def checkpointer(folder: Path) -> AsyncIterator[AsyncSqliteSaver]:
    """One SQLite connection per run; WAL, a busy timeout and a retried setup let concurrent runs share the file.

    A full disk, a read-only folder or a corrupt file is one OutputError naming the database, not an
    SQLite traceback; the thread's earlier checkpoints stay as they were (SQLite rolls back).
    """
    db = folder / "threads.sqlite"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failed(folder, exc) from None
    try:
        async with aiosqlite.connect(db, timeout=30) as conn:
            saver = AsyncSqliteSaver(conn)
            await _setup(saver)
            yield saver
    except sqlite3.Error as exc:
        raise OutputError(db, f"thread checkpoint store failed ({exc})") from None


async def _setup(saver: AsyncSqliteSaver, attempts: int = 40) -> None:
    """Create the tables and switch the file to WAL, retrying while another run holds the lock.

    SQLite answers the WAL switch and the first table creation with "database is locked" at once,
    without waiting out the busy timeout, when several runs open a fresh file together.
    """
    for attempt in range(attempts):
        try:
            await saver.setup()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))


@dataclass(frozen=True)
class Run:
    """Where one invocation left a thread: its output, and the questions it waits on (if any)."""

    thread_id: str
    output: TailorOutput
    questions: list[dict[str, Any]]

    @property
    def routed(self) -> bool:
        """The run got past routing (a plan-only run that needs no clarification ends there)."""
        return "task" in self.output

    def envelope(self, backend: Backend) -> Envelope:
        out = self.output
        if self.questions:
            return Envelope(status="needs_clarification", thread_id=self.thread_id, questions=self.questions,
                            domain=out.get("domain"), task=out.get("task"))
        anchors = [Anchor.model_validate(a) for a in out.get("anchors", [])]
        source = Source.model_validate(out["source"])
        report = ValidationReport.model_validate(out.get("report", {}))
        provenance = Provenance(
            source_path=source.path, source_hash=source.content_hash, source_kind=source.kind.value,
            domain=out["domain"], task=out["task"], schema_version=get_task(out["task"]).version,
            backend=backend.name, model_id=backend.model_id, anchors_digest=anchors_digest(anchors),
            timings_s=out.get("timings", {}),
        )
        return Envelope(
            status=out["status"], record=out.get("record"), source=source, intent=Intent.model_validate(out["intent"]),
            task=out["task"], domain=out["domain"], anchors=anchors, validation=report.outcome(),
            thread_id=self.thread_id, questions=out.get("questions", []), provenance=provenance,
        )


class Threads:
    """The tailoring graph over threads checkpointed in `folder/threads.sqlite`."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._graph = build_graph()

    async def start(
        self, services: Services, source: str | Path, intent: Intent, thread_id: str, *, roots: Sequence[Path] | None = None,
    ) -> Run:
        """Run a new thread; an id that names an existing thread is refused (it would overwrite its state).

        `roots`, when given, are the folders the caller was confined to; the thread keeps them for `resume`.
        """
        start: TailorInput = {"source_path": str(source), "intent": intent.model_dump(mode="json", by_alias=True)}
        if roots is not None:
            start["roots"] = [str(r) for r in roots]
        async with checkpointer(self.folder) as saver:
            if (await self._graph.compile(checkpointer=saver).aget_state(_config(thread_id))).values:
                raise DataClawError(f"thread {thread_id} already exists; leave `thread_id` out to start a new thread, or answer its questions to resume it")
        return await self._invoke(services, thread_id, start)

    async def resume(
        self, services: Services, thread_id: str, answers: dict[str, str] | list[str] | str, *, roots: Sequence[Path] | None = None,
    ) -> Run:
        """Continue a thread paused at its questions; answers are checked against them first.

        The thread's source must still lie inside the roots it was started under and, when given, inside
        `roots` (the caller's now): a thread started elsewhere, or a symlink changed since, is refused
        without saying where the source is.
        """
        async with checkpointer(self.folder) as saver:
            snapshot = await self._graph.compile(checkpointer=saver).aget_state(_config(thread_id))
        pending = _pending(snapshot)
        if not pending:
            raise DataClawError(f"thread {thread_id}: no clarification is pending (unknown or finished thread)")
        confined = [snapshot.values.get("roots"), None if roots is None else [str(r) for r in roots]]
        if not all(_inside(snapshot.values["source_path"], dirs) for dirs in confined if dirs is not None):
            raise DataClawError(f"thread {thread_id}: its source is outside the allowed roots, so it cannot be resumed here")
        resolve_answers(pending, answers)
        return await self._invoke(services, thread_id, Command(resume=answers))

    async def read(self, thread_id: str, *, roots: Sequence[Path] | None = None) -> dict[str, Any]:
        """A thread's saved values, refused like `resume` when its source lies outside its roots or `roots`."""
        async with checkpointer(self.folder) as saver:
            snapshot = await self._graph.compile(checkpointer=saver).aget_state(_config(thread_id))
        if not snapshot.values or "source_path" not in snapshot.values:
            raise DataClawError(f"thread {thread_id}: unknown thread")
        confined = [snapshot.values.get("roots"), None if roots is None else [str(r) for r in roots]]
        if not all(_inside(snapshot.values["source_path"], dirs) for dirs in confined if dirs is not None):
            raise DataClawError(f"thread {thread_id}: its source is outside the allowed roots, so it cannot be resumed here")
        return dict(snapshot.values)

    async def write(self, thread_id: str, values: dict[str, Any], *, as_node: str) -> None:
        """Save `values` into a thread as if node `as_node` had produced them, and leave it finished.

        What a writer outside the graph adds to a thread (its anchors, as `extract`; a record, as `tailor`).
        No node runs: the node's successors are cleared, so the thread waits for nothing.
        """
        async with checkpointer(self.folder) as saver:
            graph = self._graph.compile(checkpointer=saver)
            await graph.abulk_update_state(_config(thread_id), [[StateUpdate(values, as_node)], [StateUpdate(None, END)]])

    async def _invoke(self, services: Services, thread_id: str, payload: TailorInput | Command) -> Run:
        async with checkpointer(self.folder) as saver:
            graph = self._graph.compile(checkpointer=saver)
            out = await graph.ainvoke(payload, _config(thread_id), context=services)
        interrupts = out.pop("__interrupt__", None)
        questions = list(interrupts[0].value["questions"]) if interrupts else []
        return Run(thread_id=thread_id, output=out, questions=questions)


def _inside(source: str, dirs: Sequence[str]) -> bool:
    """Whether the real location of `source` (a `#episode=N` selector aside) lies in the real location of one of `dirs`."""
    real = Path(split_episode(source)[0]).resolve()
    return any(real.is_relative_to(Path(d).resolve()) for d in dirs)


def _config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def _pending(snapshot: Any) -> list[dict[str, Any]]:
    for task in snapshot.tasks:
        for intr in task.interrupts:
            return list(intr.value.get("questions", []))
    return []
