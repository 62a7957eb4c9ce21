"""Training run configurations: pydantic models read from YAML or JSON files (`claw train sft --config FILE`).

A config names the checkpoint, the triplets, the recipe (Omni: one model for every domain; Expert: one
LoRA adapter per domain, saved under `<output_dir>/<domain>` so `claw serve-model --expert gui=<dir>/gui`
serves it) and the optimiser settings TRL needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from ..core import InputError
from ..core.errors import first_problem
from ..tools.files import read_data
from .rewards import LengthBudget, RewardWeights


class LoraSettings(BaseModel):
    r: int = Field(default=16, ge=1, description="LoRA rank.")
    alpha: int = Field(default=32, ge=1, description="LoRA scaling numerator (lora_alpha).")
    dropout: float = Field(default=0.05, ge=0, lt=1, description="Dropout on the LoRA path.")
    target_modules: list[str] | str = Field(default="all-linear", description="Modules to adapt, or 'all-linear'.")


class ModelSettings(BaseModel):
    path: str = Field(description="Local checkpoint folder (a full model, or a LoRA adapter on top of one).")
    modality: Literal["text", "vision"] = Field(default="text", description="Text-only LM or vision-language model.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="Weights dtype; 'auto' is float32 on CPU and bfloat16 on CUDA."
    )


class DataSettings(BaseModel):
    path: str = Field(description="A `claw train construct` output folder or a triplets JSONL file.")
    domains: list[str] | None = Field(default=None, description="Domains to train on; all when unset.")
    include_clarify: bool = Field(default=True, description="Also learn to ask clarification questions.")
    only_valid: bool = Field(default=True, description="Skip records that failed validation.")
    limit: int | None = Field(default=None, ge=1, description="Use at most this many rows (smoke runs).")
    prompt: Literal["serving", "compact"] = Field(
        default="serving", description="'serving': the graph's own backend prompt (with schema); 'compact': anchors only, for small models."
    )


class TrainSettings(BaseModel):
    """What both SFT and GRPO share."""

    model: ModelSettings
    data: DataSettings
    output_dir: str = Field(description="Where checkpoints, adapters and logs go.")
    recipe: Literal["omni", "expert"] = Field(default="omni", description="One model for all domains, or one adapter per domain.")
    lora: LoraSettings | None = Field(default=None, description="Train a LoRA adapter instead of all weights (required by 'expert').")
    learning_rate: float = Field(default=2e-4, gt=0)
    epochs: float = Field(default=1.0, gt=0)
    max_steps: int = Field(default=-1, description="Stop after this many optimiser steps (-1: run the epochs).")
    batch_size: int = Field(default=4, ge=1, description="Per-device batch size.")
    grad_accum: int = Field(default=1, ge=1)
    warmup_steps: int | float = Field(default=0, ge=0, description="Linear warm-up: a step count, or a fraction of the run when below 1.")
    seed: int = 0
    logging_steps: int = Field(default=10, ge=1)
    gradient_checkpointing: bool = False
    save_steps: int | None = Field(
        default=None, ge=1,
        description="Save a resumable checkpoint (weights, optimiser, scheduler, RNG) every N steps under "
        "<output_dir>/checkpoint-N, keeping the latest; a re-run of the same config resumes from it.",
    )
    report_to: list[str] = Field(default_factory=list, description="TRL/transformers loggers, e.g. ['tensorboard'].")


class SFTSettings(TrainSettings):
    max_length: int = Field(default=2048, ge=16, description="Tokens per example; longer ones are truncated.")


class GRPOSettings(TrainSettings):
    learning_rate: float = Field(default=1e-5, gt=0)
    num_generations: int = Field(default=4, ge=2, description="Completions sampled per prompt (the group).")
    max_completion_length: int = Field(default=512, ge=8)
    temperature: float = Field(default=1.0, gt=0)
    beta: float = Field(default=0.0, ge=0, description="KL coefficient against the starting model.")
    weights: RewardWeights = Field(default_factory=RewardWeights, description="l1 format, l2 anchor, l3 efficiency.")
    length: LengthBudget = Field(default_factory=LengthBudget, description="Free length and fall-off of R_eff.")


Settings = TypeVar("Settings", bound=BaseModel)


def load_settings(path: str | Path, cls: type[Settings]) -> Settings:
    """Read a YAML or JSON config file into `cls`; a bad file raises InputError naming the field."""
    data = read_data(path, "config")
    if not isinstance(data, dict):
        raise InputError(path, "config must be a mapping")
    try:
        settings = cls.model_validate(data)
    except ValidationError as exc:
        raise InputError(path, first_problem(exc)) from exc
    if getattr(settings, "recipe", None) == "expert" and getattr(settings, "lora", None) is None:
        raise InputError(path, "recipe 'expert' trains one LoRA adapter per domain: add a 'lora' section")
    return settings
