"""What the user wants from a source."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Intent(BaseModel):
    text: str = Field(description="The user's request in their own words.")
    domain: str | None = Field(default=None, description="Expert domain if the user named one: gui, embodied, daily, education, aigc, custom.")
    task: str | None = Field(default=None, description="Task name if the user named one, e.g. 'gui.trajectory'.")
    schema_: dict[str, Any] | None = Field(default=None, alias="schema", description="A custom JSON Schema for the 'custom' task.")
    answers: dict[str, str] = Field(default_factory=dict, description="Answers to clarification questions, by question id.")
    target_use: str | None = Field(default=None, description="Downstream use, e.g. 'SFT for Qwen-VL GUI agent'.")
    max_items: int | None = Field(default=None, ge=1, description="Upper bound on list items (steps, events, QA pairs).")
    language: str = Field(default="en", description="Language for generated text.")

    model_config = {"populate_by_name": True}
