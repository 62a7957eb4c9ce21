"""A CPU learning demonstration: a tiny model learns to tailor, SFT then GRPO, scored before and after.

Everything is made here, offline, in minutes on two cores:
1. Sources are described by their anchors directly: videos (shots, cuts) and robot episodes
   (instruction, skill phases, gripper events, pauses) with random timings, generated from a seed.
   The `rules` backend tailors them for two `custom`-task intents with small schemas (shot spans;
   skill segments), and `core.validate` checks every record.
2. A tiny Qwen2 model and BPE tokenizer are built locally (`model.tiny.build_tiny_model`).
3. Held-out prompts are scored for the untrained model, after SFT, and after GRPO with the rule rewards.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..core import Anchor, Intent, Source, SourceKind
from ..core.validate import check_record
from .config import DataSettings, GRPOSettings, ModelSettings, SFTSettings
from .evaluate import CheckpointScores, score_checkpoint
from .grpo import train_grpo
from .sft import train_sft
from .triplets import TRIPLETS_FILE, Triplet, triplet_key, write_triplet

def _items(name: str, fields: dict) -> dict:
    item = {"type": "object", "properties": {**fields, "anchor_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
            "required": [*fields, "anchor_ids"], "additionalProperties": False}
    return {"type": "object", "properties": {name: {"type": "array", "items": item, "minItems": 1}}, "required": [name],
            "additionalProperties": False}


SHOTS_SCHEMA = _items("shots", {"start_s": {"type": "number"}, "end_s": {"type": "number"}})
SEGMENTS_SCHEMA = _items("segments", {"start_s": {"type": "number"}, "end_s": {"type": "number"}})
SKILLS = ("reach", "grasp", "lift", "move", "place", "release")
TASKS = {
    "video": (SourceKind.video, "List the shots of this video with their time spans.", SHOTS_SCHEMA),
    "robot": (SourceKind.robot_episode, "Segment this robot episode into its skill phases.", SEGMENTS_SCHEMA),
}
"""Two `custom`-task intents with small user schemas (shot spans; phase segments): records of ~100-150
tokens keep SFT and GRPO within minutes on two CPU cores, and every field is a grounding claim."""
OBJECTS = ("red cup", "blue block", "sponge", "carrot", "spoon", "bowl")


def _round(x: float) -> float:
    return round(x, 2)


def synthetic_video(rng: random.Random, index: int) -> tuple[Source, list[Anchor]]:
    """A video known only by its anchors: 2-4 shots and the hard cuts between them."""
    duration = _round(rng.uniform(6, 20))
    n = rng.randint(2, 4)
    cuts = sorted(_round(rng.uniform(1, duration - 1)) for _ in range(n - 1))
    edges = [0.0, *cuts, duration]
    anchors = [Anchor(id=f"shot:{k}", kind="shot", t=(edges[k], edges[k + 1]), extractor="demo@1") for k in range(n)]
    anchors += [Anchor(id=f"cut:{k}", kind="cut", t=t, c={"type": "hard", "score": _round(rng.uniform(0.3, 0.9))}, extractor="demo@1")
                for k, t in enumerate(cuts)]
    source = Source(path=f"demo/video_{index}.mp4", kind=SourceKind.video, content_hash=f"demo-video-{index}", format="mp4",
                    meta={"duration_s": duration, "width": 640, "height": 360, "fps": 25})
    return source, anchors


def synthetic_episode(rng: random.Random, index: int) -> tuple[Source, list[Anchor]]:
    """A robot episode known only by its anchors: instruction, skill phases, gripper close/open, a pause."""
    obj = rng.choice(OBJECTS)
    skills = list(SKILLS[: rng.randint(4, 6)])
    t, anchors = 0.0, [Anchor(id="robot_task:0", kind="robot_task", c={"instruction": f"pick up the {obj}", "robot": "widowx"}, extractor="demo@1")]
    grip = 0
    for k, skill in enumerate(skills):
        length = _round(rng.uniform(0.8, 3.0))
        anchors.append(Anchor(id=f"phase:{k}", kind="phase", t=(_round(t), _round(t + length)), c={"skill": skill}, extractor="demo@1"))
        if skill in ("grasp", "release"):
            state = "close" if skill == "grasp" else "open"
            anchors.append(Anchor(id=f"gripper:{grip}", kind="gripper", t=_round(t + length / 2), c={"state": state}, extractor="demo@1"))
            grip += 1
        t += length
    if rng.random() < 0.5:
        s = _round(rng.uniform(0, t - 1))
        anchors.append(Anchor(id="pause:0", kind="pause", t=(s, _round(s + 0.6)), extractor="demo@1"))
    duration = _round(t)
    source = Source(path=f"demo/episode_{index}", kind=SourceKind.robot_episode, content_hash=f"demo-episode-{index}", format="demo",
                    meta={"duration_s": duration, "fps": 10, "n_steps": int(duration * 10)})
    return source, anchors


def make_triplets(n: int, seed: int = 0) -> list[Triplet]:
    """`n` triplets alternating between the two demo intents, tailored by the rules backend's `custom` synthesiser."""
    from ..core import TailorContext
    from ..experts.registry import get_task
    from ..model.base import create_backend
    from ..model.prompt import build_prompt

    rng = random.Random(seed)
    names = list(TASKS)
    spec = get_task("custom")
    rules = create_backend("rules")
    out = []
    for i in range(n):
        kind, text, schema = TASKS[names[i % len(names)]]
        source, anchors = (synthetic_video if kind == SourceKind.video else synthetic_episode)(rng, seed * 100000 + i)
        intent = Intent(text=text, task=spec.name, schema=schema)
        request = build_prompt(TailorContext(source, intent, anchors, spec.name), spec, schema).request
        checked = check_record(asyncio.run(rules.generate(request)), schema, anchors, source)
        out.append(Triplet(
            key=triplet_key(source, intent, "rules"), source=source, intent=intent, domain=spec.domain, task=spec.name,
            json_schema=schema, anchors=anchors, record=checked.record, valid=checked.report.valid,
            validation=checked.report.summary(), teacher="rules",
        ))
    return out


