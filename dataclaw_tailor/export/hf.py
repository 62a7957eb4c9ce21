"""Samples -> a Hugging Face dataset folder: one parquet split with embedded image bytes and a dataset card.

`datasets.load_dataset(folder)` must return exactly the rows of the latest export, also when a smaller
set is exported into the same folder. Two things could bring old rows back: shard files left over from
an earlier export, and the `datasets` cache, which for a folder whose card lists `configs` keys its
entry on the card's data-file patterns, not on the files' contents. So the shard is named after its
content hash, the card names that one file, and the card is the switch: the new shard is written
first, then the card is replaced atomically, then older shards are removed. A reader sees the old set
or the new one, never a mix, and a changed set always gets a fresh cache entry.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from ..core import DataClawError
from ..tools.files import new_file_mode, write_atomic
from .units import Sample

log = logging.getLogger(__name__)

SHARD_GLOB = "train-*.parquet"


def write_hf(samples: list[Sample], out: Path, records_path: Path) -> Path:
    """Write the split and its card under `out`; returns the shard written."""
    try:
        from datasets import Dataset, Features, Image, Sequence, Value
    except ImportError:
        raise DataClawError("the hf format needs the `datasets` package: pip install 'dataclaw-tailor[eval]'") from None

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
    fd, tmp = tempfile.mkstemp(dir=data, prefix=".train-", suffix=".tmp")
    os.fchmod(fd, new_file_mode())
    os.close(fd)
    try:
        Dataset.from_dict(rows, features=features).to_parquet(tmp)
        shard = data / f"train-{_file_digest(Path(tmp))[:16]}.parquet"
        os.replace(tmp, shard)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    write_atomic(out / "README.md", card(samples, records_path, shard.relative_to(out).as_posix()))
    for stale in data.glob(SHARD_GLOB):
        if stale != shard:
            log.debug("removing shard of an earlier export: %s", stale)
            stale.unlink(missing_ok=True)
    return shard


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def card(samples: list[Sample], records_path: Path, shard: str) -> str:
    """The dataset card: YAML front matter naming the one data file of the train split, then a summary."""
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
    path: {shard}
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
