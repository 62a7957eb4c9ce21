"""The envelope around a tailored record: the record plus where it came from."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .report import ValidationReport


class Provenance(BaseModel):
    source_path: str
    source_hash: str
    source_kind: str
    domain: str
    task: str
    schema_version: str
    backend: str
    model_id: str = ""
    anchors_digest: str = ""
    timings_s: dict[str, float] = Field(default_factory=dict, description="Seconds spent per graph node.")


class Envelope(BaseModel):
    """What tailoring produces: a record, its provenance and its validation report."""

    record: dict[str, Any] | None
    provenance: Provenance
    validation: ValidationReport
