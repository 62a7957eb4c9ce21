"""A guided conversation for chat users: from a folder of raw data to a fine-tuning file."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

GUIDE = """You are helping me build a fine-tuning dataset with the DataClaw Tailor tools.

My data: {path}
What I want: {goal}

Work through these steps, telling me briefly what you do:
1. Call `list_tasks` and pick the task schema that fits what I want; if none fits, use `custom` with a
   JSON Schema we agree on. Read `dataclaw://tasks/<task>/example` to show me one example record.
2. If my goal is vague, call `clarify_intent` on one item and ask me its questions (offer the options).
3. Try one item with `tailor` (pass the task and my answers); show me the record and any validation
   errors, and adjust the intent until I am happy with it.
4. For a folder, run `tailor_corpus` with the same task and intent; report the summary (ok, invalid,
   failed with reasons).
5. Offer to convert the result with `export_dataset` into the format my trainer reads.
Never invent timestamps or coordinates: every fact in a record must come from the tools' anchors."""


def tailor_dataset(
    path: Annotated[str, Field(description="File or folder with the raw data (videos, GUI traces, robot episodes, edit sequences).")] = "<ask me>",
    goal: Annotated[str, Field(description="What the dataset is for, in your own words.")] = "<ask me>",
) -> str:
    """Walk through tailoring raw streams into a grounded fine-tuning dataset, step by step."""
    return GUIDE.format(path=path, goal=goal)
