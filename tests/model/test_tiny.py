import json

from transformers import AutoModelForCausalLM

from dataclaw_tailor.model.tiny import load_tokenizer


def test_tiny_checkpoint_loads_and_round_trips_json(tiny_model):
    tok = load_tokenizer(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert model.config.model_type == "qwen2"
    assert model.config.vocab_size >= len(tok)
    assert sum(p.numel() for p in model.parameters()) < 500_000
    text = json.dumps({"start_s": 1.25, "caption": "héllo 中文\t", "anchor_ids": ["shot:3"]}, ensure_ascii=False)
    assert tok.decode(tok(text).input_ids) == text
    prompt = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert prompt == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|pad|>"
