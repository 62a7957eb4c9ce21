"""`export_records`: the valid records of a JSONL file -> a fine-tuning set in one format.

Only records that came out valid are exported; every other line is listed in the summary with its
reason, so nothing disappears silently.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Literal


from ..core import InputError
from .formats import ExportFormat, ExportSummary, Skipped
from ..tools.files import write_atomic
from .chat import ImageCopier, openai_row, sharegpt_row, trl_row
from .envelopes import ImageRefs, read_entries, unexportable
from .hf import write_hf
from .units import Sample, samples_for

log = logging.getLogger(__name__)

CHAT_ROWS = {ExportFormat.openai: openai_row, ExportFormat.sharegpt: sharegpt_row, ExportFormat.trl: trl_row}


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
        reason = unexportable(entry)
        if reason is not None:
            skipped.append(Skipped(line=n, reason=reason))
            continue
        n_records += 1
        images = ImageRefs(entry, records_path.parent)
        key = str(entry.get("thread_id") or f"line{n}")
        samples.extend(samples_for(key, entry, images, unit))
        missing.extend(images.missing)
    if fmt is ExportFormat.hf:
        write_hf(samples, out_path, records_path)
    else:
        row, copier = CHAT_ROWS[fmt], ImageCopier(out_path)
        write_atomic(out_path, "".join(json.dumps(row(s, copier), ensure_ascii=False) + "\n" for s in samples))
    log.debug("exported %d samples from %d records of %s as %s to %s (%d lines skipped)",
              len(samples), n_records, records_path, fmt.value, out_path, len(skipped))
    return ExportSummary(
        format=fmt,
        out=str(out_path),
        records=n_records,
        samples=len(samples),
        images=sum(len(s.images) for s in samples),
        skipped=skipped,
        missing_images=sorted(set(missing)),
    )
