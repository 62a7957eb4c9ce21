"""GRPO rewards as plain TRL reward functions: R = l1*R_format + l2*R_anchor + l3*R_eff (paper, section 4).

Each function has TRL's signature `f(completions, **columns) -> list[float]`: TRL passes every dataset
column (one value per completion) as a keyword argument, so the row's task schema, anchors and source
facts travel as the JSON-string columns `schema`, `anchors` and `source` written by
`dataclaw_tailor.training.triplets`. The checks themselves are not re-implemented here: format is
`core.validate.check_record(..., repair=False)` and anchor agreement is `core.grounding`, the same code
that validates records in the graph and scores them in evals, so "valid" and "grounded" mean one thing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..core import Anchor, Source, SourceKind
from ..core.grounding import grounding_claims
from ..core.validate import check_record


def completion_text(completion: Any) -> str:
    """The generated text of one completion: TRL gives a string, or a list of chat messages for chat data."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        return "".join(m.get("content") or "" for m in completion if isinstance(m, dict) and m.get("role") == "assistant")
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    return str(completion)


@lru_cache(maxsize=256)
def _schema(text: str) -> dict:
    return json.loads(text)


@lru_cache(maxsize=256)
def _anchors(text: str) -> tuple[Anchor, ...]:
    return tuple(Anchor.model_validate(a) for a in json.loads(text))


@lru_cache(maxsize=256)
def _source(text: str) -> Source:
    data = json.loads(text)
    data.setdefault("path", "")
    data.setdefault("kind", SourceKind.video)
    data.setdefault("content_hash", "")
    return Source.model_validate(data)


def _column(kwargs: dict[str, Any], name: str, n: int) -> list[Any]:
    values = kwargs.get(name)
    if values is None:
        raise ValueError(f"reward needs the dataset column {name!r} (rows made by dataclaw_tailor.training.triplets carry it)")
    return list(values) if len(values) == n else [values[0]] * n


def format_reward(completions: Sequence[Any], schema: Sequence[str] | None = None, **kwargs: Any) -> list[float]:
    """Schema compliance of the raw text, read strictly (no repair): 1 valid, 0 unparseable, partial in between.

    A completion that parses but breaks the schema earns `0.25 + 0.5 / (1 + n_errors)`, so fewer schema
    errors still score higher and GRPO has a gradient before the first fully valid sample.

    >>> s = json.dumps({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]})
    >>> format_reward(['{"a": 1}', '{"a": "x"}', 'a: 1'], schema=[s, s, s])
    [1.0, 0.5, 0.0]
    """
    schemas = _column({"schema": schema}, "schema", len(completions))
    scores = []
    for completion, schema_text in zip(completions, schemas):
        checked = check_record(completion_text(completion), _schema(schema_text), [], None, repair=False)
        if checked.record is None:
            scores.append(0.0)
            continue
        n_errors = sum(1 for e in checked.report.errors if e.code == "schema")
        scores.append(1.0 if n_errors == 0 else 0.25 + 0.5 / (1 + n_errors))
    return scores


def anchor_reward(
    completions: Sequence[Any], anchors: Sequence[str] | None = None, source: Sequence[str] | None = None, **kwargs: Any
) -> list[float]:
    """Agreement with the extracted anchors: the fraction of the record's grounding claims that hold.

    Claims are those of `core.grounding` (cited anchor ids exist, times inside the source and near the
    cited anchors, points on screen and near the cited event). Unparseable text, and a record that
    claims nothing checkable, earn 0: no evidence cited is no grounding.

    >>> a = json.dumps([{"id": "shot:0", "kind": "shot", "t": [0.0, 4.0]}])
    >>> src = json.dumps({"meta": {"duration_s": 10.0}})
    >>> good = '{"events": [{"start_s": 0.5, "end_s": 3.5, "anchor_ids": ["shot:0"]}]}'
    >>> bad = '{"events": [{"start_s": 12.0, "end_s": 30.0, "anchor_ids": ["shot:7"]}]}'  # only start <= end holds
    >>> anchor_reward([good, bad, "{}"], anchors=[a] * 3, source=[src] * 3)
    [1.0, 0.25, 0.0]
    """
    n = len(completions)
    anchor_col = _column({"anchors": anchors}, "anchors", n)
    source_col = _column({"source": source}, "source", n)
    scores = []
    for completion, anchors_text, source_text in zip(completions, anchor_col, source_col):
        try:
            record = json.loads(completion_text(completion))
        except json.JSONDecodeError:
            scores.append(0.0)
            continue
        claims = grounding_claims(record, list(_anchors(anchors_text)), _source(source_text))
        scores.append(sum(c.ok for c in claims) / len(claims) if claims else 0.0)
    return scores


@dataclass(frozen=True)
class LengthBudget:
    """How long an answer may be before it costs reward, relative to the reference record's length."""

    slack: float = 0.25
    """Fraction above the reference length that is still free."""
    falloff: float = 1.0
    """Further fraction over which the reward falls linearly from 1 to 0."""
    default_chars: int = 2000
    """Reference length when a row has no reference record."""


def efficiency_reward(
    completions: Sequence[Any], record: Sequence[str] | None = None, budget: LengthBudget = LengthBudget(), **kwargs: Any
) -> list[float]:
    """Length penalty: 1 up to (1 + slack) x the reference record's length, then linearly down to 0.

    Padding, repeated items and chatter around the JSON all cost reward; a shorter answer is never
    penalised here (the format and anchor rewards already punish a missing field or claim).

    >>> ref = json.dumps({"a": 1})
    >>> efficiency_reward(['{"a": 1}', '{"a": 1}' + " " * 8, '{"a": 1}' + " " * 30], record=[ref] * 3)
    [1.0, 0.25, 0.0]
    """
    refs = list(record) if record is not None and len(record) == len(completions) else [None] * len(completions)
    scores = []
    for completion, ref in zip(completions, refs):
        reference = len(ref) if ref else budget.default_chars
        ratio = len(completion_text(completion)) / max(reference, 1)
        over = ratio - (1.0 + budget.slack)
        scores.append(1.0 if over <= 0 else max(0.0, round(1.0 - over / budget.falloff, 6)))
    return scores


@dataclass(frozen=True)
class RewardWeights:
    """The paper's l1, l2, l3."""

    format: float = 1.0
    anchor: float = 1.0
    efficiency: float = 0.2

    def as_list(self) -> list[float]:
        return [self.format, self.anchor, self.efficiency]


REWARD_FUNCS = (format_reward, anchor_reward, efficiency_reward)
"""In the order of `RewardWeights.as_list()`: pass both to TRL (`reward_funcs`, `GRPOConfig.reward_weights`)
so it logs each reward separately and sums them with the weights."""


def combined_reward(completions: Sequence[Any], weights: RewardWeights = RewardWeights(), **columns: Any) -> list[float]:
    """R = l1*R_format + l2*R_anchor + l3*R_eff for scoring outside TRL (before/after tables, evals).

    >>> s = json.dumps({"type": "object"})
    >>> a = json.dumps([{"id": "shot:0", "kind": "shot", "t": [0.0, 4.0]}])
    >>> src = json.dumps({"meta": {"duration_s": 10.0}})
    >>> text = '{"start_s": 1.0, "end_s": 2.0, "anchor_ids": ["shot:0"]}'
    >>> combined_reward([text], schema=[s], anchors=[a], source=[src], record=[text])
    [2.2]
    """
    parts = [f(completions, **columns) for f in REWARD_FUNCS]
    return [round(sum(w * p for w, p in zip(weights.as_list(), row)), 6) for row in zip(*parts)]
