"""Omni and Expert recipes: which triplets each training run sees and where its weights go.

Omni trains one model on every domain. Expert trains one LoRA adapter per domain on a shared base and
saves it under `<output_dir>/<domain>`, the layout `claw serve-model --expert <domain>=<dir>` serves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..core import InputError
from .config import TrainSettings
from .loading import is_adapter, load_model, load_processor, peft_config
from .triplets import Triplet, read_triplets, select

OMNI = "omni"
SUMMARY_FILE = "train_summary.json"


class RunResult(BaseModel):
    """What one training run did, also written to `<output>/train_summary.json`."""

    name: str = Field(description="'omni' or the expert's domain.")
    stage: str = Field(description="'sft' or 'grpo'.")
    output_dir: str
    rows: int = Field(description="Training rows seen.")
    steps: int = Field(description="Optimiser steps taken.")
    seconds: float
    seconds_per_step: float
    train_loss: float | None = None
    log: list[dict[str, Any]] = Field(default_factory=list, description="TRL's logged metrics per logging step.")


def groups(settings: TrainSettings) -> dict[str, list[Triplet]]:
    """Triplets per run: {'omni': all} or {domain: that domain's} for the Expert recipe."""
    kinds = ("tailor", "clarify") if settings.data.include_clarify else ("tailor",)
    chosen = select(read_triplets(settings.data.path), domains=settings.data.domains, kinds=kinds, only_valid=settings.data.only_valid)
    if settings.data.limit:
        chosen = chosen[: settings.data.limit]
    if not chosen:
        raise InputError(settings.data.path, "no usable triplets for this config (check domains / only_valid)")
    if settings.recipe == OMNI:
        return {OMNI: chosen}
    per_domain: dict[str, list[Triplet]] = {}
    for t in chosen:
        per_domain.setdefault(t.domain, []).append(t)
    return per_domain


def output_for(settings: TrainSettings, name: str) -> Path:
    root = Path(settings.output_dir)
    return root if name == OMNI else root / name


def checkpoint_for(settings: TrainSettings, name: str) -> Path:
    """The checkpoint a run starts from; an Expert run continues its own domain's adapter when the model
    folder holds one (GRPO after Expert SFT)."""
    path = Path(settings.model.path).resolve()
    if name != OMNI and (path / name / "adapter_config.json").exists():
        return path / name
    return path


def trainer_arguments(settings: TrainSettings, output: Path) -> dict[str, Any]:
    """The TrainingArguments both TRL trainers share; bf16 only where a GPU is present."""
    import torch

    cuda = torch.cuda.is_available()
    args: dict[str, Any] = {
        "output_dir": str(output),
        "learning_rate": settings.learning_rate,
        "num_train_epochs": settings.epochs,
        "max_steps": settings.max_steps,
        "per_device_train_batch_size": settings.batch_size,
        "gradient_accumulation_steps": settings.grad_accum,
        "warmup_steps": settings.warmup_steps,
        "seed": settings.seed,
        "logging_steps": settings.logging_steps,
        "report_to": settings.report_to or "none",
        "save_strategy": "steps" if settings.save_steps else "no",
        "bf16": cuda and settings.model.dtype in ("auto", "bfloat16"),
        "use_cpu": not cuda,
        "disable_tqdm": True,
    }
    if settings.save_steps:
        args.update(save_steps=settings.save_steps, save_total_limit=1)
    if settings.gradient_checkpointing:
        args["gradient_checkpointing"] = True
    return args


def resume_point(output: Path) -> str | None:
    """The latest `checkpoint-N` folder a stopped run left in `output` (None: start afresh)."""
    steps = [(int(p.name.split("-")[1]), p) for p in output.glob("checkpoint-*") if p.name.split("-")[1].isdigit()]
    return str(max(steps)[1]) if steps else None


def finish(trainer: Any, name: str, stage: str, output: Path, rows: int, started: float) -> RunResult:
    """Save the weights (or adapter) with the tokenizer and write the run summary."""
    trainer.save_model(str(output))
    trainer.processing_class.save_pretrained(str(output))
    seconds = time.perf_counter() - started
    steps = int(trainer.state.global_step)
    history = [dict(h) for h in trainer.state.log_history]
    losses = [h["train_loss"] for h in history if "train_loss" in h]
    result = RunResult(
        name=name, stage=stage, output_dir=str(output), rows=rows, steps=steps, seconds=round(seconds, 3),
        seconds_per_step=round(seconds / max(steps, 1), 4), train_loss=losses[-1] if losses else None, log=history,
    )
    (output / SUMMARY_FILE).write_text(json.dumps(result.model_dump(), indent=2, default=str))
    return result


@dataclass(frozen=True)
class GroupRun:
    """What a stage's trainer is built from, for one recipe group."""

    triplets: list[Triplet]
    output: Path
    model: Any
    processor: Any
    peft: Any = None
    """The LoRA config of a new adapter; None when training the whole model or continuing the checkpoint's adapter."""


def train_groups(settings: TrainSettings, stage: str, trainer_for: Callable[[GroupRun], Any]) -> list[RunResult]:
    """Run one stage for each recipe group (one for Omni, one per domain for Expert).

    Each group starts from its checkpoint (the base model, or an earlier stage's output, continuing its LoRA
    adapter when it is one), resumes from a checkpoint a stopped run left, and saves its weights and summary;
    `trainer_for` builds the stage's TRL trainer from the loaded pieces.
    """
    results = []
    for name, triplets in groups(settings).items():
        started = time.perf_counter()
        output = output_for(settings, name)
        checkpoint = checkpoint_for(settings, name)
        continue_adapter = is_adapter(checkpoint) and settings.lora is not None
        model = load_model(settings.model.model_copy(update={"path": str(checkpoint)}), keep_adapter=continue_adapter)
        trainer = trainer_for(GroupRun(triplets=triplets, output=output, model=model,
                                       processor=load_processor(checkpoint, settings.model.modality),
                                       peft=None if continue_adapter else peft_config(settings.lora)))
        trainer.train(resume_from_checkpoint=resume_point(output))
        results.append(finish(trainer, name, stage, output, len(triplets), started))
    return results
