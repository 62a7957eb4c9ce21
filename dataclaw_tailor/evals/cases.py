"""Benchmark cases: one JSONL line per (source, intent, reference) and where its source lives.

A case's `source` is a path with an optional prefix so benchmark files stay portable:
`devset:gui/screenagent-task101` (the real third-party samples in `shared/devset`, found through
`DATACLAW_DEVSET` or a `shared/devset` folder beside an ancestor of the benchmark file or the working
directory), `examples:video/three_shots.mp4` (the project's own examples), or a plain path relative
to the benchmark file. A `#episode=N` suffix selects one episode of a multi-episode robot dataset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..core import InputError
from ..core.errors import first_problem
from ..tools.files import iter_jsonl

DEVSET_ENV = "DATACLAW_DEVSET"


class BenchCase(BaseModel):
    """One evaluation case."""

    id: str = Field(description="Unique case id.")
    domain: str = Field(description="Expert domain the case belongs to (the table's rows).")
    task: str = Field(description="Task the reference conforms to, e.g. 'gui.trajectory'.")
    source: str = Field(description="'devset:<rel>', 'examples:<rel>' or a path relative to the benchmark file.")
    intent: str = Field(description="The user's words, as they would type them.")
    fuzzy: bool = Field(default=False, description="The intent does not name a target; the system should ask.")
    answers: dict[str, str] = Field(default_factory=dict, description="Clarification answers by question id, used when the system asks.")
    reference: dict[str, Any] = Field(description="The reference record, valid for `task`.")
    notes: str = Field(default="", description="How the reference was built.")


def load_cases(path: str | Path) -> list[BenchCase]:
    """Read a benchmark JSONL; a bad line is an InputError naming the file and line."""
    bench = Path(path)
    cases: list[BenchCase] = []
    seen: set[str] = set()
    for n, value in iter_jsonl(bench, "benchmark"):
        try:
            case = BenchCase.model_validate(value)
        except ValidationError as exc:
            raise InputError(bench, f"line {n}: {first_problem(exc)}") from None
        if case.id in seen:
            raise InputError(bench, f"line {n}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise InputError(bench, "no cases")
    return cases


def _ancestors(path: Path) -> list[Path]:
    path = path.resolve()
    return [path, *path.parents]


def find_devset(near: Path) -> Path | None:
    """The devset folder: $DATACLAW_DEVSET, else `shared/devset` under an ancestor of `near` or the cwd."""
    env = os.environ.get(DEVSET_ENV)
    if env:
        return Path(env) if Path(env).is_dir() else None
    for base in _ancestors(near) + _ancestors(Path.cwd()):
        candidate = base / "shared" / "devset"
        if candidate.is_dir():
            return candidate
    return None


def examples_dir() -> Path:
    """The project's `examples/` folder (beside the package in a source checkout)."""
    import dataclaw_tailor

    return Path(dataclaw_tailor.__file__).resolve().parents[1] / "examples"


def resolve_source(case: BenchCase, bench_file: Path) -> str:
    """The path a case's `source` names (keeping a `#episode=N` selector); InputError naming the benchmark when it does not exist."""
    location, hash_, selector = case.source.partition("#")
    prefix, sep, rest = location.partition(":")
    if sep and prefix == "devset":
        devset = find_devset(bench_file.parent)
        if devset is None:
            where = os.environ.get(DEVSET_ENV) or "a shared/devset folder beside the project"
            raise InputError(bench_file, f"case {case.id}: the real devset is not present (looked for {where}); set {DEVSET_ENV} to its folder")
        path = devset / rest
    elif sep and prefix == "examples":
        path = examples_dir() / rest
    else:
        path = bench_file.parent / location
    if not path.exists():
        raise InputError(bench_file, f"case {case.id}: source {path} does not exist")
    return f"{path}{hash_}{selector}"
