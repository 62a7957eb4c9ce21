"""From a tailoring envelope (its JSON form) to the page's data: anchors, record items, links, notes.

A record item is any object of the record that cites anchors (`anchor_ids`) or states a time
(`start_s`/`end_s`, `clip`/`span`, `t`); an item that states no time is placed by the anchors it cites.
Validation problems and repairs carry JSON paths, so each lands on the item whose path contains it.
The envelope is third-party data: anything malformed becomes a warning on the page, never an error.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..core import Anchor, Problem, Repair, fields
from ..core.errors import first_problem
from ..core.fields import number
from ..core.validate import json_path
from ..evals.metrics import action_type, box_of, point_of
from .images import PICTURE_SUFFIXES, ImageStore, regrab_keyframes
from .model import Note, Page, PageAnchor, PageItem

ANCHOR_IMAGE_KEYS = ("screenshot", "path", "image", "before", "after")
LABEL_KEYS = ("title", "caption", "question", "instruction", "prompt", "quote", "description", "skill", "type",
              "text", "evidence", "observation", "summary")
ANCHOR_LABEL_KEYS = ("action", "text", "caption", "state", "skill", "name", "type", "task", "instruction")
LABEL_CHARS = 120


def build_page(envelope: dict[str, Any], *, origin: Path | None, store: ImageStore, title: str | None = None) -> Page:
    """The page for one envelope; `origin` is the folder relative source paths may be taken from."""
    warnings: list[str] = []
    source = envelope.get("source") if isinstance(envelope.get("source"), dict) else {}
    meta = source.get("meta") if isinstance(source.get("meta"), dict) else {}
    source_dir, video = _source_location(source.get("path"), origin)
    anchors = _anchors(envelope.get("anchors"), warnings)
    record = envelope.get("record")
    items = _items(record, anchors, warnings)
    screen = _screen(meta, record)
    for item in items:
        item.screen = screen
    page_anchors = [_page_anchor(a, source_dir, store, regrab=video is not None) for a in anchors]
    _regrab_missing(page_anchors, anchors, video, store)
    for item in items:
        item.images = [(k, key) for k, file in _item_pictures(item.value, source_dir) if (key := store.add(file))]
    by_anchor = {a.id: a for a in page_anchors}
    for item in items:
        for aid in item.anchor_ids:
            by_anchor[aid].cited_by.append(item.id)
        if not item.images:
            item.images = _cited_pictures(item, by_anchor)
        if item.box is None:
            item.box = _cited_box(item, by_anchor)
    notes = _place_notes(envelope.get("validation"), items, warnings)
    warnings.extend(store.warnings)
    validation = envelope.get("validation") if isinstance(envelope.get("validation"), dict) else {}
    return Page(
        title=title or str(source.get("path") or "record"),
        status=str(envelope.get("status") or "unknown"),
        task=_text(envelope.get("task")),
        domain=_text(envelope.get("domain")),
        source={k: source.get(k) for k in ("path", "kind", "format", "content_hash") if k in source} | {"meta": meta},
        valid=validation.get("valid") if isinstance(validation.get("valid"), bool) else None,
        duration=_duration(meta, page_anchors, items),
        anchors=page_anchors,
        items=items,
        notes=notes,
        warnings=warnings,
        images=store.images,
        provenance=envelope.get("provenance") if isinstance(envelope.get("provenance"), dict) else {},
        questions=[q for q in envelope.get("questions") or [] if isinstance(q, dict)],
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _source_location(path: Any, origin: Path | None) -> tuple[Path | None, Path | None]:
    """(folder pictures are relative to, the video file when the source is one) - or None where not found.

    An envelope names its source as given on the command line, so a relative path is tried from the
    working folder and then from the envelope's own folder."""
    if not isinstance(path, str) or not path:
        return None, None
    given = Path(path.split("#episode=")[0])
    candidates = [given] if given.is_absolute() else [given, *([origin / given] if origin else [])]
    for found in candidates:
        try:
            if found.is_dir():
                return found, None
            if found.is_file():
                return found.parent, found
        except OSError:
            continue
    return None, None


