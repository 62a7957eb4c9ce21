"""Check a backend's text against a task: strict parse, json-repair, deterministic fixes, schema, grounding.

The same function serves the graph's validate node, `claw validate`, the MCP `validate_record` tool,
eval metrics and GRPO rewards, so "valid" means one thing everywhere.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import jsonschema
from json_repair import repair_json

from . import fields
from .anchor import Anchor, by_id
from .grounding import Tolerance, grounding_problems
from .report import Problem, Repair, ValidationReport
from .source import Source

log = logging.getLogger(__name__)


@dataclass
class Checked:
    record: Any | None
    report: ValidationReport


def json_path(parts: Any) -> str:
    path = "$"
    for p in parts:
        path += f"[{p}]" if isinstance(p, int) else f".{p}"
    return path


def parse(text: str, report: ValidationReport) -> Any | None:
    """Strict parse first; json-repair (recorded as a repair) only when that fails."""
    try:
        value = json.loads(text)
        report.parsed = report.parsed_after_repair = True
        return value
    except (json.JSONDecodeError, TypeError) as exc:
        report.errors.append(Problem(path="$", code="parse", message=f"not strict JSON: {exc}"))
    repaired = repair_json(text or "", return_objects=True)
    if repaired in ("", None) or not isinstance(repaired, dict | list):
        return None
    report.parsed_after_repair = True
    report.errors = [e for e in report.errors if e.code != "parse"]
    report.repairs.append(Repair(path="$", action="json_repair", detail="repaired malformed JSON"))
    return repaired


class _Coercer:
    """Fix types a model commonly gets wrong ("12" for 12, 3.0 for 3) where the schema is unambiguous."""

    def __init__(self, root: dict, repairs: list[Repair]):
        self.root = root
        self.repairs = repairs

    def resolve(self, schema: dict) -> dict:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return self.root.get("$defs", {}).get(ref.split("/")[-1], {})
        typed = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
        return self.resolve(typed[0]) if len(typed) == 1 else schema

    def __call__(self, value: Any, schema: dict, path: str) -> Any:
        schema = self.resolve(schema)
        kind = schema.get("type")
        if isinstance(value, str) and kind in ("number", "integer"):
            try:
                number = float(value.strip())
            except ValueError:
                return value
            self.repairs.append(Repair(path=path, action="coerce", detail=f"string {value!r} to {kind}"))
            return int(number) if kind == "integer" and number.is_integer() else number
        if isinstance(value, float) and kind == "integer" and value.is_integer():
            self.repairs.append(Repair(path=path, action="coerce", detail=f"{value} to integer"))
            return int(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and kind == "string":
            self.repairs.append(Repair(path=path, action="coerce", detail=f"{value} to string"))
            return str(value)
        if isinstance(value, dict):
            props = schema.get("properties", {})
            return {k: self(v, props.get(k, {}), f"{path}.{k}") for k, v in value.items()}
        if isinstance(value, list) and isinstance(schema.get("items"), dict):
            return [self(v, schema["items"], f"{path}[{i}]") for i, v in enumerate(value)]
        return value


def _fix_grounding(node: Any, path: str, known: set[str], source: Source | None, repairs: list[Repair]) -> None:
    """Deterministic grounding repairs: drop unknown anchor ids, swap reversed spans, clamp to the source."""
    if isinstance(node, list):
        for i, v in enumerate(node):
            _fix_grounding(v, f"{path}[{i}]", known, source, repairs)
        return
    if not isinstance(node, dict):
        return
    ids = node.get(fields.ANCHOR_IDS)
    if isinstance(ids, list) and known:
        kept = [i for i in ids if isinstance(i, str) and i in known]
        if len(kept) != len(ids):
            repairs.append(Repair(path=f"{path}.{fields.ANCHOR_IDS}", action="drop_unknown_anchor", detail=f"dropped {[i for i in ids if i not in kept]}"))
            node[fields.ANCHOR_IDS] = kept
    duration = source.duration_s if source else None
    s, e = node.get(fields.START), node.get(fields.END)
    if isinstance(s, int | float) and isinstance(e, int | float) and s > e:
        node[fields.START], node[fields.END] = e, s
        repairs.append(Repair(path=path, action="swap", detail=f"{fields.START} > {fields.END}"))
    for key in fields.TIME_POINTS:
        t = node.get(key)
        if isinstance(t, int | float) and not isinstance(t, bool) and duration is not None and (t < 0 or t > duration):
            node[key] = round(min(max(float(t), 0.0), duration), 3)
            repairs.append(Repair(path=f"{path}.{key}", action="clamp", detail=f"{t} into [0, {duration}]"))
    for key in fields.TIME_SPANS:
        span = node.get(key)
        if isinstance(span, list) and len(span) == 2 and all(isinstance(v, int | float) for v in span):
            fixed = sorted(span)
            if duration is not None:
                fixed = [round(min(max(float(v), 0.0), duration), 3) for v in fixed]
            if fixed != span:
                node[key] = fixed
                repairs.append(Repair(path=f"{path}.{key}", action="clamp", detail=f"{span} to {fixed}"))
    for key, value in list(node.items()):
        if isinstance(value, list) and value and all(isinstance(v, dict) and isinstance(v.get(fields.START), int | float) for v in value):
            ordered = sorted(value, key=lambda v: v[fields.START])
            if ordered != value:
                node[key] = ordered
                repairs.append(Repair(path=f"{path}.{key}", action="sort", detail=f"ordered by {fields.START}"))
        _fix_grounding(node[key], f"{path}.{key}", known, source, repairs)


def schema_problems(record: Any, schema: dict) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema)
    return [
        Problem(path=json_path(err.absolute_path), code="schema", message=err.message)
        for err in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path).__repr__())
    ]


def check_record(
    text: str | Any,
    schema: dict,
    anchors: list[Anchor],
    source: Source | None,
    *,
    repair: bool = True,
    tolerance: Tolerance = Tolerance(),
) -> Checked:
    """Validate raw backend text (or an already-parsed object) and apply deterministic repairs.

    With `repair=False` nothing is changed and the report says exactly what a strict reader sees.
    """
    report = ValidationReport()
    if isinstance(text, str):
        record = parse(text, report) if repair else _strict(text, report)
    else:
        record = text
        report.parsed = report.parsed_after_repair = True
    if record is None:
        return Checked(None, report)
    if repair:
        record = _Coercer(schema, report.repairs)(record, schema, "$")
        _fix_grounding(record, "$", set(by_id(anchors)), source, report.repairs)
    schema_errors = schema_problems(record, schema)
    report.schema_valid = not schema_errors
    ground_errors = grounding_problems(record, anchors, source, tolerance)
    report.grounded = not ground_errors
    report.errors.extend(schema_errors + ground_errors)
    if report.repairs or report.errors:
        log.debug("checked record: %d repairs (%s), %d schema and %d grounding problems", len(report.repairs),
                  ", ".join(sorted({r.action for r in report.repairs})) or "none", len(schema_errors), len(ground_errors))
    return Checked(record, report)


def _strict(text: str, report: ValidationReport) -> Any | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        report.errors.append(Problem(path="$", code="parse", message=f"not strict JSON: {exc}"))
        return None
    report.parsed = report.parsed_after_repair = True
    return value
