"""The deterministic `rules` backend: each task's synthesiser turns anchors straight into a record.

It needs no model, so it is the embedded default on a fresh machine and the "heuristic rules"
baseline in evals. It reads the structured `request.context`, not the prose prompt.
"""

from __future__ import annotations

import json
from typing import Any

from ..core import BackendError, GenerationRequest
from ..experts.registry import get_task


class RulesBackend:
    """Deterministic rules: each task's synthesiser turns the anchors into a record (no model)."""

    name = "rules"
    model_id = "rules-v1"

    def __init__(self, **options: Any):
        if options:
            raise BackendError(f"the rules backend takes no options, got {', '.join(sorted(options))}")

    async def generate(self, request: GenerationRequest) -> str:
        if request.context is None:
            raise BackendError("the rules backend needs request.context (source, intent, anchors); it does not read prompts")
        record = get_task(request.task).synthesize(request.context)
        return json.dumps(record, ensure_ascii=False)
