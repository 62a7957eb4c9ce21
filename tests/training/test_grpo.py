import json

import pytest

from dataclaw_tailor.training.config import DataSettings, GRPOSettings, LoraSettings, ModelSettings, SFTSettings
from dataclaw_tailor.training.grpo import train_grpo
from dataclaw_tailor.training.sft import train_sft

pytestmark = pytest.mark.slow


def grpo_settings(model, data, out, **kw) -> GRPOSettings:
    base = dict(model=ModelSettings(path=str(model)), data=DataSettings(path=str(data), prompt="compact"), output_dir=str(out),
                batch_size=4, num_generations=4, max_completion_length=16, logging_steps=1, max_steps=2)
    return GRPOSettings(**(base | kw))


def test_grpo_steps_log_each_weighted_reward(tiny_model, triplet_dir, tmp_path):
    [result] = train_grpo(grpo_settings(tiny_model, triplet_dir, tmp_path / "grpo"))
    assert result.steps == 2 and result.stage == "grpo"
    step = next(h for h in result.log if "reward" in h)
    for name in ("format_reward", "anchor_reward", "efficiency_reward"):
        assert f"rewards/{name}/mean" in step
    # 16 tokens cannot hold a record: nothing parses, so format and anchor are 0, and l3 * R_eff = 0.2 * 1
    assert step["rewards/format_reward/mean"] == 0.0
    assert step["reward"] == pytest.approx(0.2 * step["rewards/efficiency_reward/mean"])
    assert (tmp_path / "grpo" / "model.safetensors").exists()


def test_expert_grpo_continues_each_domain_adapter_on_the_same_base(tiny_model, triplet_dir, tmp_path):
    lora = LoraSettings(r=4, alpha=8)
    sft = SFTSettings(model=ModelSettings(path=str(tiny_model)), data=DataSettings(path=str(triplet_dir), prompt="compact"),
                      output_dir=str(tmp_path / "sft"), recipe="expert", lora=lora, max_steps=1, batch_size=4, max_length=512)
    train_sft(sft)
    results = train_grpo(grpo_settings(tmp_path / "sft", triplet_dir, tmp_path / "grpo", recipe="expert", lora=lora, max_steps=1))
    assert sorted(r.name for r in results) == ["daily", "education"]
    for domain in ("daily", "education"):
        config = json.loads((tmp_path / "grpo" / domain / "adapter_config.json").read_text())
        assert config["base_model_name_or_path"] == str(tiny_model.resolve())
