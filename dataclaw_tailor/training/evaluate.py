"""Score a checkpoint on held-out triplets: generate greedily, then apply the rewards and the eval metrics.

Used for the before/after tables of a training run (`claw train demo`, `claw train score`). Validity,
R_format, R_anchor and R_eff come from `training.rewards`, Field/Semantic/Sequence from
`evals.metrics`: the same code GRPO optimises and `claw eval` reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .config import ModelSettings
from .loading import load_model, load_processor
from .rewards import RewardWeights, anchor_reward, combined_reward, efficiency_reward, format_reward
from .triplets import PromptStyle, Triplet, prompt_images, prompt_messages, reward_columns


class CheckpointScores(BaseModel):
    """Means over held-out prompts (rates and rewards in [0, 1], eval metrics in [0, 100])."""

    n: int
    json_valid: float = Field(description="Share of outputs that parse as strict JSON and are an object (a record).")
    schema_valid: float = Field(description="Share of outputs valid against the task schema (R_format = 1).")
    r_format: float
    r_anchor: float
    r_eff: float
    reward: float = Field(description="l1*R_format + l2*R_anchor + l3*R_eff.")
    field: float | None = Field(default=None, description="Eval Field score vs the reference record (None: not computed).")
    semantic: float | None = Field(default=None, description="Eval Semantic score vs the reference record.")
    sequence: float | None = Field(default=None, description="Eval Sequence score vs the reference record.")
    mean_chars: float = Field(description="Mean output length in characters.")
    samples: list[str] = Field(default_factory=list, description="The first few outputs, for a look.")


def generate(model_settings: ModelSettings, triplets: list[Triplet], *, style: PromptStyle = "serving", max_new_tokens: int = 512,
             batch_size: int = 8) -> list[str]:
    """Greedy completions for each triplet's prompt."""
    import torch

    model = load_model(model_settings)
    processor = load_processor(model_settings.path, model_settings.modality)
    vision = model_settings.modality == "vision"
    tok = processor.tokenizer if vision else processor
    tok.padding_side = "left"
    model.eval()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    outputs: list[str] = []
    for i in range(0, len(triplets), batch_size):
        chunk = triplets[i : i + batch_size]
        if vision:
            from trl.data_utils import prepare_multimodal_messages

            images = [prompt_images(t, style) for t in chunk]
            chats = [prepare_multimodal_messages(prompt_messages(t, style), images=imgs) for t, imgs in zip(chunk, images)]
            texts = [processor.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in chats]
            flat = [img for imgs in images for img in imgs]
            enc = processor(text=texts, images=flat or None, return_tensors="pt", padding=True).to(device)
        else:
            texts = [tok.apply_chat_template(prompt_messages(t, style), tokenize=False, add_generation_prompt=True) for t in chunk]
            enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
        with torch.no_grad():
            out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tok.pad_token_id,
                                 eos_token_id=tok.eos_token_id)
        outputs += tok.batch_decode(out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
    return outputs


def score(completions: list[str], triplets: list[Triplet], weights: RewardWeights = RewardWeights(), *,
          metrics: bool = True) -> CheckpointScores:
    """Rewards and (with `metrics`) eval metrics of `completions`, one per triplet, against the references.

    The eval metrics need the `eval` extra (the MiniLM sentence embedder for Semantic).
    """
    columns: dict[str, Any] = {k: [reward_columns(t)[k] for t in triplets] for k in ("schema", "anchors", "source", "record")}
    fmt = format_reward(completions, **columns)
    anc = anchor_reward(completions, **columns)
    eff = efficiency_reward(completions, **columns)
    total = combined_reward(completions, weights, **columns)
    preds = []
    for text in completions:  # a record is a JSON object: a bare number or list that parses is no record
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        preds.append(value if isinstance(value, dict) else None)
    n = max(len(completions), 1)

    def mean(values: list[float]) -> float:
        return round(sum(values) / n, 4)

    evals: dict[str, float] = {}
    if metrics:
        from ..evals.metrics import score_record

        rows = [score_record(p, t.record, t.json_schema, screen=t.source.screen) for p, t in zip(preds, triplets)]
        evals = {k: mean([getattr(r, k) for r in rows]) for k in ("field", "semantic", "sequence")}

    return CheckpointScores(
        n=len(completions), json_valid=mean([float(p is not None) for p in preds]), schema_valid=mean([float(f == 1.0) for f in fmt]),
        r_format=mean(fmt), r_anchor=mean(anc), r_eff=mean(eff), reward=mean(total),
        **evals,
        mean_chars=mean([float(len(c)) for c in completions]), samples=completions[:3],
    )


def score_checkpoint(path: str | Path, triplets: list[Triplet], *, modality: str = "text", style: PromptStyle = "serving",
                     max_new_tokens: int = 512, weights: RewardWeights = RewardWeights(), metrics: bool = True,
                     batch_size: int = 8) -> CheckpointScores:
    completions = generate(ModelSettings(path=str(path), modality=modality), triplets, style=style, max_new_tokens=max_new_tokens,
                           batch_size=batch_size)
    return score(completions, triplets, weights, metrics=metrics)
