import json
from typing import Any

from dataclaw_tailor.core import Anchor, Intent, Source, SourceKind, TailorContext
from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.experts.examples import example_context
from dataclaw_tailor.experts.registry import get_task

EXAMPLE_SCHEMA: dict[str, Any] = example_context("custom", "custom").intent.schema_ or {}
"""The user schema the `custom` example record is written for."""


def context(task: str, kind: str, anchors: list[dict[str, Any]], meta: dict[str, Any], text: str = "tailor this", **intent: Any) -> TailorContext:
    source = Source(path=f"/data/{kind}-sample", kind=SourceKind(kind), content_hash="0" * 64, meta=meta)
    return TailorContext(source=source, intent=Intent(text=text, **intent), anchors=[Anchor.model_validate(a) for a in anchors], task=task)


def synthesize_checked(ctx: TailorContext) -> dict[str, Any]:
    """Run the task's synthesiser and assert that the strict reader (no repairs) finds it valid and grounded."""
    task = get_task(ctx.task)
    record = task.synthesize(ctx)
    report = check_record(json.dumps(record), task.json_schema(ctx.intent.schema_), ctx.anchors, ctx.source, repair=False).report
    assert report.valid, report.errors
    return record
