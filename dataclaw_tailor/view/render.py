"""`claw view`: read an envelope, a records JSONL or a corpus folder and write the audit pages.

- an envelope JSON (`claw tailor --out x.json`, `--json`): one page, and its timeline chart beside it;
- a records JSONL (`claw tailor --out x.jsonl`, a corpus's records.jsonl): an index and one page per line;
- a corpus output folder (manifest.jsonl + records/): an index with a row per source (status, task,
  counts, problems, error) linking the pages of the sources that have a record.
A line or record that cannot be read becomes an index row saying why; nothing else is lost.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any


from ..core import InputError
from ..tools.files import read_text, write_atomic
from .build import build_page
from .chart import write_chart
from .compare import compare, load_reference
from .html import render_index, render_page
from .images import DEFAULT_BUDGET, ImageStore
from .model import Page
from .result import ViewResult

logger = logging.getLogger(__name__)

MAX_INPUT_BYTES = 512 * 1024 * 1024
"""Largest envelope, JSONL or manifest file read (a corpus's records.jsonl of thousands of records fits)."""


def default_out(input_path: Path) -> Path:
    """Where the page goes when no --out is given: beside the input (inside a corpus folder for a corpus)."""
    if input_path.is_dir():
        return input_path / "view.html"
    return input_path.with_name(f"{input_path.stem}.view.html")


def render_view(
    input_path: str | Path,
    out: str | Path | None = None,
    *,
    reference: str | Path | None = None,
    chart: bool = True,
    budget: int = DEFAULT_BUDGET,
) -> ViewResult:
    """Write the audit page(s) for an envelope, a records JSONL or a corpus folder; see the module docstring."""
    src = Path(input_path)
    target = Path(out) if out is not None else default_out(src)
    if target.suffix.lower() not in (".html", ".htm"):
        raise InputError(target, "the page is written as .html; name the output file page.html")
    if src.is_dir():
        if not (src / "manifest.jsonl").is_file():
            raise InputError(src, "not a corpus output folder (no manifest.jsonl); give an envelope JSON, a records JSONL or a corpus folder")
        if reference is not None:
            raise InputError(reference, "--reference compares one record; give an envelope JSON, not a corpus")
        return _corpus(src, target, chart=chart, budget=budget)
    text = _read(src, "input")
    if src.suffix.lower() == ".jsonl":
        if reference is not None:
            raise InputError(reference, "--reference compares one record; give an envelope JSON, not a JSONL")
        return _jsonl(src, text, target, chart=chart, budget=budget)
    try:
        envelope = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(src, f"not valid JSON ({exc}); give an envelope JSON, a records JSONL or a corpus folder") from None
    problem = _not_envelope(envelope)
    if problem:
        raise InputError(src, problem)
    page = _page(envelope, src.parent, target, budget=budget)
    if reference is not None:
        page.comparison = compare(page, envelope, load_reference(reference), name=str(reference))
    return _write(page, target, chart=chart)


def _read(path: Path, what: str) -> str:
    if path.is_file() and path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(path, f"{what} is larger than {MAX_INPUT_BYTES // 2**20} MiB")
    return read_text(path, what)


def _not_envelope(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return f"a tailoring envelope is a JSON object, not {type(doc).__name__}"
    if "record" not in doc and "anchors" not in doc:
        return "not a tailoring envelope (no 'record' or 'anchors'); write one with `claw tailor --out result.json`"
    return None


def beside(target: Path, suffix: str) -> Path:
    """A folder next to the page for what does not fit in it; refused when a link there leads elsewhere."""
    folder = target.with_name(f"{target.stem}{suffix}")
    if folder.resolve().parent != target.parent.resolve():
        raise InputError(folder, "leads outside the page's folder (a symlink); remove it or choose another --out")
    return folder


def _page(envelope: dict[str, Any], origin: Path, target: Path, *, budget: int, title: str | None = None) -> Page:
    store = ImageStore(budget=budget, beside=beside(target, "_files"), page_dir=target.parent)
    return build_page(envelope, origin=origin, store=store, title=title)


def _write(page: Page, target: Path, *, chart: bool, index_href: str | None = None) -> ViewResult:
    write_atomic(target, render_page(page, index_href=index_href))
    charts = [str(write_chart(page, target.with_suffix(".png")))] if chart else []
    logger.info("wrote %s (%d anchors, %d items)", target, len(page.anchors), len(page.items))
    return ViewResult(page=str(target), pages=[str(target)], charts=charts,
                      warnings=[f"{target.name}: {w}" for w in page.warnings])


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "record"


def _row(page: Page, href: str) -> dict[str, Any]:
    return {"source": page.title, "status": page.status, "task": page.task, "anchors": len(page.anchors),
            "items": len(page.items), "problems": page.problems(),
            "repairs": sum(n.kind == "repair" for n in page.notes) + sum(n.kind == "repair" for i in page.items for n in i.notes),
            "href": href, "note": "; ".join(page.warnings[:2])}


def _index(target: Path, title: str, entries: list[tuple[dict[str, Any], str | None, dict[str, Any] | None]],
           origin: Path, *, chart: bool, budget: int) -> ViewResult:
    """Pages for entries that have an envelope, then the index; entries are (row, title, envelope)."""
    folder = beside(target, "_pages")
    result = ViewResult(page=str(target), rows=len(entries))
    rows = []
    for n, (row, name, envelope) in enumerate(entries):
        if envelope is None:
            rows.append(row)
            continue
        page_path = folder / f"{n:04d}-{_slug(Path(name or 'record').name)}.html"
        page = _page(envelope, origin, page_path, budget=budget, title=name)
        one = _write(page, page_path, chart=chart, index_href=Path("..", target.name).as_posix())
        result.pages += one.pages
        result.charts += one.charts
        result.warnings += one.warnings
        rows.append(_row(page, page_path.relative_to(target.parent).as_posix()) | {k: v for k, v in row.items() if v})
    write_atomic(target, render_index(title, rows))
    return result


def _jsonl(src: Path, text: str, target: Path, *, chart: bool, budget: int) -> ViewResult:
    entries: list[tuple[dict[str, Any], str | None, dict[str, Any] | None]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            entries.append(({"source": f"line {n}", "status": "error", "note": f"not JSON ({exc.msg})"}, None, None))
            continue
        problem = _not_envelope(doc)
        if problem:
            entries.append(({"source": f"line {n}", "status": "error", "note": problem}, None, None))
            continue
        source = doc.get("source") if isinstance(doc.get("source"), dict) else {}
        entries.append(({}, str(source.get("path") or f"line {n}"), doc))
    if not entries:
        raise InputError(src, "no records (empty JSONL)")
    return _index(target, str(src), entries, src.parent, chart=chart, budget=budget)


def _corpus(folder: Path, target: Path, *, chart: bool, budget: int) -> ViewResult:
    """A row per source of the manifest (its last line wins: a retried source shows its latest outcome)."""
    latest: dict[str, dict[str, Any]] = {}
    for line in _read(folder / "manifest.jsonl", "manifest").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by an interrupted run; the corpus runner redoes that source
        if isinstance(item, dict) and isinstance(item.get("source"), str):
            latest[item["source"]] = item
    entries: list[tuple[dict[str, Any], str | None, dict[str, Any] | None]] = []
    for source, item in latest.items():
        row = {"source": source, "status": item.get("status"), "task": item.get("task"), "note": item.get("error") or ""}
        envelope, problem = _corpus_record(folder, item.get("record_path"))
        if problem:
            row["note"] = problem
        entries.append((row, source, envelope))
    if not entries:
        raise InputError(folder / "manifest.jsonl", "no sources in the manifest")
    return _index(target, str(folder), entries, folder, chart=chart, budget=budget)


def _corpus_record(folder: Path, record_path: Any) -> tuple[dict[str, Any] | None, str]:
    """The envelope a manifest line points to; the path may be absolute, relative, or moved with the folder."""
    if not isinstance(record_path, str) or not record_path:
        return None, ""
    given = Path(record_path)
    candidates = [given, folder / "records" / given.name]
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        return None, f"record file {given.name} not found"
    try:
        doc = json.loads(_read(found, "record"))
    except (InputError, json.JSONDecodeError) as exc:
        return None, f"record file {given.name} unreadable ({exc})"
    problem = _not_envelope(doc)
    return (None, f"record file {given.name}: {problem}") if problem else (doc, "")
