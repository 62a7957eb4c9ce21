import json

import pytest
from PIL import Image

from dataclaw_tailor.core import Anchor, ImagePart, Intent, Source, TailorContext, TextPart
from dataclaw_tailor.experts.registry import get_task
from dataclaw_tailor.model.prompt import PromptBudget, build_prompt, serving_request
from dataclaw_tailor.model.schema import prompt_view, specialise
from dataclaw_tailor.model.tiny import build_tokenizer

from .contexts import context_for


def gui_context(tmp_path, steps=6, missing=()):
    for i in range(steps):
        if i not in missing:
            Image.new("RGB", (1024, 768), (i * 30, 80, 120)).save(tmp_path / f"step_{i}.png")
    anchors = [Anchor(id=f"gui_event:{i}", kind="gui_event", t=float(i), p=[10.0 * i, 10.0 * i],
                      c={"step": i, "action": "click", "screenshot": f"step_{i}.png"}) for i in range(steps)]
    source = Source(path=str(tmp_path), kind="gui_trace", content_hash="h", meta={"width": 1024, "height": 768, "n_steps": steps})
    intent = Intent(text="GUI agent SFT steps", target_use="SFT for Qwen-VL", answers={"task": "gui.trajectory"}, max_items=5)
    return TailorContext(source=source, intent=intent, anchors=anchors, task="gui.trajectory")


def test_prompt_carries_intent_task_schema_anchors_example_and_resized_images(tmp_path):
    ctx = gui_context(tmp_path)
    spec = get_task("gui.trajectory")
    schema = specialise(spec.json_schema(), ctx.source, ctx.anchors)
    prompt = build_prompt(ctx, spec, schema, budget=PromptBudget(max_images=3, image_side=448), image_dir=tmp_path / "cache")
    request, report = prompt.request, prompt.report
    assert request.json_schema == schema and request.task == "gui.trajectory" and request.context is ctx
    system, user = request.messages
    assert system.role == "system" and "anchor_ids" in system.plain_text()
    text = user.content[0].text
    for needle in ("GUI agent SFT steps", "SFT for Qwen-VL", "At most 5 items", "task: gui.trajectory", "## Task gui.trajectory",
                   json.dumps(prompt_view(schema), separators=(",", ":"), ensure_ascii=False), '"id":"gui_event:5"',
                   '"screenshot":"step_5.png"'):
        assert needle in text
    assert json.dumps(spec.example, separators=(",", ":"), ensure_ascii=False) in text
    images = [p for p in user.content if isinstance(p, ImagePart)]
    assert [p.detail for p in images] == ["gui_event gui_event:0", "gui_event gui_event:2", "gui_event gui_event:5"]
    for part in images:
        with Image.open(part.path) as img:
            assert img.size == (448, 336)
    assert isinstance(user.content[-1], TextPart)
    assert report.images == 3 and report.image_candidates == 6
    assert report.image_tokens == 3 * 16 * 12  # 448x336 in 28-pixel patches
    assert report.anchors_included == report.anchors_total == 6
    assert report.within_budget and not report.counted
    assert report.tokens == report.text_tokens + report.image_tokens


def test_many_anchors_are_subsampled_to_fit_and_keep_their_ids():
    ctx = context_for("daily.dense_captions")
    many = [a for a in ctx.anchors if a.kind != "ocr"] + [
        Anchor(id=f"ocr:{i}", kind="ocr", t=i * 0.01, p=[1.0, 2.0, 30.0, 40.0], c="word " * 20) for i in range(2000)]
    ctx = type(ctx)(source=ctx.source, intent=ctx.intent, anchors=many, task=ctx.task)
    spec = get_task(ctx.task)
    schema = specialise(spec.json_schema(), ctx.source, many)
    tok = build_tokenizer(512)
    count = lambda s: len(tok(s).input_ids)  # noqa: E731
    budget = PromptBudget(max_tokens=12000)
    prompt = build_prompt(ctx, spec, schema, budget=budget, count_tokens=count)
    report = prompt.report
    assert report.counted and report.within_budget and report.tokens <= 12000
    assert report.anchors_total == len(many) and 10 < report.anchors_included < len(many)
    text = prompt.request.messages[1].content[0].text
    assert '"id":"ocr:0"' in text and '"id":"ocr:1999"' in text  # even sample keeps both ends
    assert '"id":"shot:3"' in text  # a small kind keeps its anchors
    assert "cite only these ids" in text and report.notes
    assert count(prompt.request.messages[0].plain_text()) + count(text) <= report.tokens
    assert '"ocr:1998"' in json.dumps(prompt.request.json_schema)
    assert "ocr:1998" not in json.dumps(prompt_view(schema))  # the grammar gets every id, the prompt text does not


def test_long_text_is_clipped_and_missing_images_are_reported(tmp_path):
    ctx = gui_context(tmp_path, steps=3, missing=(1,))
    long = Anchor(id="ocr:0", kind="ocr", t=0.5, c="x" * 1000)
    ctx = type(ctx)(source=ctx.source, intent=ctx.intent, anchors=[*ctx.anchors, long], task=ctx.task)
    spec = get_task("gui.trajectory")
    prompt = build_prompt(ctx, spec, spec.json_schema(), budget=PromptBudget(max_text_chars=40, image_side=2048))
    text = prompt.request.messages[1].content[0].text
    assert '"c":"' + "x" * 39 + '…"' in text
    assert prompt.report.notes == ["image of gui_event:1 not found: step_1.png"]
    images = [p for p in prompt.request.messages[1].content if isinstance(p, ImagePart)]
    assert [p.path for p in images] == [str(tmp_path / "step_0.png"), str(tmp_path / "step_2.png")]  # small enough: as is


def test_serving_request_is_the_graph_entry_point():
    ctx = context_for("custom")
    spec = get_task("custom")
    request = serving_request(ctx, spec, spec.json_schema(ctx.intent.schema_))
    assert request.max_tokens == PromptBudget().output_tokens
    text = request.messages[1].plain_text()
    assert "highlights" in text
    assert json.dumps(spec.example, separators=(",", ":"), ensure_ascii=False) not in text  # demo record of another schema


@pytest.mark.devset
def test_real_screenagent_trace_prompt(devset, tmp_path):
    """The real ScreenAgent desktop session: 1024x768 screenshots are attached at the budgeted size."""
    from dataclaw_tailor.tools import detect, extract

    source = detect(devset / "gui" / "screenagent-task101")
    anchors = extract(source, kinds=["gui_task", "gui_event"])
    spec = get_task("gui.trajectory")
    ctx = TailorContext(source=source, intent=Intent(text="GUI agent SFT steps"), anchors=anchors, task=spec.name)
    schema = specialise(spec.json_schema(), source, anchors)
    prompt = build_prompt(ctx, spec, schema, budget=PromptBudget(max_images=4, image_side=448), image_dir=tmp_path)
    report = prompt.report
    assert report.image_candidates == source.meta.n_steps and report.images == 4 and not report.notes
    assert report.image_tokens == 4 * 16 * 12 and report.within_budget
    text = prompt.request.messages[1].content[0].text
    assert "bake a chocolate cake" in text and '"id":"gui_event:0"' in text
    enum = schema["$defs"]["GuiStep"]["properties"]["anchor_ids"]["items"]["enum"]
    assert set(enum) == {a.id for a in anchors}
