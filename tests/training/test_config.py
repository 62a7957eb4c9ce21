import pytest

from dataclaw_tailor.core import InputError
from dataclaw_tailor.training.config import GRPOSettings, SFTSettings, load_settings


def test_yaml_config_loads_with_defaults(tmp_path):
    f = tmp_path / "grpo.yaml"
    f.write_text("model: {path: m}\ndata: {path: d, domains: [gui]}\noutput_dir: o\nweights: {format: 1.0, anchor: 2.0, efficiency: 0.1}\n")
    s = load_settings(f, GRPOSettings)
    assert s.weights.as_list() == [1.0, 2.0, 0.1]
    assert s.num_generations == 4 and s.data.domains == ["gui"] and s.data.prompt == "serving"


def test_bad_field_is_named(tmp_path):
    f = tmp_path / "sft.json"
    f.write_text('{"model": {"path": "m"}, "data": {"path": "d"}, "output_dir": "o", "batch_size": 0}')
    with pytest.raises(InputError, match="batch_size"):
        load_settings(f, SFTSettings)


def test_expert_recipe_needs_lora(tmp_path):
    f = tmp_path / "sft.yaml"
    f.write_text("model: {path: m}\ndata: {path: d}\noutput_dir: o\nrecipe: expert\n")
    with pytest.raises(InputError, match="lora"):
        load_settings(f, SFTSettings)


@pytest.mark.parametrize("name", ["sft_omni.yaml", "sft_expert.yaml", "grpo_omni.yaml"])
def test_example_configs_load(name):
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "training" / name
    s = load_settings(path, GRPOSettings if name.startswith("grpo") else SFTSettings)
    assert s.output_dir.startswith("checkpoints/")
