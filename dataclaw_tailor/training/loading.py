"""Load checkpoints for training: text or vision-language, full weights or a LoRA adapter on a base.

Shared by SFT, GRPO and the before/after scoring, so every stage reads a checkpoint the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core import InputError
from .config import LoraSettings, ModelSettings


def _torch_dtype(settings: ModelSettings):
    import torch

    if settings.dtype == "auto":
        return torch.bfloat16 if torch.cuda.is_available() else torch.float32
    return getattr(torch, settings.dtype)


def is_adapter(path: str | Path) -> bool:
    return (Path(path) / "adapter_config.json").exists()


def _checkpoint(path: str | Path) -> Path:
    """`path` if it holds a transformers checkpoint or a LoRA adapter; else an InputError naming it."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(path, "checkpoint folder not found")
    if not (path / "config.json").exists() and not is_adapter(path):
        raise InputError(path, "not a checkpoint (no config.json or adapter_config.json)")
    return path


def load_processor(path: str | Path, modality: str = "text") -> Any:
    """The tokenizer (text) or processor (vision) saved with a checkpoint.

    A tokenizer saved as a plain `PreTrainedTokenizerFast` (our locally built tiny models) is reloaded as
    that class: `AutoTokenizer` would pick the architecture's own tokenizer class and change the ids.
    """
    from transformers import AutoProcessor, AutoTokenizer, PreTrainedTokenizerFast

    path = _checkpoint(path)
    if is_adapter(path) and not (path / "tokenizer_config.json").exists():
        path = Path(json.loads((path / "adapter_config.json").read_text())["base_model_name_or_path"])
    if modality == "vision":
        return AutoProcessor.from_pretrained(str(path))
    config_file = path / "tokenizer_config.json"
    if config_file.exists() and json.loads(config_file.read_text()).get("tokenizer_class") == "PreTrainedTokenizerFast":
        return PreTrainedTokenizerFast.from_pretrained(str(path))
    return AutoTokenizer.from_pretrained(str(path))


def load_model(settings: ModelSettings, *, keep_adapter: bool = False) -> Any:
    """The model to train or score.

    An adapter folder is loaded onto its base. With `keep_adapter` the adapter stays a trainable peft
    model, so GRPO after LoRA SFT goes on training the same adapter and saves it against the same base
    (what `serve-model --expert` needs); otherwise it is merged into the base weights.
    """
    from transformers import AutoModelForCausalLM, AutoModelForImageTextToText

    path = _checkpoint(settings.path)
    auto = AutoModelForImageTextToText if settings.modality == "vision" else AutoModelForCausalLM
    dtype = _torch_dtype(settings)
    if is_adapter(path):
        from peft import PeftModel

        base_path = json.loads((path / "adapter_config.json").read_text())["base_model_name_or_path"]
        base = auto.from_pretrained(base_path, dtype=dtype)
        model = PeftModel.from_pretrained(base, str(path), is_trainable=keep_adapter)
        return model if keep_adapter else model.merge_and_unload()
    return auto.from_pretrained(str(path), dtype=dtype)


def peft_config(lora: LoraSettings | None) -> Any:
    if lora is None:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=lora.target_modules, task_type="CAUSAL_LM"
    )
