"""The export formats and what an export reports: plain models, importable without the writers behind them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class ExportFormat(StrEnum):
    openai = "openai"
    sharegpt = "sharegpt"
    trl = "trl"
    hf = "hf"


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
