"""The paper's reward ablation (Table 3a) in miniature: train DataClaw-nano on CPU, score on held-out prompts.

Four conditions, each scored on the same held-out prompts (never trained on), greedily and *without*
constrained decoding, so JSON validity measures what the model learnt:

- `base`: the starting checkpoint (the packaged nano model, SmolLM2-135M-Instruct: the minimal init);
- `sft`: supervised fine-tuning on rules-teacher triplets;
- `grpo-no-anchor`: GRPO after SFT with R = l1*R_format + l3*R_eff (l2 = 0);
- `grpo`: GRPO after SFT with R = l1*R_format + l2*R_anchor + l3*R_eff.

Every trained condition runs once per seed (SFT seed s, then both GRPO arms from that SFT checkpoint),
and the table reports each metric's mean and standard deviation over seeds, so a gain can be told from
seed noise.

Data: the two small `custom` intents of `training.synthetic` (shot spans of a video; skill segments of a
robot episode), over sources generated from a seed and, when the real devset is present, over real
BridgeData episodes built by stage-2 construction (`training.construct`, rules teacher): episodes
`DEVSET_TRAIN` go to training, `DEVSET_HELDOUT` (and the G1 episode) to the held-out set.

Everything is written under `workdir` and each finished stage is skipped on a re-run; stages also save
resumable trainer checkpoints every `save_steps`, so a stopped run goes on where it stopped.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..core import SourceKind
from .config import DataSettings, GRPOSettings, LoraSettings, ModelSettings, SFTSettings
from .evaluate import CheckpointScores, score_checkpoint
from .recipes import SUMMARY_FILE
from .rewards import RewardWeights
from .triplets import TRIPLETS_FILE, Triplet, read_triplets, write_triplet

CONDITIONS = ("base", "sft", "grpo-no-anchor", "grpo")
METRICS = ("json_valid", "field", "semantic", "sequence", "r_anchor")
DEVSET_BRIDGE = "robot/bridge-rlds/bridge_dataset/1.0.0"
DEVSET_TRAIN = tuple(range(2, 11))
"""BridgeData episodes that become training triplets (none of them is a `bench/devset` case)."""
DEVSET_HELDOUT = (0, 1, 11, 13, 20)
"""BridgeData episodes held out (the `bench/devset` ones among them), plus the G1 episode."""

Log = Callable[[str], None]


class AblationSettings(BaseModel):
    """One ablation run; the defaults are the measured CPU recipe (`examples/training/nano_ablation.yaml`:
    41 training and 10 held-out triplets with the devset, 3 seeds; 71 minutes on the shared, loaded 2-core machine)."""

    base: str | None = Field(default=None, description="Starting checkpoint; None: the packaged nano model.")
    seeds: list[int] = Field(default_factory=lambda: [0, 1, 2], description="One SFT and two GRPO runs per seed.")
    train: int = Field(default=32, ge=2, description="Generated training triplets (plus the devset ones).")
    heldout: int = Field(default=4, ge=1, description="Generated held-out triplets (plus the devset ones).")
    devset: bool = Field(default=True, description="Add real BridgeData/G1 triplets when the devset is present.")
    sft_steps: int = Field(default=10, ge=1)
    sft_lr: float = Field(default=1e-4, gt=0)
    grpo_steps: int = Field(default=3, ge=1)
    grpo_lr: float = Field(default=2e-5, gt=0)
    batch_size: int = Field(default=4, ge=1)
    num_generations: int = Field(default=4, ge=2)
    temperature: float = Field(default=0.9, gt=0)
    lora: LoraSettings | None = Field(default=None, description="Train LoRA adapters instead of all weights.")
    save_steps: int | None = Field(default=5, ge=1, description="Resumable trainer checkpoints every N steps.")


class ConditionScores(BaseModel):
    condition: str
    seed: int | None = Field(default=None, description="None for the untrained base.")
    scores: CheckpointScores
    train_seconds: float = 0.0
    score_seconds: float = 0.0


class AblationRow(BaseModel):
    condition: str
    runs: int
    mean: dict[str, float]
    std: dict[str, float] = Field(description="Sample standard deviation over seeds (0 with one run).")


class AblationReport(BaseModel):
    settings: AblationSettings
    train_rows: int
    heldout_rows: int
    heldout_devset_rows: int
    rows: list[AblationRow]
    runs: list[ConditionScores]
    seconds: float = Field(description="Wall time of this invocation (resumed stages excluded).")

    def table(self) -> str:
        """The Table 3a-style markdown table: mean ± std over seeds per metric."""
        head = ["condition", "runs", "JSON valid %", "Field", "Semantic", "Sequence", "R_anchor"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in self.rows:
            cells = [row.condition, str(row.runs)]
            for m in METRICS:
                scale = 100.0 if m == "json_valid" else 1.0
                digits = 3 if m == "r_anchor" else 1
                cells.append(f"{row.mean[m] * scale:.{digits}f} ± {row.std[m] * scale:.{digits}f}")
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def devset_triplets(devset: Path, work: Path, log: Log) -> tuple[list[Triplet], list[Triplet]]:
    """Real robot episodes through stage-2 construction (rules teacher): (train, held-out) triplets."""
    from .construct import IntentEntry, construct
    from .synthetic import TASKS

    _, text, schema = TASKS["robot"]
    intent = IntentEntry(text=text, task="custom", schema=schema, source_kinds=[SourceKind.robot_episode.value])
    bridge = devset / DEVSET_BRIDGE
    split = {"train": [f"{bridge}#episode={i}" for i in DEVSET_TRAIN],
             "heldout": [f"{bridge}#episode={i}" for i in DEVSET_HELDOUT] + [str(devset / "robot/g1-lerobot-v21")]}
    out: dict[str, list[Triplet]] = {}
    for name, sources in split.items():
        folder = work / f"devset-{name}"
        summary = construct(sources, [intent], folder, backend="rules", fuzzy=False, concurrency=1)
        out[name] = [t for t in read_triplets(folder) if t.kind == "tailor" and t.valid]
        log(f"devset {name}: {len(out[name])} valid triplets ({summary.failed} failed)")
    return out["train"], out["heldout"]


def _write(path: Path, rows: Sequence[Triplet]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    for t in rows:
        write_triplet(tmp, t)
    tmp.replace(path)


def prepare_data(work: Path, settings: AblationSettings, log: Log) -> tuple[Path, list[Triplet], int]:
    """Train and held-out triplet files (made once); returns (train file, held-out triplets, devset held-out count)."""
    from ..evals.cases import find_devset
    from .synthetic import make_triplets

    train_file, held_file = work / "data" / "train" / TRIPLETS_FILE, work / "data" / "heldout" / TRIPLETS_FILE
    meta_file = work / "data" / "split.json"
    if not (train_file.exists() and held_file.exists() and meta_file.exists()):
        train = make_triplets(settings.train, seed=100)
        held = make_triplets(settings.heldout, seed=200)
        devset = find_devset(work.resolve()) if settings.devset else None
        dev_held: list[Triplet] = []
        if devset is not None:
            dev_train, dev_held = devset_triplets(devset, work / "data", log)
            train += dev_train
        _write(train_file, [t for t in train if t.valid])
        _write(held_file, [t for t in held if t.valid] + dev_held)
        meta_file.write_text(json.dumps({"devset_heldout": len(dev_held)}))
    held = list(read_triplets(held_file))
    log(f"data: {sum(1 for _ in read_triplets(train_file))} train triplets, {len(held)} held-out")
    return train_file, held, json.loads(meta_file.read_text())["devset_heldout"]


def _max_new_tokens(held: list[Triplet]) -> int:
    """Room for the longest reference record (compact JSON) at ~2.5 characters per token, plus slack."""
    return max(len(json.dumps(t.record, separators=(",", ":"))) for t in held) * 2 // 5 + 48


def run_ablation(workdir: str | Path, settings: AblationSettings = AblationSettings(), *, log: Log = print) -> AblationReport:
    """Run (or resume) the ablation under `workdir`; writes `ablation.json` and `ablation.md` there."""
    from .grpo import train_grpo
    from .sft import train_sft

    started = time.perf_counter()
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    train_file, held, dev_held = prepare_data(work, settings, log)
    if settings.base:
        base = Path(settings.base)
    else:
        from ..model.nano import nano_checkpoint

        base = nano_checkpoint()
    max_new = _max_new_tokens(held)
    data = DataSettings(path=str(train_file), include_clarify=False, prompt="compact")
    runs: list[ConditionScores] = []

    def scored(condition: str, seed: int | None, path: Path, train_seconds: float) -> None:
        cache = work / "scores" / f"{condition}{'' if seed is None else f'-s{seed}'}.json"
        if cache.exists():
            runs.append(ConditionScores.model_validate_json(cache.read_text()))
            return
        t0 = time.perf_counter()
        s = score_checkpoint(path, held, style="compact", max_new_tokens=max_new, batch_size=16)
        run = ConditionScores(condition=condition, seed=seed, scores=s, train_seconds=round(train_seconds, 1),
                              score_seconds=round(time.perf_counter() - t0, 1))
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(run.model_dump_json(indent=2))
        runs.append(run)
        write_report()
        log(f"{condition:>15} seed={seed}: json_valid={s.json_valid:.2f} field={s.field} semantic={s.semantic} "
            f"sequence={s.sequence} R_anchor={s.r_anchor:.3f} ({run.score_seconds:.0f} s)")

    def write_report() -> AblationReport:
        """The table so far (after every scored condition, so a long run can be read while it goes on)."""
        report = AblationReport(
            settings=settings, train_rows=sum(1 for _ in read_triplets(train_file)), heldout_rows=len(held),
            heldout_devset_rows=dev_held, rows=summarise(runs), runs=runs, seconds=round(time.perf_counter() - started, 1),
        )
        (work / "ablation.json").write_text(report.model_dump_json(indent=2))
        (work / "ablation.md").write_text(f"Held-out prompts: {len(held)} ({dev_held} real devset episodes); seeds: "
                                          f"{sorted({r.seed for r in runs if r.seed is not None})}\n\n{report.table()}\n")
        return report

    scored("base", None, base, 0.0)
    common = dict(batch_size=settings.batch_size, lora=settings.lora, save_steps=settings.save_steps, logging_steps=1)
    for seed in settings.seeds:
        sft_dir = work / f"seed{seed}" / "sft"
        seconds = _trained(sft_dir)
        seconds = seconds if seconds is not None else train_sft(SFTSettings(
            model=ModelSettings(path=str(base)), data=data, output_dir=str(sft_dir), learning_rate=settings.sft_lr,
            max_steps=settings.sft_steps, warmup_steps=0.1, max_length=1024, seed=seed, **common,
        ))[0].seconds
        scored("sft", seed, sft_dir, seconds)
        for condition, anchor_weight in (("grpo-no-anchor", 0.0), ("grpo", 1.0)):
            out = work / f"seed{seed}" / condition
            seconds = _trained(out)
            seconds = seconds if seconds is not None else train_grpo(GRPOSettings(
                model=ModelSettings(path=str(sft_dir)), data=data, output_dir=str(out), learning_rate=settings.grpo_lr,
                max_steps=settings.grpo_steps, num_generations=settings.num_generations,
                max_completion_length=max_new, temperature=settings.temperature, seed=seed,
                weights=RewardWeights(anchor=anchor_weight), **common,
            ))[0].seconds
            scored(condition, seed, out, seconds)

    report = write_report()
    return report


def _trained(output: Path) -> float | None:
    """Seconds of a finished run in `output` (its summary exists), else None."""
    summary = output / SUMMARY_FILE
    return json.loads(summary.read_text())["seconds"] if summary.exists() else None


def summarise(runs: list[ConditionScores]) -> list[AblationRow]:
    """Mean and sample standard deviation of each metric per condition (0-1 rates, 0-100 eval metrics)."""
    rows = []
    for condition in CONDITIONS:
        chosen = [r.scores for r in runs if r.condition == condition]
        if not chosen:
            continue
        values: dict[str, list[float]] = {m: [float(getattr(s, m) or 0.0) for s in chosen] for m in METRICS}
        rows.append(AblationRow(
            condition=condition, runs=len(chosen),
            mean={m: round(statistics.fmean(v), 4) for m, v in values.items()},
            std={m: round(statistics.stdev(v), 4) if len(v) > 1 else 0.0 for m, v in values.items()},
        ))
    return rows


def grpo_reward_log(output: str | Path) -> list[dict[str, Any]]:
    """The per-step reward means TRL logged for a GRPO run (from its train summary)."""
    summary = json.loads((Path(output) / SUMMARY_FILE).read_text())
    return [{k: v for k, v in h.items() if k.startswith("rewards/") or k == "reward"} for h in summary["log"] if "reward" in h]
