"""Tailored records -> supervised fine-tuning sets (OpenAI chat, ShareGPT/LLaMA-Factory, TRL, HF parquet).

Input is JSONL of tailoring envelopes (`claw tailor --out x.jsonl`, corpus `records.jsonl`, or any dict
with `record` and `task`, optionally `intent`, `source`/`provenance.source_path` and `anchors`).
Only records that came out valid are exported; every other line is listed in the summary with its
reason, so nothing disappears silently.

Records become conversations so that downstream fine-tuning (the paper's Setting B) can train on
them directly: GUI trajectories unroll into one next-action sample per step (its screenshot as the
image), grounding records into one sample per pair, QA records into one sample per question (the
keyframes inside its clip as images, else the one nearest it); other tasks give one sample whose answer is the whole record
(images: the keyframes or frames among its anchors). `unit="record"` forces the last form for all.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..core import InputError
from ..model.openai import data_url
from ..tools.files import iter_jsonl, write_atomic

SYSTEM = "You turn raw multimodal streams into grounded, schema-valid JSON training data."
MAX_IMAGES = 8
IMAGE_FIELDS = ("screenshot", "image", "first_frame", "before", "after")
FRAME_ANCHORS = ("keyframe", "frame")


class ExportFormat(StrEnum):
    openai = "openai"
    sharegpt = "sharegpt"
    trl = "trl"
    hf = "hf"


@dataclass
class Sample:
    """One supervised example: images shown with the user's text, and the answer to learn."""

    id: str
    task: str
    user: str
    answer: str
    images: list[Path] = field(default_factory=list)


class Skipped(BaseModel):
    line: int = Field(description="1-based line in the records file.")
    reason: str


class ExportSummary(BaseModel):
    format: ExportFormat
    out: str = Field(description="File (chat formats) or folder (hf) written.")
    records: int = Field(description="Valid records read.")
    samples: int = Field(description="Conversations written.")
    images: int = Field(description="Image references written.")
    skipped: list[Skipped] = Field(default_factory=list, description="Lines not exported, with the reason.")
    missing_images: list[str] = Field(default_factory=list, description="Image references that resolved to no file (left out of the sample).")


# ---------------------------------------------------------------- reading


