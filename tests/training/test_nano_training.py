"""A short SFT then GRPO run on the packaged nano model (SmolLM2-135M-Instruct), served afterwards.

Small on purpose (two rows, a few steps, short completions): the suite runs on two CPU cores. The full
recipe and its table are `claw train ablation` (training/README.md).
"""

import json

import httpx
import pytest

from dataclaw_tailor.core.validate import check_record
from dataclaw_tailor.model.local import LocalBackend
from dataclaw_tailor.training.ablation import grpo_reward_log
from dataclaw_tailor.training.config import DataSettings, GRPOSettings, ModelSettings, SFTSettings
from dataclaw_tailor.training.synthetic import make_triplets
from dataclaw_tailor.training.grpo import train_grpo
from dataclaw_tailor.training.sft import train_sft
from dataclaw_tailor.training.triplets import TRIPLETS_FILE, prompt_messages, write_triplet

from ..conftest import serve_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nano_sft(nano_model, tmp_path_factory):
    """Four SFT steps on one fixed batch (two demo triplets): the loss on the same rows must fall."""
    work = tmp_path_factory.mktemp("nano-train")
    rows = make_triplets(2, seed=5)
    for t in rows:
        write_triplet(work / TRIPLETS_FILE, t)
    [result] = train_sft(SFTSettings(
        model=ModelSettings(path=str(nano_model)), data=DataSettings(path=str(work), include_clarify=False, prompt="compact"),
        output_dir=str(work / "sft"), learning_rate=1e-4, max_steps=4, batch_size=2, logging_steps=1, max_length=512, seed=0,
        save_steps=2,
    ))
    return work, rows, result


def test_sft_on_nano_lowers_the_loss_and_saves_a_resumable_checkpoint(nano_sft):
    work, _, result = nano_sft
    losses = [h["loss"] for h in result.log if "loss" in h]
    assert len(losses) == 4 and losses[-1] < losses[0], losses
    assert (work / "sft" / "model.safetensors").exists()
    assert sorted(p.name for p in (work / "sft").glob("checkpoint-*")) == ["checkpoint-4"]  # the latest kept
    assert (work / "sft" / "checkpoint-4" / "optimizer.pt").exists()  # what a stopped run resumes from


def test_grpo_on_nano_logs_each_reward(nano_sft, tmp_path):
    work, _, _ = nano_sft
    [result] = train_grpo(GRPOSettings(
        model=ModelSettings(path=str(work / "sft")), data=DataSettings(path=str(work), include_clarify=False, prompt="compact"),
        output_dir=str(tmp_path / "grpo"), learning_rate=1e-5, max_steps=2, batch_size=2, num_generations=2,
        max_completion_length=24, logging_steps=1, seed=0,
    ))
    assert result.steps == 2
    steps = grpo_reward_log(tmp_path / "grpo")
    assert len(steps) == 2
    for step in steps:
        for name in ("format_reward", "anchor_reward", "efficiency_reward"):
            assert 0.0 <= step[f"rewards/{name}/mean"] <= 1.0
        weighted = step["rewards/format_reward/mean"] + step["rewards/anchor_reward/mean"] + 0.2 * step["rewards/efficiency_reward/mean"]
        assert step["reward"] == pytest.approx(weighted, abs=1e-4)


def test_the_trained_nano_serves_locally_and_over_http(nano_sft, tmp_path):
    work, rows, _ = nano_sft
    t = rows[0]
    backend = LocalBackend(work / "sft", max_chars=32, max_items=2, threads=1)
    from dataclaw_tailor.core import GenerationRequest, Message

    request = GenerationRequest(messages=[Message.text(m["role"], m["content"]) for m in prompt_messages(t, "compact")],
                                json_schema=t.json_schema, task="custom", max_tokens=160)
    text = backend.generations([request])[0].text
    assert check_record(text, t.json_schema, t.anchors, t.source, repair=False).report.schema_valid, text
    with serve_model(work / "sft", "--max-chars", "32", "--max-items", "2", log=tmp_path / "serve.log") as url:
        body = {"model": "dataclaw", "max_tokens": 160, "messages": prompt_messages(t, "compact"),
                "response_format": {"type": "json_schema", "json_schema": {"name": "record", "schema": t.json_schema}}}
        reply = httpx.post(f"{url}/chat/completions", json=body, timeout=300).json()
    served = reply["choices"][0]["message"]["content"]
    assert isinstance(json.loads(served), dict)
    assert check_record(served, t.json_schema, t.anchors, t.source, repair=False).report.schema_valid, served
