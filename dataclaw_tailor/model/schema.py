"""Per-source JSON Schemas, so constrained decoding enforces grounding and not only shape.

A task's schema says what a record looks like; `specialise` adds what this source allows: `anchor_ids`
may only name anchors that were extracted, times lie inside the source's duration, coordinates on its
screen, and lists of steps hold no more items than the events seen. A grammar-constrained decoder
(xgrammar locally, vLLM's structured outputs remotely) then cannot emit an ungrounded id or an
off-screen click. What a schema cannot say (clip edges near anchors, temporal order) is left to the
grounding checker in `core.grounding`.

`bounded` is a separate concern: it caps free-text length and list sizes, and forbids raw control
characters in strings, so that even a weak model's constrained output ends within a token budget and
parses strictly. Both functions return new schemas (inputs are never mutated) built only from keywords
xgrammar compiles: `enum`, `minimum`/`maximum`, `minItems`/`maxItems`, `prefixItems`, `pattern`.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..core import Anchor, Source, SourceKind, fields

Node = dict[str, Any]

EVENT_KINDS: dict[SourceKind, tuple[str, ...]] = {
    SourceKind.gui_trace: ("gui_event",),
    SourceKind.edit_sequence: ("edit_pair",),
}
"""Anchor kinds that count as one 'event' per list item, by source kind (a GUI step per gui_event ...)."""


TEXT_CHAR = r'[^\x00-\x1f"\\]'
"""Text without control characters, quotes or backslashes: strict `json.loads` accepts every string of them."""


def _types(node: Node) -> set[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def _branches(node: Node, defs: Node) -> list[Node]:
    """The node itself plus its `anyOf`/`oneOf` alternatives and `$ref` targets (where bounds apply)."""
    out = [node]
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = defs.get(ref.rsplit("/", 1)[-1])
        if isinstance(target, dict):
            out.extend(_branches(target, defs))
    for key in ("anyOf", "oneOf"):
        for alt in node.get(key, []) or []:
            if isinstance(alt, dict):
                out.extend(_branches(alt, defs))
    return out


def _bound_number(node: Node, lo: float, hi: float) -> None:
    if not _types(node) & {"number", "integer"}:
        return
    if "integer" in _types(node) and "number" not in _types(node):
        hi = math.floor(hi)
    node["minimum"] = max(lo, node.get("minimum", lo))
    node["maximum"] = min(hi, node.get("maximum", hi))
    node.pop("exclusiveMinimum", None)
    node.pop("exclusiveMaximum", None)


def _bound_numbers(node: Node, defs: Node, lo: float, hi: float) -> None:
    for branch in _branches(node, defs):
        _bound_number(branch, lo, hi)


def _bound_tuple(node: Node, defs: Node, limits: list[float]) -> None:
    """A fixed-length numeric array ([s, e], [x, y], [x1, y1, x2, y2]) with one upper bound per position."""
    for branch in _branches(node, defs):
        if "array" not in _types(branch):
            continue
        items = branch.get("prefixItems") or [branch.get("items", {})] * len(limits)
        if len(items) != len(limits) or not all(isinstance(i, dict) for i in items):
            continue
        prefix = []
        for item, hi in zip(items, limits):
            item = copy.deepcopy(item)
            _bound_numbers(item, defs, 0.0, hi)
            prefix.append(item)
        branch["prefixItems"] = prefix
        branch["items"] = False
        branch["minItems"] = branch["maxItems"] = len(limits)


def _cap_items(node: Node, defs: Node, cap: int) -> None:
    for branch in _branches(node, defs):
        if "array" in _types(branch):
            floor = int(branch.get("minItems", 0))
            current = branch.get("maxItems")
            branch["maxItems"] = max(floor, min(cap, current) if isinstance(current, int) else cap)


def _walk(node: Any, defs: Node, visit: Callable[[str, Node], None], seen: set[int]) -> None:
    """Call `visit(name, subschema)` for every named property, through $defs, anyOf and items."""
    if not isinstance(node, dict) or id(node) in seen:
        return
    seen.add(id(node))
    for name, sub in (node.get("properties") or {}).items():
        if isinstance(sub, dict):
            visit(name, sub)
            _walk(sub, defs, visit, seen)
    for key in ("items", "additionalProperties", "not", "if", "then", "else"):
        _walk(node.get(key), defs, visit, seen)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for sub in node.get(key) or []:
            _walk(sub, defs, visit, seen)
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        _walk(defs.get(ref.rsplit("/", 1)[-1]), defs, visit, seen)


def _events_seen(source: Source, anchors: list[Anchor]) -> int | None:
    kinds = EVENT_KINDS.get(source.kind)
    if kinds:
        count = sum(1 for a in anchors if a.kind in kinds)
        if count:
            return count
    steps = source.meta.n_steps  # a GUI trace's steps are its events; a robot episode's are frames
    return int(steps) if source.kind == SourceKind.gui_trace and isinstance(steps, int) and steps > 0 else None


def specialise(schema: Node, source: Source, anchors: Iterable[Anchor], *, max_items: int | None = None) -> Node:
    """Return a copy of `schema` that only admits records grounded in this source.

    - `anchor_ids` arrays: items become an enum of the extracted ids (no ids: the array must be empty);
    - time points and spans: `[0, duration]` when the duration is known, otherwise `>= 0`;
    - `x`/`y` (and a drag's `to_x`/`to_y`), `point`, `bbox`/`region`: inside the screen (`width` x `height`) when known;
    - `steps` lists: at most as many items as events seen; with `max_items` (the intent's
      budget) every list of objects is capped too.

    >>> from dataclaw_tailor.core import Source
    >>> src = Source(path="v.mp4", kind="video", content_hash="h", meta={"duration_s": 9.5})
    >>> specialise({"type": "object", "properties": {"t": {"type": "number"}}}, src, [])["properties"]["t"]
    {'type': 'number', 'minimum': 0.0, 'maximum': 9.5}
    """
    anchors = list(anchors)
    out = copy.deepcopy(schema)
    defs = out.get("$defs", {})
    ids = sorted({a.id for a in anchors}, key=lambda i: (i.split(":")[0], _index(i)))
    duration = source.duration_s
    t_hi = duration if duration is not None else math.inf
    screen = source.screen
    events = _events_seen(source, anchors)

    def visit(name: str, node: Node) -> None:
        if name == fields.ANCHOR_IDS:
            for branch in _branches(node, defs):
                if "array" not in _types(branch):
                    continue
                if ids:
                    branch["items"] = {"type": "string", "enum": ids}
                elif not branch.get("minItems"):
                    branch["maxItems"] = 0
        elif name in fields.TIME_POINTS:
            _bound_numbers(node, defs, 0.0, t_hi)
        elif name in fields.TIME_SPANS:
            _bound_tuple(node, defs, [t_hi, t_hi])
        elif screen and name in fields.X_FIELDS + fields.Y_FIELDS:
            _bound_numbers(node, defs, 0.0, float(screen[0] if name in fields.X_FIELDS else screen[1]))
        elif screen and name == fields.POINT:
            _bound_tuple(node, defs, [float(screen[0]), float(screen[1])])
        elif screen and name in fields.BOXES:
            w, h = float(screen[0]), float(screen[1])
            _bound_tuple(node, defs, [w, h, w, h])
        if name in fields.STEP_LISTS and events:
            _cap_items(node, defs, events)
        if max_items and _is_object_list(node, defs):
            _cap_items(node, defs, max_items)

    _walk(out, defs, visit, set())
    _drop_infinite(out)
    return out


def prompt_view(schema: Node) -> Node:
    """The schema as a prompt shows it: `anchor_ids` enums replaced by a pointer to the anchor list.

    A specialised schema can list thousands of ids; the prompt already lists the anchors with their
    ids, and the grammar (which gets the full enum) enforces them, so the prompt need not repeat them.
    """
    out = copy.deepcopy(schema)
    defs = out.get("$defs", {})

    def visit(name: str, node: Node) -> None:
        if name != fields.ANCHOR_IDS:
            return
        for branch in _branches(node, defs):
            items = branch.get("items")
            if isinstance(items, dict) and "enum" in items:
                branch["items"] = {"type": "string", "description": "An id from the Anchors list (the enum of extracted ids)."}

    _walk(out, defs, visit, set())
    return out


def _index(anchor_id: str) -> int:
    tail = anchor_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def _is_object_list(node: Node, defs: Node) -> bool:
    for branch in _branches(node, defs):
        items = branch.get("items")
        if "array" in _types(branch) and isinstance(items, dict):
            if any("object" in _types(b) for b in _branches(items, defs)):
                return True
    return False


def _drop_infinite(node: Any) -> None:
    """Remove `maximum: inf` (JSON has no infinity; an unknown duration means no upper bound)."""
    for obj in fields.objects_in(node):
        if obj.get("maximum") == math.inf:
            del obj["maximum"]


NUMBER_LIMIT = 1_000_000_000
"""Magnitude given to numbers the schema leaves unbounded, so a constrained number has finitely many digits."""

_CLASS_STAR = re.compile(r"^\^(\[(?:[^\]\\]|\\.)*\])([*+])\$$")
"""A pattern that is one character class repeated (`^[^\x00-\x1f]*$`): its length can be capped in place."""


REPEAT_CHUNK = 128
"""Largest `{m,n}` count used in one piece: xgrammar 0.2.8 fails to compile counts above ~140."""


def _repeat(char: str, lower: int, upper: int) -> str:
    """`char{lower,upper}` written as consecutive pieces of at most `REPEAT_CHUNK` (same language)."""
    pieces = []
    left_lo, left_hi = lower, max(upper, lower)
    while left_hi > 0 or not pieces:
        hi = min(REPEAT_CHUNK, left_hi)
        lo = min(left_lo, hi)
        pieces.append(f"{char}{{{lo},{hi}}}")
        left_lo, left_hi = left_lo - lo, left_hi - hi
    return "".join(pieces)


def _cap_text(node: Node, max_chars: int | None) -> None:
    caps = [int(c) for c in (node.get("maxLength"), max_chars) if c is not None]
    lower = int(node.get("minLength", 0))
    pattern = node.get("pattern")
    if pattern is None:
        char = TEXT_CHAR
    else:
        match = _CLASS_STAR.match(pattern)
        if match is None:
            return
        char = match.group(1)
        lower = max(lower, 1 if match.group(2) == "+" else 0)
    node["pattern"] = "^" + (_repeat(char, lower, min(caps)) if caps else f"{char}{{{lower},}}") + "$"
    node.pop("maxLength", None)
    node.pop("minLength", None)


def bounded(schema: Node, *, max_chars: int | None = 256, max_items: int | None = None) -> Node:
    """Return a copy of `schema` whose every document ends: capped free text, capped lists, no control chars.

    Free-text strings (no `enum`, `const` or `format`) get a `pattern` of at most `max_chars` characters
    (`None`: unbounded length): printable text without quotes or backslashes, or, where the schema already
    has a one-character-class pattern such as `^[^\x00-\x1f]*$`, that class with the cap. Arrays get
    `maxItems <= max_items`. A stricter schema: whatever it admits, the original admits too.
    """
    out = copy.deepcopy(schema)

    for node in fields.objects_in(out):
        kinds = _types(node)
        if "string" in kinds and not {"enum", "const", "format"} & node.keys():
            _cap_text(node, max_chars)
        if kinds & {"number", "integer"}:
            node.setdefault("minimum", -NUMBER_LIMIT)
            node.setdefault("maximum", NUMBER_LIMIT)
        if "array" in kinds and max_items is not None:
            floor = int(node.get("minItems", 0))
            current = node.get("maxItems")
            node["maxItems"] = max(floor, min(max_items, current) if isinstance(current, int) else max_items)
    return out
