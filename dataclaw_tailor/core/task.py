"""A named output schema inside a domain, and the inputs a synthesiser sees."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from .anchor import Anchor
from .errors import InputError
from .intent import Intent
from .source import Source, SourceKind


@dataclass(frozen=True)
class TailorContext:
    """Everything a synthesiser or prompt builder may ground a record in."""

    source: Source
    intent: Intent
    anchors: list[Anchor]
    task: str


Synthesizer = Callable[[TailorContext], dict[str, Any]]
ExampleSource = Callable[[str], dict[str, Any]]
"""Task name -> a fresh copy of its hand-written example record (raises LookupError when it has none)."""


class ExportUnit(StrEnum):
    """How `claw export` unrolls one of a task's records into supervised samples."""

    record = "record"
    """One sample whose answer is the whole record."""
    step = "step"
    """One next-action sample per item of `steps` (a GUI trajectory)."""
    pair = "pair"
    """One sample per item of `pairs` (grounding: instruction -> point)."""
    question = "question"
    """One sample per item of `qa` (question -> answer), the whole record when it has no `qa` list."""


@dataclass(frozen=True)
class TaskSpec:
    """One output schema (`gui.trajectory`, ...), declared in its domain's module with all a task needs.

    `model` is the pydantic class the JSON Schema is generated from (None for `custom`, whose schema
    comes from the user). `synthesize` is the deterministic rules synthesiser for this task.
    `source_kinds` are the stream kinds the task makes sense for; `extractors` the anchor kinds it reads.
    `examples` yields its example record, read on first use (so a missing one fails the test that walks
    every task instead of every command at import). `keywords` are routing phrases that point at this
    task inside its domain. `rank[kind]` says how commonly a source kind is tailored into this task:
    among the tasks for a kind, the lowest rank is what a fuzzy intent defaults to, and ranks order the
    alternatives offered (built-ins use steps of 10, leaving room between). `export_unit` is how
    `claw export` unrolls a record into samples.
    """

    name: str
    domain: str
    version: str
    description: str
    model: type[BaseModel] | None
    prompt: str
    synthesize: Synthesizer
    examples: ExampleSource
    source_kinds: frozenset[SourceKind] = field(default_factory=frozenset)
    extractors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    rank: Mapping[SourceKind, int] = field(default_factory=dict)
    export_unit: ExportUnit = ExportUnit.record

    @property
    def example(self) -> dict[str, Any]:
        """A fresh copy of the task's example record (callers may mutate it)."""
        return self.examples(self.name)

    def json_schema(self, custom: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.model is None:
            if custom is None:
                raise InputError("schema", f"task {self.name} takes your own JSON Schema; none was given")
            return custom
        schema = self.model.model_json_schema()
        schema.setdefault("title", self.name)
        schema["$comment"] = f"{self.name} v{self.version}"
        return schema
