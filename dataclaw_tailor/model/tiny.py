"""Build a tiny Qwen2-architecture checkpoint and BPE tokenizer locally, with no downloads.

Tests, benchmarks and the training smoke runs need a real transformers checkpoint that loads through
the same code paths as a production one (`AutoModelForCausalLM`, a fast tokenizer with a chat
template, special tokens `<|im_start|>`/`<|im_end|>`), but this machine may never fetch weights from a
hub. The weights are randomly initialised; the tokenizer is a byte-level BPE trained on a small
built-in corpus of JSON and English, so every byte sequence (and therefore every JSON document a
grammar allows) is encodable.
"""

from __future__ import annotations

import json
from pathlib import Path

SPECIAL_TOKENS = ("<|pad|>", "<|im_start|>", "<|im_end|>")

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}"
    "{% elif part['type'] == 'image' %}<image>{% endif %}{% endfor %}"
    "{% endif %}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
"""Qwen-style turns; an image part becomes the `<image>` placeholder the vision-language processor expands."""

IMAGE_TOKEN = "<image>"

_WORDS = (
    "the a an and or of to in on at for with from by is are was be this that it as click type scroll drag key "
    "press wait done open close grasp release move pick place put bottle cup table drawer button menu search "
    "field window page text image video frame shot scene step task goal observation thought action target "
    "element screen robot gripper arm hand object left right up down start end time seconds caption summary "
    "question answer reasoning clip span region before after instruction prompt camera motion static event "
    "events steps segments anomalies skill description state pairs clips qa topic title on_screen_text "
    "anchor_ids start_s end_s x y text keys direction platform width height screenshot verb noun contact "
    "hesitation regrasp drop idle temporal_order counting spatial causal state_change ubuntu firefox bing "
    "cake chocolate bake how what where when which why who count many first then next finally user model"
).split()


def _corpus() -> list[str]:
    """A deterministic mix of JSON fragments, numbers and words: enough for useful BPE merges."""
    lines: list[str] = []
    for i, word in enumerate(_WORDS):
        other = _WORDS[(i * 7 + 3) % len(_WORDS)]
        lines.append(f"The {word} {other} is at {i * 13 % 1024}, {i * 29 % 768} after {i * 0.37:.2f} seconds.")
        lines.append(json.dumps({word: other, "start_s": round(i * 0.5, 2), "end_s": round(i * 0.5 + 1.25, 2),
                                 "anchor_ids": [f"shot:{i % 9}", f"gui_event:{i % 17}"], "x": i * 11 % 1920,
                                 "y": i * 5 % 1080, "ok": i % 2 == 0, "none": None}))
        lines.append(json.dumps({"steps": [{"action": {"type": word, "text": other}}], "n": -i, "f": i / 7}))
    lines.append("".join(chr(c) for c in range(32, 127)))
    return lines * 4


def build_tokenizer(vocab_size: int = 2048):
    """A byte-level BPE `PreTrainedTokenizerFast` with Qwen-style chat specials and template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    tok.add_special_tokens([IMAGE_TOKEN])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|pad|>",
        bos_token=None,
        chat_template=CHAT_TEMPLATE,
        padding_side="left",
    )


TINY_SIZES: dict[str, int] = {
    "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "max_position_embeddings": 8192,
}
"""Qwen2 sizes of the default tiny model: ~200k parameters, fast on two CPU cores."""


def build_tiny_model(path: str | Path, *, vocab_size: int = 2048, seed: int = 0, **sizes: int) -> Path:
    """Write a randomly initialised Qwen2 causal LM and its tokenizer to `path`; return the path.

    `sizes` override `TINY_SIZES` (any size field of `Qwen2Config`); larger sizes serve GPU benchmarks.
    Load the tokenizer back with `PreTrainedTokenizerFast.from_pretrained` (see `load_tokenizer`).
    """
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    unknown = sorted(set(sizes) - set(TINY_SIZES))
    if unknown:
        raise TypeError(f"build_tiny_model: unknown sizes {unknown}; it takes {sorted(TINY_SIZES)}")
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    tok = build_tokenizer(vocab_size)
    config = Qwen2Config(
        vocab_size=-(-len(tok) // 64) * 64,
        **(TINY_SIZES | sizes),
        tie_word_embeddings=True,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, do_sample=True, temperature=1.0
    )
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def load_tokenizer(path: str | Path):
    """Reload a tokenizer saved by `build_tiny_model` (AutoTokenizer would pick Qwen2Tokenizer and change ids)."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast.from_pretrained(str(path))