class DemoReport(BaseModel):
    """Before/after numbers of one demo run (written to `<workdir>/demo_report.json`)."""

    train_rows: int
    heldout_rows: int
    model_params: int
    sft_steps: int
    sft_seconds: float
    grpo_steps: int
    grpo_seconds: float
    grpo_rewards_first: dict[str, float] = Field(default_factory=dict, description="Mean rewards over the first GRPO log window.")
    grpo_rewards_last: dict[str, float] = Field(default_factory=dict, description="Mean rewards over the last GRPO log window.")
    before: CheckpointScores
    after_sft: CheckpointScores
    after_grpo: CheckpointScores
    seconds: float


def _parameters(path: Path) -> int:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(path)).num_parameters()


def _reward_window(log: list[dict[str, Any]], first: bool) -> dict[str, float]:
    rows = [h for h in log if "reward" in h]
    if not rows:
        return {}
    window = rows[: max(1, len(rows) // 3)] if first else rows[-max(1, len(rows) // 3):]
    keys = ("rewards/format_reward/mean", "rewards/anchor_reward/mean", "rewards/efficiency_reward/mean", "reward")
    return {k.split("/")[1] if "/" in k else k: round(sum(h[k] for h in window) / len(window), 4) for k in keys}


def run_demo(workdir: str | Path, *, train: int = 96, heldout: int = 8, sft_steps: int = 150, grpo_steps: int = 16,
             seed: int = 0, hidden_size: int = 128, layers: int = 4, log: Any = print) -> DemoReport:
    """Build data and a tiny model, score it, SFT, score, GRPO, score; return and save the numbers."""
    from ..model.tiny import build_tiny_model

    started = time.perf_counter()
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    data.mkdir(exist_ok=True)
    (data / TRIPLETS_FILE).unlink(missing_ok=True)
    train_rows = make_triplets(train, seed)
    held = make_triplets(heldout, seed + 1)
    for t in train_rows:
        write_triplet(data / TRIPLETS_FILE, t)
    log(f"data: {len(train_rows)} train triplets ({sum(t.valid for t in train_rows)} valid), {len(held)} held-out")
    base = build_tiny_model(work / "base", hidden_size=hidden_size, intermediate_size=hidden_size * 2,
                            num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2, seed=seed)
    params = _parameters(base)
    log(f"model: {params / 1e6:.2f}M parameters")
    max_new = max(len(json.dumps(t.record, separators=(",", ":"))) for t in held) // 2 + 32

    def scored(path: Path, label: str) -> CheckpointScores:
        s = score_checkpoint(path, held, style="compact", max_new_tokens=max_new)
        log(f"{label:>10}: json_valid={s.json_valid:.2f} schema_valid={s.schema_valid:.2f} R_format={s.r_format:.3f} "
            f"R_anchor={s.r_anchor:.3f} R_eff={s.r_eff:.3f} field={s.field} semantic={s.semantic} sequence={s.sequence}")
        return s

    before = scored(base, "before")
    data_settings = DataSettings(path=str(data), include_clarify=False, prompt="compact")
    sft = train_sft(SFTSettings(
        model=ModelSettings(path=str(base)), data=data_settings, output_dir=str(work / "sft"), learning_rate=3e-3,
        max_steps=sft_steps, batch_size=8, warmup_steps=0.05, logging_steps=max(1, sft_steps // 10), max_length=1024, seed=seed,
    ))[0]
    log(f"sft: {sft.steps} steps in {sft.seconds:.0f} s, final train loss {sft.train_loss:.3f}")
    after_sft = scored(work / "sft", "after SFT")
    grpo = train_grpo(GRPOSettings(
        model=ModelSettings(path=str(work / "sft")), data=data_settings, output_dir=str(work / "grpo"), learning_rate=3e-5,
        max_steps=grpo_steps, batch_size=8, num_generations=8, max_completion_length=max_new, temperature=0.8,
        logging_steps=1, seed=seed,
    ))[0]
    log(f"grpo: {grpo.steps} steps in {grpo.seconds:.0f} s")
    after_grpo = scored(work / "grpo", "after GRPO")
    report = DemoReport(
        train_rows=len(train_rows), heldout_rows=len(held), model_params=params, sft_steps=sft.steps, sft_seconds=sft.seconds,
        grpo_steps=grpo.steps, grpo_seconds=grpo.seconds, grpo_rewards_first=_reward_window(grpo.log, True),
        grpo_rewards_last=_reward_window(grpo.log, False), before=before, after_sft=after_sft, after_grpo=after_grpo,
        seconds=round(time.perf_counter() - started, 1),
    )
    (work / "demo_report.json").write_text(report.model_dump_json(indent=2))
    return report
