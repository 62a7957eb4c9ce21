"""A named output schema inside a domain, and the inputs a synthesiser sees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class TaskSpec:
    """One output schema (`gui.trajectory`, ...).

    `model` is the pydantic class the JSON Schema is generated from (None for `custom`, whose schema
    comes from the user). `synthesize` is the deterministic rules synthesiser for this task.
    `source_kinds` are the stream kinds the task makes sense for.
    """

    name: str
    domain: str
    version: str
    description: str
    model: type[BaseModel] | None
    prompt: str
    example: dict[str, Any]
    synthesize: Synthesizer
    source_kinds: frozenset[SourceKind] = field(default_factory=frozenset)
    extractors: tuple[str, ...] = ()

    def json_schema(self, custom: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.model is None:
            if custom is None:
                raise InputError("schema", f"task {self.name} takes your own JSON Schema; none was given")
            return custom
        schema = self.model.model_json_schema()
        schema.setdefault("title", self.name)
        schema["$comment"] = f"{self.name} v{self.version}"
        return schema
