"""Corpus runs: many sources, one intent, resumable and idempotent; a local engine and a Ray engine share `work`."""

from .corpus import run_corpus
from .work import CorpusSummary, ItemOutcome, WorkSpec, by_kind, discover

__all__ = ["CorpusSummary", "ItemOutcome", "WorkSpec", "by_kind", "discover", "run_corpus"]
