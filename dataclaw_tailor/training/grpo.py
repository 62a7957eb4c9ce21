"""GRPO on tailoring prompts with TRL's GRPOTrainer and the rule rewards of `training.rewards`.

The three rewards go to TRL as separate functions with `reward_weights` = (l1, l2, l3), so TRL logs
`rewards/format_reward/mean`, `rewards/anchor_reward/mean`, `rewards/efficiency_reward/mean` apart and
optimises their weighted sum R = l1*R_format + l2*R_anchor + l3*R_eff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .config import GRPOSettings
from .recipes import GroupRun, RunResult, train_groups, trainer_arguments
from .rewards import LengthBudget, anchor_reward, efficiency_reward, format_reward
from .triplets import grpo_row


def reward_functions(length: LengthBudget) -> list[Callable[..., list[float]]]:
    """format, anchor and efficiency rewards, the last bound to the configured length budget."""

    def efficiency(completions: Any, **columns: Any) -> list[float]:
        return efficiency_reward(completions, budget=length, **columns)

    efficiency.__name__ = efficiency_reward.__name__
    return [format_reward, anchor_reward, efficiency]


def train_grpo(settings: GRPOSettings) -> list[RunResult]:
    """Run GRPO for each recipe group (tailoring rows only: clarification targets have no anchors)."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    settings = settings.model_copy(update={"data": settings.data.model_copy(update={"include_clarify": False})})
    vision = settings.model.modality == "vision"

    def trainer(run: GroupRun) -> Any:
        args = GRPOConfig(
            **trainer_arguments(settings, run.output),
            num_generations=settings.num_generations,
            max_completion_length=settings.max_completion_length,
            temperature=settings.temperature,
            beta=settings.beta,
            reward_weights=settings.weights.as_list(),
        )
        return GRPOTrainer(
            model=run.model,
            reward_funcs=reward_functions(settings.length),
            args=args,
            train_dataset=Dataset.from_list([grpo_row(t, settings.data.prompt, vision) for t in run.triplets]),
            processing_class=run.processor,
            peft_config=run.peft,
        )

    return train_groups(settings, "grpo", trainer)