def read_entries(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, envelope) pairs; a line that is not a JSON object is an InputError naming it."""
    for n, entry in iter_jsonl(path, "records"):
        if not isinstance(entry, dict):
            raise InputError(path, f"line {n} is not a JSON object")
        yield n, entry


def _exportable(entry: dict[str, Any]) -> str | None:
    """Why an entry cannot be exported, or None when it can."""
    if not isinstance(entry.get("record"), dict):
        return "no record"
    if not isinstance(entry.get("task"), str):
        return "no task"
    status = entry.get("status", "ok")
    if status != "ok":
        return f"status {status}"
    validation = entry.get("validation")
    if isinstance(validation, dict) and validation.get("valid") is False:
        return "record is not valid"
    return None


def _intent_text(entry: dict[str, Any]) -> str:
    intent = entry.get("intent")
    if isinstance(intent, dict):
        intent = intent.get("text")
    return intent if isinstance(intent, str) and intent.strip() else ""


def _source_path(entry: dict[str, Any]) -> Path | None:
    source = entry.get("source")
    if isinstance(source, dict):
        source = source.get("path")
    if not isinstance(source, str):
        provenance = entry.get("provenance") or {}
        source = provenance.get("source_path") if isinstance(provenance, dict) else None
    return Path(source) if isinstance(source, str) and source else None


class _Images:
    """Resolves image references (absolute, or relative to the source or the records file)."""

    def __init__(self, entry: dict[str, Any], records_dir: Path):
        src = _source_path(entry)
        bases = []
        if src is not None:
            folder = src if src.is_dir() else src.parent
            bases += [folder, folder / "images"]
        bases.append(records_dir)
        self.bases = bases
        self.missing: list[str] = []

    def resolve(self, ref: Any) -> Path | None:
        if not isinstance(ref, str) or not ref:
            return None
        candidates = [Path(ref)] + [base / ref for base in self.bases]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        self.missing.append(ref)
        return None

    def resolve_all(self, refs: list[Any]) -> list[Path]:
        found: list[Path] = []
        for ref in refs:
            path = self.resolve(ref)
            if path is not None and path not in found:
                found.append(path)
        return found[:MAX_IMAGES]


# ---------------------------------------------------------------- records -> samples


def _anchor_frames(entry: dict[str, Any], span: tuple[float, float] | None = None) -> list[Any]:
    """Frame files among the anchors: those inside `span`, else the one nearest its middle (all without a span)."""
    frames = [
        a for a in entry.get("anchors") or []
        if isinstance(a, dict) and a.get("kind") in FRAME_ANCHORS and isinstance(a.get("c"), dict) and a["c"].get("path")
    ]
    if span is None:
        return [a["c"]["path"] for a in frames]
    timed = [a for a in frames if isinstance(a.get("t"), int | float)]
    inside = [a["c"]["path"] for a in timed if span[0] <= a["t"] <= span[1]]
    if inside or not timed:
        return inside
    middle = (span[0] + span[1]) / 2
    return [min(timed, key=lambda a: abs(a["t"] - middle))["c"]["path"]]


def _record_images(record: Any) -> list[Any]:
    if isinstance(record, dict):
        own = [record[k] for k in IMAGE_FIELDS if isinstance(record.get(k), str)]
        return own + [ref for v in record.values() for ref in _record_images(v)]
    if isinstance(record, list):
        return [ref for v in record for ref in _record_images(v)]
    return []


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _describe_action(action: Any) -> str:
    if not isinstance(action, dict):
        return str(action)
    parts = [str(action.get("type", "action"))]
    if action.get("x") is not None and action.get("y") is not None:
        parts.append(f"({action['x']}, {action['y']})")
    if action.get("text"):
        parts.append(repr(action["text"]))
    if action.get("keys"):
        parts.append("+".join(map(str, action["keys"])))
    if action.get("direction"):
        parts.append(str(action["direction"]))
    return " ".join(parts)


def _gui_steps(key: str, entry: dict[str, Any], images: _Images) -> list[Sample]:
    record = entry["record"]
    screen = record.get("screen") or {}
    size = f" The screen is {screen.get('width')}x{screen.get('height')} pixels." if isinstance(screen, dict) and screen.get("width") else ""
    samples, history = [], []
    for i, step in enumerate(record.get("steps") or []):
        if not isinstance(step, dict):
            continue
        done = "\n".join(f"{n}. {h}" for n, h in enumerate(history, 1)) or "none"
        user = f"Task: {str(record.get('task', '')).rstrip('.')}.{size}\nPrevious actions:\n{done}\nWhat is the next action? Answer with JSON {{thought, action}}."
        answer = _dump({"thought": step.get("thought"), "action": step.get("action")})
        samples.append(Sample(f"{key}/step{i}", entry["task"], user, answer, images.resolve_all([step.get("screenshot")])))
        history.append(_describe_action(step.get("action")))
    return samples


def _grounding_pairs(key: str, entry: dict[str, Any], images: _Images) -> list[Sample]:
    samples = []
    for i, pair in enumerate(entry["record"].get("pairs") or []):
        if not isinstance(pair, dict):
            continue
        user = f"{pair.get('instruction', '')}\nAnswer with the target point as JSON {{x, y}}."
        answer = _dump({"x": pair.get("x"), "y": pair.get("y")})
        samples.append(Sample(f"{key}/pair{i}", entry["task"], user, answer, images.resolve_all([pair.get("screenshot")])))
    return samples


def _qa_items(key: str, entry: dict[str, Any], images: _Images) -> list[Sample]:
    samples = []
    for i, qa in enumerate(entry["record"].get("qa") or []):
        if not isinstance(qa, dict):
            continue
        clip = qa.get("clip")
        span = (float(clip[0]), float(clip[1])) if isinstance(clip, list) and len(clip) == 2 else None
        frames = images.resolve_all(_anchor_frames(entry, span))
        samples.append(Sample(f"{key}/qa{i}", entry["task"], str(qa.get("question", "")), str(qa.get("answer", "")), frames))
    return samples


def _whole_record(key: str, entry: dict[str, Any], images: _Images) -> list[Sample]:
    intent = _intent_text(entry) or f"Tailor this {entry.get('domain') or 'stream'} data into a {entry['task']} record."
    user = f"{intent}\nReply with one JSON object for the task {entry['task']}."
    refs = _record_images(entry["record"]) or _anchor_frames(entry)
    return [Sample(key, entry["task"], user, _dump(entry["record"]), images.resolve_all(refs))]


def samples_for(key: str, entry: dict[str, Any], images: _Images, unit: Literal["auto", "record"] = "auto") -> list[Sample]:
    """The conversations one valid envelope yields (see the module docstring)."""
    record, task = entry["record"], entry["task"]
    if unit == "auto":
        if task == "gui.trajectory" and isinstance(record.get("steps"), list):
            return _gui_steps(key, entry, images)
        if task == "gui.grounding" and isinstance(record.get("pairs"), list):
            return _grounding_pairs(key, entry, images)
        if isinstance(record.get("qa"), list):
            return _qa_items(key, entry, images)
    return _whole_record(key, entry, images)


# ---------------------------------------------------------------- writers


class _ImageCopier:
    """Copies images beside a chat file (content-addressed names), so the set moves as one folder."""

    def __init__(self, out: Path):
        self.folder = out.parent / f"{out.stem}_images"
        self.root = out.parent

    def __call__(self, path: Path) -> str:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        target = self.folder / f"{digest}{path.suffix.lower() or '.jpg'}"
        if not target.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        return target.relative_to(self.root).as_posix()


def openai_row(sample: Sample) -> dict[str, Any]:
    """Chat-completions messages; every content is a list of parts so all rows share one Arrow schema."""
    content: list[dict[str, Any]] = [{"type": "image_url", "image_url": {"url": data_url(p)}} for p in sample.images]
    content.append({"type": "text", "text": sample.user})
    return {
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": SYSTEM}]},
            {"role": "user", "content": content},
            {"role": "assistant", "content": [{"type": "text", "text": sample.answer}]},
        ]
    }


def sharegpt_row(sample: Sample, copy: _ImageCopier) -> dict[str, Any]:
    return {
        "conversations": [
            {"from": "human", "value": "<image>" * len(sample.images) + sample.user},
            {"from": "gpt", "value": sample.answer},
        ],
        "system": SYSTEM,
        "images": [copy(p) for p in sample.images],
    }


def trl_row(sample: Sample, copy: _ImageCopier) -> dict[str, Any]:
    user: list[dict[str, Any]] = [{"type": "image", "text": None} for _ in sample.images]
    user.append({"type": "text", "text": sample.user})
    return {
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": SYSTEM}]},
            {"role": "user", "content": user},
            {"role": "assistant", "content": [{"type": "text", "text": sample.answer}]},
        ],
        "images": [copy(p) for p in sample.images],
    }


def _write_hf(samples: list[Sample], out: Path, records_path: Path) -> None:
    """A parquet split with embedded image bytes plus a dataset card, loadable with `load_dataset(out)`."""
    from datasets import Dataset, Features, Image, Sequence, Value

    features = Features(
        {
            "id": Value("string"),
            "task": Value("string"),
            "prompt": Value("string"),
            "answer": Value("string"),
            "images": Sequence(Image()),
        }
    )
    rows = {
        "id": [s.id for s in samples],
        "task": [s.task for s in samples],
        "prompt": [s.user for s in samples],
        "answer": [s.answer for s in samples],
        "images": [[{"bytes": p.read_bytes(), "path": p.name} for p in s.images] for s in samples],
    }
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    Dataset.from_dict(rows, features=features).to_parquet(str(data / "train-00000-of-00001.parquet"))
    (out / "README.md").write_text(_card(samples, records_path), encoding="utf-8")


def _card(samples: list[Sample], records_path: Path) -> str:
    counts: dict[str, int] = {}
    for s in samples:
        counts[s.task] = counts.get(s.task, 0) + 1
    table = "\n".join(f"| {task} | {n} |" for task, n in sorted(counts.items()))
    n_images = sum(len(s.images) for s in samples)
    return f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
task_categories:
- image-text-to-text
tags:
- dataclaw-tailor
- synthetic
---
# Tailored training data

Made by DataClaw Tailor (`claw export --format hf`) from `{records_path.name}`: {len(samples)} samples,
{n_images} embedded images.

Each row is one supervised example: `prompt` (shown with `images`) and the `answer` to learn.
GUI trajectories are unrolled into one next-action sample per step, grounding records into one sample per
pair, QA records into one sample per question; other tasks answer with the whole tailored JSON record.
Every record was validated against its task's JSON Schema and grounded in deterministic anchors
(timestamps, positions, observed content) extracted from the raw stream.

| task | samples |
|---|---|
{table}

Licence: the licence of the raw streams the records were tailored from applies.
"""


