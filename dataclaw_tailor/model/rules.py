"""The deterministic `rules` backend: the task's synthesiser turns anchors straight into a record.

It needs no model, so it is the embedded default on a fresh machine and the "heuristic rules"
baseline in evals. It reads the structured `request.context` and the task's `request.synthesize`,
both handed down by the caller, never a prose prompt (so the graph builds none for it).
"""

from __future__ import annotations

import json
from typing import Any

from ..core import BackendError, GenerationRequest


class RulesBackend:
    """Deterministic rules: each task's synthesiser turns the anchors into a record (no model)."""

    name = "rules"
    model_id = "rules-v1"
    reads_prompt = False

    def __init__(self, **options: Any):
        if options:
            raise BackendError(f"the rules backend takes no options, got {', '.join(sorted(options))}")

    async def generate(self, request: GenerationRequest) -> str:
        if request.context is None or request.synthesize is None:
            raise BackendError(
                "the rules backend needs request.context (source, intent, anchors) and request.synthesize "
                "(the task's synthesiser); it does not read prompts"
            )
        return json.dumps(request.synthesize(request.context), ensure_ascii=False)
