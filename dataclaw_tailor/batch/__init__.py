"""Corpus runs: many sources, one intent, resumable and idempotent."""

from .corpus import CorpusSummary, ItemOutcome, discover, run_corpus

__all__ = ["CorpusSummary", "ItemOutcome", "discover", "run_corpus"]
