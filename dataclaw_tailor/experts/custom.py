"""The `custom` task: the user's own JSON Schema, still grounded in the extracted anchors.

The rules synthesiser walks the schema and fills a valid instance from anchors: arrays of objects
get one item per anchor of the best-fitting kind, strings take the anchor's content, numbers its
time, coordinates its position, `anchor_ids` its id. Field names follow the conventions of `core.fields`
(start_s/end_s, clip/span, x/y, point, bbox/region), so a user schema that uses them is checked
by the shared grounding checker like any built-in task.
"""

from __future__ import annotations

import math
from typing import Any

from ..core import Anchor, AnchorContent, ExportUnit, InputError, SourceKind, TailorContext, TaskSpec, fields
from .common import Expert, box_center, clean, duration, fmt_span, image_of, index_of, prompt, r3, sorted_by_time
from .examples import examples_of

VERSION = "1.0"

START_NAMES = (fields.START, *fields.INSTANTS, "start", "time", "timestamp")
"""Number fields filled with the anchor's start: the time conventions plus the looser names users write."""
END_NAMES = (fields.END, "end")
"""Number fields filled with the anchor's end."""
TIME_KEYS = {*START_NAMES, *END_NAMES}
BOX_NAMES = (*fields.BOXES, "box")
POSITION_KEYS = {fields.X, fields.Y, fields.POINT, *BOX_NAMES}
PATH_HINTS = ("path", "image", "frame", "screenshot", "file", "before", "after", "uri", "url")
KIND_PREFERENCE = (
    "shot", "subtitle", "phase", "gui_event", "edit_pair", "ocr", "gui_element", "gripper", "keyframe", "frame",
    "motion", "cut", "screen_change", "edit_region", "pause", "hesitation", "regrasp", "robot_task", "gui_task",
)


def _value(anchor: Anchor, name: str, default: Any = None) -> Any:
    """The anchor's content field whose JSON name is `name`: the user's schema names fields at run time."""
    return anchor.c.value(name, default) if isinstance(anchor.c, AnchorContent) else default


def _said(anchor: Anchor, name: str = "text") -> str:
    """What an anchor says, as text: a text content itself, or its content field `name`."""
    if isinstance(anchor.c, str):
        return anchor.c
    value = _value(anchor, name)
    return "" if value is None else str(value)


