"""Vision-language rows and a VLM SFT run: on the tests' tiny LLaVA-style checkpoint everywhere, and on a
tiny Qwen2-VL where torchvision is installed (its processor needs it; the CPU stack here lacks it)."""

import json

import pytest
from PIL import Image

from dataclaw_tailor.core import Anchor, Intent, Source, SourceKind, TailorContext
from dataclaw_tailor.training.triplets import Triplet, prompt_images, sft_row, triplet_key, write_triplet

from ..model.tiny_vl import build_tiny_qwen2_vl_model

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


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["llava", "qwen2-vl"])
def test_vision_language_sft_and_generation(vision_dir, tmp_path, request, arch):
    from dataclaw_tailor.training.config import DataSettings, LoraSettings, ModelSettings, SFTSettings
    from dataclaw_tailor.training.evaluate import generate
    from dataclaw_tailor.training.sft import train_sft
    from dataclaw_tailor.training.triplets import read_triplets

    if arch == "qwen2-vl":
        pytest.importorskip("torchvision", reason="the Qwen2-VL processor needs torchvision")
        vlm = build_tiny_qwen2_vl_model(tmp_path / "vlm")
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
