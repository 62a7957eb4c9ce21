"""What writing an audit page reports: a plain model, importable without the page builder (the MCP tool's output)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ViewResult(BaseModel):
    """What `render_view` wrote."""

    page: str = Field(description="The page to open: the record's page, or the index of a JSONL / corpus.")
    pages: list[str] = Field(default_factory=list, description="Every per-record page written.")
    charts: list[str] = Field(default_factory=list, description="Timeline PNGs written beside the pages.")
    rows: int = Field(default=0, description="Index rows (0 for a single envelope).")
    warnings: list[str] = Field(default_factory=list, description="What a page could not show, prefixed by the page.")