class _Filler:
    """Builds one instance of a JSON Schema from a context's anchors."""

    def __init__(self, root: dict[str, Any], ctx: TailorContext):
        self.root = root
        self.ctx = ctx
        self.total = duration(ctx)

    def resolve(self, schema: Any) -> dict[str, Any]:
        """The concrete schema to fill: `$ref` followed, `allOf` merged, the first non-null `anyOf`/`oneOf`
        branch or type taken (a valid instance needs only one branch)."""
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target: Any = self.root
            for part in ref.lstrip("#/").split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return self.resolve({**target, **rest})
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self.resolve(part)
                merged.setdefault("properties", {}).update(part.get("properties", {}))
                merged["required"] = list(dict.fromkeys(merged.get("required", []) + part.get("required", [])))
                merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
            return merged
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(o) for o in schema[key]]
                typed = [o for o in options if o.get("type") != "null"] or options
                rest = {k: v for k, v in schema.items() if k != key}
                return {**typed[0], **rest} if typed else rest
        kind = schema.get("type")
        if isinstance(kind, list):
            typed = [k for k in kind if k != "null"] or kind
            return {**schema, "type": typed[0]}
        return schema

    def value(self, schema: Any, name: str, anchor: Anchor | None) -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.choose(schema["enum"], anchor)
        kind = schema.get("type") or ("object" if "properties" in schema else "array" if "items" in schema else "string")
        match kind:
            case "object":
                return self.object(schema, anchor)
            case "array":
                return self.array(schema, name, anchor)
            case "number" | "integer":
                return self.number(schema, name, anchor)
            case "boolean":
                return False
            case "null":
                return None
            case _:
                return self.string(schema, name, anchor)

    def choose(self, options: list[Any], anchor: Anchor | None) -> Any:
        """The enum value named in the anchor's content or kind, else the first one."""
        if anchor is not None:
            named = " ".join(str(_value(anchor, key, "")) for key in ("state", "action", "skill"))
            said = f"{anchor.kind} {_said(anchor)} {named}".lower()
            for option in options:
                if isinstance(option, str) and option.lower() in said:
                    return option
        return options[0]

    def object(self, schema: dict[str, Any], anchor: Anchor | None) -> dict[str, Any]:
        props = schema.get("properties", {})
        return {key: self.value(sub, key, anchor) for key, sub in props.items()}

    def array(self, schema: dict[str, Any], name: str, anchor: Anchor | None) -> list[Any]:
        items = self.resolve(schema.get("items", {}))
        lo, hi = int(schema.get("minItems", 0)), schema.get("maxItems")
        geometry = self.geometry(name, anchor) if items.get("type") in ("number", "integer") else None
        if name == fields.ANCHOR_IDS:
            values: list[Any] = [anchor.id] if anchor else []
        elif geometry is not None and lo <= len(geometry) <= (hi if hi is not None else len(geometry)):
            return [self.bounded(v, items) for v in geometry]
        elif items.get("type") == "object" or "properties" in items:
            pool = [anchor] if anchor is not None else self.pool(items)
            cap = self.ctx.intent.max_items
            count = len(pool) if cap is None else min(len(pool), cap)
            values = [self.value(items, name, a) for a in pool[:count]]
        else:
            sources = [anchor] if anchor is not None else self.pool(items)
            values = [self.value(items, name, a) for a in sources[: self.ctx.intent.max_items or len(sources)]]
            if items.get("type") == "string" or "enum" in items:
                values = list(dict.fromkeys(v for v in values if v != ""))
        if hi is not None:
            values = values[: int(hi)]
        while len(values) < lo:
            values.append(self.value(items, name, anchor))
        return values

    def pool(self, items: dict[str, Any]) -> list[Anchor]:
        """Anchors to turn into array items: the preferred kind that can fill the item's times and positions."""
        props = items.get("properties", {})
        needs_time = bool(set(props) & (TIME_KEYS | set(fields.TIME_SPANS)))
        needs_place = bool(set(props) & POSITION_KEYS)
        needs_text = any(self.resolve(sub).get("type") == "string" and "enum" not in self.resolve(sub)
                         and key.lower() not in ("id", "anchor_id", "kind", "type") and not any(h in key.lower() for h in PATH_HINTS)
                         for key, sub in props.items())
        by_kind: dict[str, list[Anchor]] = {}
        for a in self.ctx.anchors:
            by_kind.setdefault(a.kind, []).append(a)
        kinds = [k for k in KIND_PREFERENCE if k in by_kind] + sorted(k for k in by_kind if k not in KIND_PREFERENCE)
        for kind in kinds:
            group = by_kind[kind]
            if needs_time and not all(a.t is not None for a in group):
                continue
            if needs_place and not all(a.p is not None and len(a.p) in (2, 4) for a in group):
                continue
            if needs_text and not all(_said(a) for a in group):
                continue
            return sorted_by_time(group) if all(a.t is not None for a in group) else sorted(group, key=index_of)
        return sorted_by_time(by_kind[kinds[0]]) if kinds else []

    def geometry(self, name: str, anchor: Anchor | None) -> list[float] | None:
        """A span, box or point read off the anchor for the conventional field names, else None."""
        if anchor is None:
            return None
        if name in fields.TIME_SPANS and anchor.t is not None:
            return [r3(anchor.start), r3(anchor.end)]
        if name in BOX_NAMES and anchor.p is not None and len(anchor.p) == 4:
            return [r3(v) for v in anchor.p]
        if name == fields.POINT and anchor.p is not None and len(anchor.p) in (2, 4):
            return [r3(v) for v in box_center(anchor.p)]
        return None

    def number(self, schema: dict[str, Any], name: str, anchor: Anchor | None) -> float | int:
        key = name.lower()
        value: float | None = None
        if anchor is not None:
            if key in START_NAMES and anchor.t is not None:
                value = anchor.start
            elif key in END_NAMES and anchor.t is not None:
                value = anchor.end
            elif key in (fields.X, fields.Y) and anchor.p is not None and len(anchor.p) in (2, 4):
                value = box_center(anchor.p)[0 if key == fields.X else 1]
            elif ("duration" in key or "length" in key) and anchor.t is not None:
                value = anchor.end - anchor.start
            elif key in ("index", "idx", "step", "order", "position"):
                value = float(index_of(anchor))
        if value is None:
            screen = self.ctx.source.screen
            if "duration" in key or "length" in key:
                value = self.total
            elif key in ("width", "height") and screen:
                value = float(screen[0] if key == "width" else screen[1])
            elif key.startswith(("count", "n_", "num")):
                value = float(len(self.ctx.anchors))
            else:
                value = 0.0
        return self.bounded(value, schema)

    def bounded(self, value: float, schema: dict[str, Any]) -> float | int:
        """`value` moved inside the schema's minimum/maximum (exclusive bounds by one unit), typed as the schema says."""
        schema = self.resolve(schema)
        integer = schema.get("type") == "integer"
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if low is not None:
            value = max(value, float(low) + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0))
        if high is not None:
            value = min(value, float(high) - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0))
        return int(math.floor(value + 0.5)) if integer else r3(value)

    def string(self, schema: dict[str, Any], name: str, anchor: Anchor | None) -> str:
        key = name.lower()
        if anchor is not None:
            if key in ("id", "anchor_id", "anchor"):
                text = anchor.id
            elif any(h in key for h in PATH_HINTS) and (_value(anchor, key) or image_of(anchor)):
                text = str(_value(anchor, key) or image_of(anchor))
            elif key in ("kind", "type", "category", "label") and not _said(anchor):
                text = anchor.kind
            else:
                text = self.describe(anchor)
        else:
            text = self.overview(key)
        lo, hi = int(schema.get("minLength", 0)), schema.get("maxLength")
        text = clean(text, int(hi) if hi else 400)
        if hi is not None:
            text = text[: int(hi)]
        return text + "." * max(0, lo - len(text))

    def describe(self, anchor: Anchor) -> str:
        said = _said(anchor) or _said(anchor, "instruction") or _said(anchor, "task") or _said(anchor, "skill") or _said(anchor, "state")
        if said:
            return said
        when = f" ({fmt_span(anchor.start, anchor.end)})" if anchor.t is not None else ""
        return f"{anchor.kind.replace('_', ' ')} {index_of(anchor) + 1}{when}"

    def overview(self, key: str) -> str:
        tasks = [a for a in self.ctx.anchors if a.kind in ("robot_task", "gui_task")]
        if tasks and key in ("task", "instruction", "goal", "title", "topic"):
            return _said(tasks[0], "instruction") or _said(tasks[0], "task")
        counts: dict[str, int] = {}
        for a in self.ctx.anchors:
            counts[a.kind] = counts.get(a.kind, 0) + 1
        facts = ", ".join(f"{n} {k.replace('_', ' ')}{'s' if n != 1 else ''}" for k, n in counts.items())
        length = f"{self.total:.1f} s " if self.total else ""
        return f"A {length}{self.ctx.source.kind.value.replace('_', ' ')}" + (f" with {facts}" if facts else "")


