"""Vision-language rows and a VLM SFT run: on the package's tiny LLaVA-style checkpoint everywhere, and on a
tiny Qwen2-VL where torchvision is installed (its processor needs it; the CPU stack here lacks it)."""

import json

import pytest
from PIL import Image

from dataclaw_tailor.core import Anchor, Intent, Source, SourceKind, TailorContext
from dataclaw_tailor.training.triplets import Triplet, prompt_images, sft_row, triplet_key, write_triplet

TASK = "daily.dense_captions"


def video_triplet(folder, i: int) -> Triplet:
    from dataclaw_tailor.experts.registry import get_task

    anchors = []
    for k, (s, e) in enumerate([(0.0, 2.0), (2.0, 5.0)]):
        frame = folder / f"v{i}_kf{k}.jpg"
        Image.new("RGB", (96, 64), (40 * k + 20 * i, 90, 160)).save(frame)
        anchors.append(Anchor(id=f"shot:{k}", kind="shot", t=(s, e)))
        anchors.append(Anchor(id=f"keyframe:{k}", kind="keyframe", t=(s + e) / 2, c={"path": str(frame), "shot": f"shot:{k}"}))
    source = Source(path=f"v{i}.mp4", kind=SourceKind.video, content_hash=f"vh{i}", meta={"duration_s": 5.0, "width": 96, "height": 64})
    intent = Intent(text="caption the video", task=TASK)
    spec = get_task(TASK)
    record = spec.synthesize(TailorContext(source, intent, anchors, TASK))
    return Triplet(key=triplet_key(source, intent, "rules"), source=source, intent=intent, domain=spec.domain, task=TASK,
                   json_schema=spec.json_schema(), anchors=anchors, record=record, valid=True, teacher="rules")


@pytest.fixture
def vision_dir(tmp_path):
    for i in range(4):
        write_triplet(tmp_path / "triplets.jsonl", video_triplet(tmp_path, i))
    return tmp_path


def test_serving_rows_carry_the_keyframes_the_prompt_attaches(tmp_path):
    t = video_triplet(tmp_path, 0)
    row = sft_row(t, "serving", vision=True)
    assert len(row["images"]) == 2 and all(isinstance(im, Image.Image) and im.mode == "RGB" for im in row["images"])
    assert "images" not in sft_row(t, "serving")
    assert prompt_images(t, "compact") == []


def build_tiny_vlm(path):
    """A random Qwen2-VL (~0.3M parameters) with our byte-level BPE plus the vision special tokens."""
    from transformers import (
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen2VLImageProcessor,
        Qwen2VLProcessor,
        Qwen2VLVideoProcessor,
    )

    from dataclaw_tailor.model.tiny import build_tokenizer

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
    Qwen2VLForConditionalGeneration(config).save_pretrained(path)
    processor.save_pretrained(path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["llava", "qwen2-vl"])
def test_vision_language_sft_and_generation(vision_dir, tmp_path, request, arch):
    from dataclaw_tailor.training.config import DataSettings, LoraSettings, ModelSettings, SFTSettings
    from dataclaw_tailor.training.evaluate import generate
    from dataclaw_tailor.training.sft import train_sft
    from dataclaw_tailor.training.triplets import read_triplets

    if arch == "qwen2-vl":
        pytest.importorskip("torchvision", reason="the Qwen2-VL processor needs torchvision")
        vlm = build_tiny_vlm(tmp_path / "vlm")
    else:
        vlm = request.getfixturevalue("tiny_vl_model")
    [result] = train_sft(SFTSettings(model=ModelSettings(path=str(vlm), modality="vision"), data=DataSettings(path=str(vision_dir)),
                                     output_dir=str(tmp_path / "sft"), lora=LoraSettings(r=4, alpha=8), max_steps=2, batch_size=2,
                                     max_length=16384, logging_steps=1))
    assert result.steps == 2 and any("loss" in h for h in result.log)
    summary = json.loads((tmp_path / "sft" / "train_summary.json").read_text())
    assert summary["rows"] == 4
    outs = generate(ModelSettings(path=str(tmp_path / "sft"), modality="vision"), list(read_triplets(vision_dir))[:2], max_new_tokens=4)
    assert len(outs) == 2