def _anchors(raw: Any, warnings: list[str]) -> list[Anchor]:
    anchors: list[Anchor] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw if isinstance(raw, list) else []):
        try:
            anchor = Anchor.model_validate(entry)
        except ValidationError as exc:
            warnings.append(f"anchors[{n}] not shown: {first_problem(exc)}")
            continue
        if anchor.id in seen:
            warnings.append(f"anchors[{n}] not shown: duplicate id {anchor.id!r}")
            continue
        times = [anchor.start, anchor.end] if anchor.t is not None else []
        if any(not math.isfinite(t) for t in times):
            warnings.append(f"anchors[{n}] not shown: time {anchor.t!r} is not a finite number")
            continue
        seen.add(anchor.id)
        anchors.append(anchor)
    return anchors


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and value != ""


def _anchor_label(anchor: Anchor) -> str:
    """What the anchor says, briefly: its text, its named fields (action, state ...), else its other small facts.

    The page shows anchors of every kind alike, so it reads contents in their JSON form."""
    c = anchor.content_json
    if isinstance(c, str) and c.strip():
        return _short(c)
    if isinstance(c, dict):
        parts = [str(c[k]) for k in ANCHOR_LABEL_KEYS if _scalar(c.get(k))]
        if parts:
            return _short(" ".join(parts[:2]))
        facts = [f"{k}={v}" for k, v in c.items() if _scalar(v) and k not in ANCHOR_IMAGE_KEYS and k != "index"]
        if facts:
            return _short(" ".join(facts[:2]))
    if anchor.t is not None:
        return f"{anchor.start:.1f}–{anchor.end:.1f} s" if anchor.start != anchor.end else f"{anchor.start:.1f} s"
    return anchor.id


def _page_anchor(anchor: Anchor, source_dir: Path | None, store: ImageStore, *, regrab: bool) -> PageAnchor:
    """`regrab`: a keyframe missing from the cache is not worth a warning, it will be grabbed from the video."""
    picture = _anchor_picture(anchor.content_json, source_dir)
    image = store.add(picture, missing_ok=regrab and anchor.kind == "keyframe") if picture else None
    return PageAnchor(
        id=anchor.id, kind=anchor.kind, start=anchor.start, end=anchor.end, p=anchor.p, label=_anchor_label(anchor),
        content=anchor.content_json, image=image,
    )


def _picture(value: Any, source_dir: Path | None) -> Path | None:
    """A picture file named by a string field: absolute, or relative to the source's folder."""
    if not isinstance(value, str) or Path(value).suffix.lower() not in PICTURE_SUFFIXES:
        return None
    path = Path(value)
    if path.is_absolute():
        return path
    return source_dir / path if source_dir is not None else None


def _anchor_picture(c: Any, source_dir: Path | None) -> Path | None:
    if not isinstance(c, dict):
        return None
    for key in ANCHOR_IMAGE_KEYS:
        if (found := _picture(c.get(key), source_dir)) is not None:
            return found
    return None


def _regrab_missing(page_anchors: list[PageAnchor], anchors: list[Anchor], video: Path | None, store: ImageStore) -> None:
    """Keyframes whose cached file is gone are grabbed again from the video, when the video is at hand."""
    if video is None:
        return
    missing = [(pa, a) for pa, a in zip(page_anchors, anchors) if a.kind == "keyframe" and pa.image is None and a.start is not None]
    if not missing:
        return
    keys = regrab_keyframes(video, [a.start for _, a in missing], store)
    for (pa, _), key in zip(missing, keys):
        pa.image = key


def _is_item(node: dict[str, Any]) -> bool:
    return isinstance(node.get(fields.ANCHOR_IDS), list) or _own_time(node) is not None


def _own_time(node: dict[str, Any]) -> tuple[float, float] | None:
    """The time an object states: a point stays a point (the metrics widen it; the timeline does not)."""
    for key in fields.INSTANTS:
        t = number(node.get(key))
        if t is not None:
            return (t, t)
    return fields.span_of(node)


def _item_time(node: dict[str, Any]) -> tuple[float, float] | None:
    """The item's own time, or the first time stated by one of its fields (a question's `evidence.clip`)."""
    own = _own_time(node)
    if own is not None:
        return own
    for value in node.values():
        if isinstance(value, dict) and (inner := _own_time(value)) is not None:
            return inner
    return None


def item_label(node: dict[str, Any]) -> str:
    """A short name for an item: the GUI action and its target, else its first title-like text field."""
    kind = action_type(node)
    if kind is not None:
        target = next((node[k] for k in ("target_element", "element_text") if isinstance(node.get(k), str)), None)
        text = node.get("action", {}).get("text") if isinstance(node.get("action"), dict) else None
        detail = target or text
        return _short(f"{kind} '{detail}'" if detail else kind)
    for key in LABEL_KEYS:
        value = node.get(key)
        if isinstance(value, str) and value.strip():
            return _short(value)
    return ""


