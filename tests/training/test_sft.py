import json

import pytest

from dataclaw_tailor.training.config import DataSettings, LoraSettings, ModelSettings, SFTSettings
from dataclaw_tailor.training.loading import load_model, load_processor
from dataclaw_tailor.training.sft import train_sft

pytestmark = pytest.mark.slow


def settings(model, data, out, **kw) -> SFTSettings:
    base = dict(model=ModelSettings(path=str(model)), data=DataSettings(path=str(data), prompt="compact"), output_dir=str(out),
                batch_size=4, logging_steps=1, max_length=512, learning_rate=3e-3)
    return SFTSettings(**(base | kw))


def test_full_sft_lowers_the_loss_and_saves_a_loadable_model(tiny_model, triplet_dir, tmp_path):
    [result] = train_sft(settings(tiny_model, triplet_dir, tmp_path / "sft", max_steps=12))
    losses = [h["loss"] for h in result.log if "loss" in h]
    assert result.steps == 12 and result.rows == 8
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3
    summary = json.loads((tmp_path / "sft" / "train_summary.json").read_text())
    assert summary["stage"] == "sft" and summary["seconds_per_step"] > 0
    model = load_model(ModelSettings(path=str(tmp_path / "sft")))
    assert model.num_parameters() > 0


def test_expert_recipe_trains_one_lora_adapter_per_domain_that_loads_for_inference(tiny_model, triplet_dir, tmp_path):
    import torch

    out = tmp_path / "experts"
    results = train_sft(settings(tiny_model, triplet_dir, out, recipe="expert", lora=LoraSettings(r=4, alpha=8), max_steps=2))
    assert sorted(r.name for r in results) == ["daily", "education"]
    for domain in ("daily", "education"):
        adapter = out / domain
        config = json.loads((adapter / "adapter_config.json").read_text())
        assert config["base_model_name_or_path"] == str(tiny_model.resolve())
        model = load_model(ModelSettings(path=str(adapter)))
        tok = load_processor(adapter)
        ids = tok.apply_chat_template([{"role": "user", "content": "caption"}], add_generation_prompt=True, return_tensors="pt", return_dict=True)
        with torch.no_grad():
            out_ids = model.generate(**ids, max_new_tokens=5, do_sample=False, pad_token_id=tok.pad_token_id)
        assert out_ids.shape[1] > ids["input_ids"].shape[1]


def test_lora_changes_only_the_adapter(tiny_model, triplet_dir, tmp_path):
    from safetensors.torch import load_file

    train_sft(settings(tiny_model, triplet_dir, tmp_path / "lora", lora=LoraSettings(r=4, alpha=8), max_steps=3))
    weights = load_file(str(tmp_path / "lora" / "adapter_model.safetensors"))
    assert weights and all("lora_" in k for k in weights)
    assert any(float(v.abs().sum()) > 0 for k, v in weights.items() if "lora_B" in k)
