"""Builds the chat request a backend sees: intent, task, schema, anchors with ids, one example."""

from __future__ import annotations

import json
from typing import Any

from ..core import GenerationRequest, Message, TailorContext, TaskSpec


def build_request(ctx: TailorContext, spec: TaskSpec, schema: dict[str, Any]) -> GenerationRequest:
    anchors = "\n".join(json.dumps(a.compact(), ensure_ascii=False, default=str) for a in ctx.anchors)
    user = (
        f"Intent: {ctx.intent.text}\n"
        f"Task: {spec.name} — {spec.description}\n{spec.prompt}\n\n"
        f"Source: {ctx.source.kind} {json.dumps(ctx.source.meta, default=str)}\n"
        f"Anchors (cite their ids in anchor_ids):\n{anchors}\n\n"
        f"JSON Schema:\n{json.dumps(schema, ensure_ascii=False)}\n\n"
        f"Example record:\n{json.dumps(spec.example, ensure_ascii=False)}\n\n"
        "Answer with one JSON object only."
    )
    system = "You tailor raw multimodal data into schema-valid JSON training records grounded in the given anchors."
    return GenerationRequest(
        messages=[Message.text("system", system), Message.text("user", user)],
        json_schema=schema,
        task=spec.name,
        context=ctx,
    )
