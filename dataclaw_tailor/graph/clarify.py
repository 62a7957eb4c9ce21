"""Concrete clarification questions for a fuzzy intent, and the reading of answers to them.

A question always offers options the user can pick by value, by label or by number, so a CLI
prompt, an MCP elicitation form and a later `--answer` all resolve the same way.
"""

from __future__ import annotations

from typing import Any

from ..core import UnknownTask
from ..experts.registry import get_task


def task_question(candidates: list[dict[str, Any]], source_kind: str) -> dict[str, Any]:
    options = []
    for cand in candidates:
        spec = get_task(cand["task"])
        options.append({"value": spec.name, "label": f"{spec.name}: {spec.description}"})
    return {
        "id": "task",
        "text": f"What training data should this {source_kind.replace('_', ' ')} become?",
        "options": options,
    }


def resolve_answers(questions: list[dict[str, Any]], raw: dict[str, str] | list[str] | str | None) -> dict[str, str]:
    """Map raw answers onto question ids and option values.

    `raw` may be a dict by question id, a list in question order ("id=value" items are taken by id),
    or one string for the first question. Each answer may be an option value, its label, or its
    1-based number.
    """
    if raw is None:
        return {}
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, list):
        by_id: dict[str, str] = {}
        pending = [q["id"] for q in questions]
        for item in raw:
            key, sep, value = item.partition("=")
            if sep and key.strip() in pending:
                by_id[key.strip()] = value.strip()
                pending.remove(key.strip())
            elif pending:
                by_id[pending.pop(0)] = item.strip()
        raw = by_id
    answers = {}
    for q in questions:
        if q["id"] in raw:
            answers[q["id"]] = _match_option(q, str(raw[q["id"]]))
    return answers


def _match_option(question: dict[str, Any], answer: str) -> str:
    options = question.get("options") or []
    if not options:
        return answer
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1]["value"]
    lowered = answer.strip().lower()
    for opt in options:
        if lowered in (opt["value"].lower(), opt["label"].lower()):
            return opt["value"]
    values = ", ".join(o["value"] for o in options)
    raise UnknownTask(f"answer {answer!r} to question {question['id']!r} is not one of: {values}")
