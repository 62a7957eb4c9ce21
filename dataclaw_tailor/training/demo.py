"""The CPU learning demonstration (`claw train demo`): the reward ablation, short.

`run_demo` runs a short version of `training.ablation` on the packaged nano model: held-out prompts
scored for the base model, after SFT, and after GRPO without and with R_anchor, on the generated
sources of `training.synthetic`. `base="tiny"` uses a randomly initialised tiny model built locally
instead (`model.tiny`), which must learn JSON from scratch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .ablation import AblationReport, AblationSettings, run_ablation

DEMO = AblationSettings(seeds=[0], train=32, heldout=6, devset=False, sft_steps=24, grpo_steps=6, save_steps=None)
"""`claw train demo` on the nano base: the ablation's recipe, one seed, a fraction of the data and steps (~10 min on 2 cores)."""
TINY_DEMO = AblationSettings(seeds=[0], train=96, heldout=8, devset=False, sft_steps=150, sft_lr=3e-3, grpo_steps=16,
                             grpo_lr=3e-5, batch_size=8, num_generations=8, temperature=0.8, save_steps=None)
"""The same on a randomly initialised tiny model (`model.tiny`): it must learn JSON from scratch, hence more steps
and a far higher learning rate; a few minutes on 2 cores."""


def run_demo(workdir: str | Path, *, base: str = "nano", seed: int = 0, log: Any = print, **overrides: Any) -> AblationReport:
    """The short ablation: base, SFT, GRPO without and with R_anchor, scored on held-out prompts.

    `base` is "nano" (the packaged model), "tiny" (a random tiny Qwen2 built here) or a checkpoint folder;
    `overrides` replace `AblationSettings` fields (train, heldout, sft_steps, grpo_steps, ...).
    """
    work = Path(workdir)
    settings = (TINY_DEMO if base == "tiny" else DEMO).model_copy(update={"seeds": [seed], **overrides})
    if base == "tiny":
        from ..model.tiny import build_tiny_model

        path = work / "tiny-base"
        if not (path / "config.json").exists():
            build_tiny_model(path, hidden_size=128, intermediate_size=256, num_hidden_layers=4, num_attention_heads=4,
                             num_key_value_heads=2, seed=seed)
        settings = settings.model_copy(update={"base": str(path)})
    elif base != "nano":
        settings = settings.model_copy(update={"base": base})
    return run_ablation(work, settings, log=log)