def export_records(
    records: str | Path,
    fmt: ExportFormat | str,
    out: str | Path,
    *,
    unit: Literal["auto", "record"] = "auto",
) -> ExportSummary:
    """Write the valid records of a JSONL file as a fine-tuning set in `fmt` at `out`."""
    records_path, out_path = Path(records), Path(out)
    if fmt not in ExportFormat.__members__:
        raise InputError("format", f"unknown export format {fmt!r}; choose one of {', '.join(ExportFormat.__members__)}")
    fmt = ExportFormat(fmt)
    samples: list[Sample] = []
    skipped: list[Skipped] = []
    missing: list[str] = []
    n_records = 0
    for n, entry in read_entries(records_path):
        reason = _exportable(entry)
        if reason is not None:
            skipped.append(Skipped(line=n, reason=reason))
            continue
        n_records += 1
        images = _Images(entry, records_path.parent)
        key = str(entry.get("thread_id") or f"line{n}")
        samples.extend(samples_for(key, entry, images, unit))
        missing.extend(images.missing)
    if fmt is ExportFormat.hf:
        _write_hf(samples, out_path, records_path)
    else:
        copier = _ImageCopier(out_path)
        if fmt is ExportFormat.openai:
            rows = [openai_row(s) for s in samples]
        elif fmt is ExportFormat.sharegpt:
            rows = [sharegpt_row(s, copier) for s in samples]
        else:
            rows = [trl_row(s, copier) for s in samples]
        write_atomic(out_path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return ExportSummary(
        format=fmt,
        out=str(out_path),
        records=n_records,
        samples=len(samples),
        images=sum(len(s.images) for s in samples),
        skipped=skipped,
        missing_images=sorted(set(missing)),
    )
