"""The public entry point: run (or resume) one tailoring thread and summarise its outcome.

Threads are checkpointed in SQLite under `state_dir`, so a thread interrupted for clarification can
be answered from another process (a later CLI call, or the MCP server after a restart).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import aiosqlite
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command
from pydantic import BaseModel, Field

from ..core import DataClawError, Intent, OutputError, Provenance, anchors_digest
from ..core.anchor import Anchor
from ..experts.registry import get_task
from ..model.base import Backend, create_backend
from ..tools.files import append_line, recover_jsonl, write_atomic, write_failed
from .build import build_graph
from .clarify import resolve_answers
from .state import Services

Status = Literal["ok", "needs_clarification", "invalid"]


class TailorResult(BaseModel):
    """The envelope `claw tailor --json` prints and the MCP `tailor` tool returns."""

    status: Status = Field(description="ok: valid record; needs_clarification: answer `questions`; invalid: see validation.")
    record: Any = Field(default=None, description="The tailored JSON record (also present when invalid, for inspection).")
    task: str | None = Field(default=None, description="Task the record conforms to, e.g. 'gui.trajectory'.")
    domain: str | None = None
    anchors: list[dict[str, Any]] = Field(default_factory=list, description="Factual anchors {id, kind, t, p, c}.")
    source: dict[str, Any] | None = Field(default=None, description="The detected source: path, kind, content_hash, meta.")
    intent: dict[str, Any] | None = Field(default=None, description="The intent as resolved (clarification answers included).")
    validation: dict[str, Any] = Field(default_factory=dict, description="{valid, errors[{path,code,message}], repairs[...]}.")
    thread_id: str = Field(description="Resume this thread with answers when status is needs_clarification.")
    questions: list[dict[str, Any]] = Field(default_factory=list, description="[{id, text, options[{value, label}]}].")
    provenance: Provenance | None = None

    def write(self, out: str | Path) -> None:
        """`.jsonl` appends one line (what `claw export` reads); any other name gets the envelope, atomically."""
        out = Path(out)
        if out.suffix == ".jsonl":
            recover_jsonl(out)  # a line an earlier run left torn would break this one's
            append_line(out, self.model_dump_json())
            return
        write_atomic(out, json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2))


def default_state_dir() -> Path:
    base = os.environ.get("DATACLAW_STATE_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME", os.path.expanduser("~/.local/state")), "dataclaw-tailor"
    )
    return Path(base)


@asynccontextmanager
async def checkpointer(state_dir: str | Path | None) -> AsyncIterator[AsyncSqliteSaver]:
    """One SQLite connection per run; WAL, a busy timeout and a retried setup let concurrent runs share the file.

    A full disk, a read-only folder or a corrupt file is one OutputError naming the database, not an
    SQLite traceback; the thread's earlier checkpoints stay as they were (SQLite rolls back).
    """
    folder = Path(state_dir) if state_dir else default_state_dir()
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


async def atailor(
    source: str | Path | None,
    intent: Intent | str | None,
    *,
    backend: str | Backend = "rules",
    backend_options: dict[str, Any] | None = None,
    thread_id: str | None = None,
    answers: dict[str, str] | list[str] | str | None = None,
    state_dir: str | Path | None = None,
    max_repairs: int = 2,
    cache_dir: str | None = None,
) -> TailorResult:
    """Tailor `source` for `intent`, or resume `thread_id` with `answers` to its questions."""
    engine = create_backend(backend, **(backend_options or {})) if isinstance(backend, str) else backend
    services = Services(backend=engine, max_repairs=max_repairs, cache_dir=cache_dir)
    async with checkpointer(state_dir) as saver:
        graph = build_graph().compile(checkpointer=saver)
        if thread_id and answers is not None:
            config = {"configurable": {"thread_id": thread_id}}
            snapshot = await graph.aget_state(config)
            pending = _pending_questions(snapshot)
            if not pending:
                raise DataClawError(f"thread {thread_id}: no clarification is pending (unknown or finished thread)")
            resolve_answers(pending, answers)
            out = await graph.ainvoke(Command(resume=answers), config, context=services)
        else:
            if source is None or intent is None:
                raise DataClawError("a source and an intent are needed to start a thread")
            thread_id = thread_id or uuid.uuid4().hex[:12]
            config = {"configurable": {"thread_id": thread_id}}
            start = {"source_path": str(source), "intent": _intent(intent).model_dump(mode="json", by_alias=True)}
            out = await graph.ainvoke(start, config, context=services)
    return _result(out, thread_id, engine)


def tailor(source: str | Path | None, intent: Intent | str | None, **kwargs: Any) -> TailorResult:
    """Synchronous `atailor` for scripts and the CLI."""
    return asyncio.run(atailor(source, intent, **kwargs))


def _intent(intent: Intent | str) -> Intent:
    return Intent(text=intent) if isinstance(intent, str) else intent


def _pending_questions(snapshot: Any) -> list[dict[str, Any]]:
    for task in snapshot.tasks:
        for intr in task.interrupts:
            return list(intr.value.get("questions", []))
    return []


def _result(out: dict[str, Any], thread_id: str, engine: Backend) -> TailorResult:
    interrupts = out.get("__interrupt__")
    anchors = [Anchor.model_validate(a) for a in out.get("anchors", [])]
    if interrupts:
        return TailorResult(
            status="needs_clarification",
            thread_id=thread_id,
            questions=interrupts[0].value["questions"],
            domain=out.get("domain"),
            task=out.get("task"),
        )
    report = out.get("report", {})
    source = out["source"]
    spec = get_task(out["task"])
    provenance = Provenance(
        source_path=source["path"],
        source_hash=source["content_hash"],
        source_kind=source["kind"],
        domain=out["domain"],
        task=out["task"],
        schema_version=spec.version,
        backend=engine.name,
        model_id=engine.model_id,
        anchors_digest=anchors_digest(anchors),
        timings_s=out.get("timings", {}),
    )
    return TailorResult(
        status=out["status"],
        record=out.get("record"),
        source=source,
        intent=out.get("intent"),
        task=out["task"],
        domain=out["domain"],
        anchors=[a.compact() for a in anchors],
        validation={"valid": report.get("valid", False), "errors": report.get("errors", []), "repairs": report.get("repairs", [])},
        thread_id=thread_id,
        questions=out.get("questions", []),
        provenance=provenance,
    )