def _items(record: Any, anchors: list[Anchor], warnings: list[str]) -> list[PageItem]:
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(node: Any, parts: list[str | int]) -> None:
        if isinstance(node, dict):
            if _is_item(node):
                found.append((json_path(parts), node))
                return
            for key, value in node.items():
                walk(value, [*parts, key])
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, [*parts, i])

    walk(record, [])
    known = {a.id: a for a in anchors}
    items = []
    for n, (path, node) in enumerate(found):
        cited = [c for c in node.get(fields.ANCHOR_IDS) or [] if isinstance(c, str)]
        if len(cited) != len(node.get(fields.ANCHOR_IDS) or []):
            warnings.append(f"{path}.anchor_ids: entries that are not strings are not shown")
        span = _item_time(node)
        derived = False
        if span is None:
            times = [t for c in cited if c in known and known[c].t is not None for t in (known[c].start, known[c].end)]
            span, derived = ((min(times), max(times)), True) if times else (None, False)
        items.append(PageItem(
            id=f"item:{n}", path=path, label=item_label(node) or path,
            start=span[0] if span else None, end=span[1] if span else None, time_from_anchors=derived,
            anchor_ids=list(dict.fromkeys(c for c in cited if c in known)),
            unknown_ids=list(dict.fromkeys(c for c in cited if c not in known)),
            point=point_of(node), box=box_of(node), value=node,
        ))
    return items


def _item_pictures(node: Any, source_dir: Path | None) -> list[tuple[str, Path]]:
    if not isinstance(node, dict):
        return []
    return [(k, p) for k in fields.IMAGE_FIELDS if (p := _picture(node.get(k), source_dir)) is not None]


def _cited_pictures(item: PageItem, by_anchor: dict[str, PageAnchor]) -> list[tuple[str, str]]:
    """An item without pictures of its own shows those of the anchors it cites (keyframes, screenshots)."""
    keys = dict.fromkeys(by_anchor[a].image for a in item.anchor_ids if by_anchor[a].image)
    return [(next(a for a in item.anchor_ids if by_anchor[a].image == key), key) for key in keys if key]


def _cited_box(item: PageItem, by_anchor: dict[str, PageAnchor]) -> list[float] | None:
    for aid in item.anchor_ids:
        anchor = by_anchor[aid]
        if anchor.kind == "gui_element" and anchor.p is not None and len(anchor.p) == 4:
            return list(anchor.p)
    return None


def _screen(meta: dict[str, Any], record: Any) -> tuple[int, int] | None:
    w, h = number(meta.get("width")), number(meta.get("height"))
    if w and h and w > 0 and h > 0:
        return int(w), int(h)
    stated = fields.screen_of(record)
    return (int(stated[0]), int(stated[1])) if stated and stated[0] > 0 and stated[1] > 0 else None


def _place_notes(validation: Any, items: list[PageItem], warnings: list[str]) -> list[Note]:
    """Put each problem and repair on the item whose path is the longest prefix of its own; the rest stay page-wide."""
    if not isinstance(validation, dict):
        return []
    loose: list[Note] = []
    entries = [(Problem, e) for e in validation.get("errors") or []]
    entries += [(Repair, r) for r in validation.get("repairs") or []]
    for model, entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            warnings.append(f"a validation {model.kind} without a path is not shown")
            continue
        try:
            note: Note = model.model_validate(entry)
        except ValidationError as exc:
            warnings.append(f"a validation {model.kind} at {entry['path']} is not shown: {first_problem(exc)}")
            continue
        owner = max((i for i in items if _inside(note.path, i.path)), key=lambda i: len(i.path), default=None)
        (owner.notes if owner is not None else loose).append(note)
    return loose


def _inside(path: str, prefix: str) -> bool:
    return path == prefix or (path.startswith(prefix) and path[len(prefix)] in ".[")


def _duration(meta: dict[str, Any], anchors: list[PageAnchor], items: list[PageItem]) -> float:
    ends = [x for a in anchors for x in (a.start, a.end) if x is not None]
    ends += [x for i in items for x in (i.start, i.end) if x is not None]
    stated = number(meta.get("duration_s"))
    longest = max([stated or 0.0, *ends]) if ends or stated else 0.0
    return longest if longest > 0 else 1.0
