"""Hand-written example records, one JSON file per domain, each with the source and anchors it cites.

The records show a model what a good answer looks like (few-shot prompts, MCP resources); the
anchors beside them let anyone re-check that the examples themselves validate and are grounded.
A task's declaration points here with `examples=examples_of("<domain>")`; files are read on first use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ...core import Anchor, DataClawError, Intent, Source, TailorContext
from ...core.task import ExampleSource


class MissingExample(DataClawError, LookupError):
    """A task whose domain file under `experts/examples/` holds no example record for it."""


@cache
def _load(domain: str) -> dict[str, Any]:
    try:
        text = resources.files(__name__).joinpath(f"{domain}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingExample(f"no example file experts/examples/{domain}.json") from None
    return json.loads(text)


def example_record(domain: str, task: str) -> dict[str, Any]:
    """A fresh copy of the example record of `task` (callers may mutate it)."""
    records = _load(domain).get("records", {})
    if task not in records:
        raise MissingExample(f"task {task} has no example record in experts/examples/{domain}.json")
    return json.loads(json.dumps(records[task]))


def examples_of(domain: str) -> ExampleSource:
    """The `examples` of a task declared in `domain`: its records, read from `<domain>.json` on first use."""

    def record(task: str) -> dict[str, Any]:
        return example_record(domain, task)

    return record


def example_context(domain: str, task: str) -> TailorContext:
    """The source, intent and anchors an example record is grounded in.

    A domain file holds one shared `source`/`anchors`/`intent`; `contexts[task]` overrides them for a
    task that reads another kind of source (the aigc editing pairs, for instance).
    """
    data = _load(domain)
    data = {**data, **data.get("contexts", {}).get(task, {})}
    anchors = [Anchor.model_validate(a) for a in data["anchors"]]
    intent = Intent.model_validate(data.get("intents", {}).get(task, {"text": data["intent"]}))
    return TailorContext(source=Source.model_validate(data["source"]), intent=intent, anchors=anchors, task=task)
