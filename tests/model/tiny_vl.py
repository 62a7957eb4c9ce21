"""Tiny random vision-language checkpoints for tests of the vision paths (local backend, VLM SFT).

Built here from the package's byte-level BPE tokenizer (`dataclaw_tailor.model.tiny`), with no downloads.
"""

from __future__ import annotations

from pathlib import Path

from dataclaw_tailor.model.tiny import CHAT_TEMPLATE, IMAGE_TOKEN, build_tokenizer


def build_tiny_vl_model(path: str | Path, *, image_size: int = 56, seed: int = 0) -> Path:
    """Write a random LLaVA-style vision-language checkpoint (tiny CLIP tower + tiny Qwen2) and its processor.

    It loads with `AutoProcessor` + `AutoModelForImageTextToText`, the path the local backend takes for
    VL configs. (Qwen2-VL's own processor needs torchvision for its video half, which this stack lacks.)
    """
    import torch
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        Qwen2Config,
    )

    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    tok = build_tokenizer()
    side = {"height": image_size, "width": image_size}
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": image_size}, crop_size=side),
        tokenizer=tok, chat_template=CHAT_TEMPLATE, patch_size=14,
        vision_feature_select_strategy="full", num_additional_image_tokens=1,
    )
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                                       image_size=image_size, patch_size=14, projection_dim=32),
        text_config=Qwen2Config(vocab_size=-(-len(tok) // 64) * 64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                num_attention_heads=4, num_key_value_heads=2, pad_token_id=tok.pad_token_id,
                                eos_token_id=tok.eos_token_id),
        image_token_id=tok.convert_tokens_to_ids(IMAGE_TOKEN), vision_feature_select_strategy="full",
        vision_feature_layer=-1, tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    LlavaForConditionalGeneration(config).save_pretrained(out)
    processor.save_pretrained(out)
    return out


def build_tiny_qwen2_vl_model(path: str | Path) -> Path:
    """A random Qwen2-VL (~0.3M parameters) with our byte-level BPE plus the vision special tokens."""
    from transformers import (
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen2VLImageProcessor,
        Qwen2VLProcessor,
        Qwen2VLVideoProcessor,
    )

    tok = build_tokenizer(1024)
    specials = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]
    tok.add_special_tokens({"additional_special_tokens": specials})
    ids = {t: tok.convert_tokens_to_ids(t) for t in specials}
    template = (
        "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
        "{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for part in message['content'] %}"
        "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% elif part['type'] == 'text' %}{{ part['text'] }}"
        "{% endif %}{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    tok.chat_template = template
    processor = Qwen2VLProcessor(image_processor=Qwen2VLImageProcessor(min_pixels=28 * 28 * 4, max_pixels=28 * 28 * 16),
                                 tokenizer=tok, video_processor=Qwen2VLVideoProcessor(), chat_template=template)
    config = Qwen2VLConfig(
        text_config=dict(vocab_size=-(-len(tok) // 64) * 64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, rope_scaling={"type": "mrope", "mrope_section": [2, 2, 4]},
                         max_position_embeddings=32768, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id),
        vision_config=dict(depth=1, embed_dim=32, hidden_size=64, num_heads=2, mlp_ratio=2, patch_size=14, spatial_merge_size=2,
                           temporal_patch_size=2, in_chans=3),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"], tie_word_embeddings=True,
    )
    out = Path(path)
    Qwen2VLForConditionalGeneration(config).save_pretrained(out)
    processor.save_pretrained(out)
    return out