def schema_of(ctx: TailorContext) -> dict[str, Any]:
    schema = ctx.intent.schema_
    if not isinstance(schema, dict) or not schema:
        raise InputError("intent.schema", "the custom task needs a JSON Schema object describing the record to produce")
    return schema


def synthesize(ctx: TailorContext) -> dict[str, Any]:
    """Fill the user's schema from anchors; the result still goes through schema and grounding validation."""
    schema = schema_of(ctx)
    filler = _Filler(schema, ctx)
    if filler.resolve(schema).get("type", "object") != "object" and "properties" not in filler.resolve(schema):
        raise InputError("intent.schema", "a custom schema must describe a JSON object at the top level")
    return filler.value(schema, "", None)


CUSTOM = TaskSpec(
    name="custom",
    domain="custom",
    version=VERSION,
    description="The user's own JSON Schema; items cite anchors and the usual grounding checks apply to conventional field names.",
    model=None,
    prompt=prompt(
        "custom",
        """Produce a record that matches the user's JSON Schema. Fill every field from what the anchors and images
show; where the schema has anchor_ids, cite the anchors each item comes from, and use the anchors' times and
positions for time and coordinate fields (start_s/end_s, clip, span, x/y, point, bbox).""",
    ),
    examples=examples_of("custom"),
    synthesize=synthesize,
    source_kinds=frozenset(SourceKind),
    extractors=(),
    export_unit=ExportUnit.question,
)

TASKS = (CUSTOM,)

EXPERT = Expert(
    domain="custom",
    description="The user's own JSON Schema, grounded in the anchors of any source kind.",
    keywords=("custom", "my schema", "json schema", "my own format", "my format", "schema"),
    tasks=TASKS,
)
