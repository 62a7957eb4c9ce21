"""What a service is built from: the backend by name and options, where threads live, the graph's limits.

Plain data, so the same service can be rebuilt in another process (a worker of a distributed corpus
run) from its settings; and the one place that turns command-line backend flags into factory options.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model.options import backend_options


def default_state_dir() -> Path:
    """`$DATACLAW_STATE_DIR`, else `$XDG_STATE_HOME/dataclaw-tailor` (`~/.local/state/dataclaw-tailor`)."""
    base = os.environ.get("DATACLAW_STATE_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME", os.path.expanduser("~/.local/state")), "dataclaw-tailor"
    )
    return Path(base)


@dataclass(frozen=True)
class Settings:
    backend: str = "rules"
    backend_options: Mapping[str, Any] = field(default_factory=dict)
    state_dir: Path = field(default_factory=default_state_dir)
    cache_dir: str | None = None
    max_repairs: int = 2
    confidence_threshold: float = 0.6
    max_extractions: int | None = None
    """Anchor extractions (decoding, OCR) running at once across every call of the service; None: one per CPU."""

    @classmethod
    def from_flags(
        cls,
        backend: str = "rules",
        *,
        base_url: str | None = None,
        model: str | None = None,
        expert_models: Sequence[str] | None = None,
        extra: Mapping[str, Any] | None = None,
        state_dir: str | Path | None = None,
        **limits: Any,
    ) -> Settings:
        """Settings from `--backend/--base-url/--model/--expert-model` plus any other `key=value` options.

        A flag the backend does not take is a `BackendError`; `base_url` and `model` may also come in `extra`.
        """
        rest = dict(extra or {})
        options = backend_options(
            backend, base_url=base_url or rest.pop("base_url", None), model=model or rest.pop("model", None),
            expert_models=expert_models,
        ) | rest
        return cls(backend=backend, backend_options=options, state_dir=Path(state_dir) if state_dir else default_state_dir(), **limits)
