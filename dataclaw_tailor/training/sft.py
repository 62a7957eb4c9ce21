"""Supervised fine-tuning on tailoring triplets with TRL's SFTTrainer (Omni or Expert recipe).

Rows are prompt-completion pairs (`triplets.sft_row`), so the loss falls on the JSON record only.
"""

from __future__ import annotations

from typing import Any

from .config import SFTSettings
from .recipes import GroupRun, RunResult, train_groups, trainer_arguments
from .triplets import sft_row


def train_sft(settings: SFTSettings) -> list[RunResult]:
    """Run SFT for each recipe group (one for Omni, one per domain for Expert) and save the results."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    vision = settings.model.modality == "vision"

    def trainer(run: GroupRun) -> Any:
        return SFTTrainer(
            model=run.model,
            args=SFTConfig(**trainer_arguments(settings, run.output), max_length=settings.max_length),
            train_dataset=Dataset.from_list([sft_row(t, settings.data.prompt, vision) for t in run.triplets]),
            processing_class=run.processor,
            peft_config=run.peft,
        )

    return train_groups(settings, "sft", trainer)
