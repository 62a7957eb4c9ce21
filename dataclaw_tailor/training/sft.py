"""Supervised fine-tuning on tailoring triplets with TRL's SFTTrainer (Omni or Expert recipe).

Rows are prompt-completion pairs (`triplets.sft_row`), so the loss falls on the JSON record only.
"""

from __future__ import annotations

import time

from .config import SFTSettings
from .loading import is_adapter, load_model, load_processor, peft_config
from .recipes import RunResult, checkpoint_for, finish, groups, output_for, resume_point, trainer_arguments
from .triplets import sft_row


def train_sft(settings: SFTSettings) -> list[RunResult]:
    """Run SFT for each recipe group (one for Omni, one per domain for Expert) and save the results."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    results = []
    for name, triplets in groups(settings).items():
        started = time.perf_counter()
        output = output_for(settings, name)
        checkpoint = checkpoint_for(settings, name)
        model_settings = settings.model.model_copy(update={"path": str(checkpoint)})
        continue_adapter = is_adapter(checkpoint) and settings.lora is not None
        model = load_model(model_settings, keep_adapter=continue_adapter)
        processor = load_processor(checkpoint, settings.model.modality)
        args = SFTConfig(**trainer_arguments(settings, output), max_length=settings.max_length)
        trainer = SFTTrainer(
            model=model,
            args=args,
            train_dataset=Dataset.from_list([sft_row(t, settings.data.prompt, settings.model.modality == "vision") for t in triplets]),
            processing_class=processor,
            peft_config=None if continue_adapter else peft_config(settings.lora),
        )
        trainer.train(resume_from_checkpoint=resume_point(output))
        results.append(finish(trainer, name, "sft", output, len(triplets), started))
    return results
