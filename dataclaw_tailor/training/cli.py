"""`claw train ...`: construct triplets, SFT, GRPO, score a checkpoint, and the CPU learning demo.

Thin commands over `dataclaw_tailor.training`; `dataclaw_tailor.cli` mounts this app as `train`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..core import DataClawError

train_app = typer.Typer(help="Build training triplets with a teacher and train a tailoring model (SFT, GRPO).", no_args_is_help=True)


def _emit(payload: object) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


@train_app.command()
def construct(
    sources: Annotated[list[Path], typer.Argument(help="Source files or folders (videos, GUI traces, robot episodes, edit sequences).")],
    intents: Annotated[Path, typer.Option(help="Intents file: JSONL, JSON or YAML list of intents (text, task, domain ...).")],
    out: Annotated[Path, typer.Option(help="Output folder: triplets.jsonl, failures.jsonl, dataset/ (Hugging Face).")],
    teacher: Annotated[str, typer.Option(help="Teacher backend: openai (any OpenAI-compatible server) or rules (offline).")] = "openai",
    teacher_url: Annotated[str | None, typer.Option(help="Base URL of the OpenAI-compatible teacher, e.g. http://host:8000/v1.")] = None,
    teacher_model: Annotated[str | None, typer.Option(help="Model name the teacher server knows.")] = None,
    fuzzy: Annotated[bool, typer.Option(help="Also make clarification triplets from fuzzy intent variants.")] = True,
    concurrency: Annotated[int, typer.Option(min=1, help="Pairs tailored at once.")] = 4,
    max_repairs: Annotated[int, typer.Option(min=0, help="Re-asks of the teacher for an invalid record.")] = 2,
) -> None:
    """Stage 1 anchors + stage 2 teacher synthesis -> validated triplets; re-running resumes."""
    from .construct import construct as run, read_intents

    options: dict[str, str] = {}
    if teacher == "openai":
        if not teacher_url or not teacher_model:
            raise typer.BadParameter("--teacher openai needs --teacher-url and --teacher-model")
        options = {"base_url": teacher_url, "model": teacher_model}
    summary = run(sources, read_intents(intents), out, backend=teacher, backend_options=options, fuzzy=fuzzy,
                  concurrency=concurrency, max_repairs=max_repairs)
    _emit(summary.model_dump())
    if summary.total_triplets == 0:
        raise DataClawError(f"{out}: no triplets were written; see {out / 'failures.jsonl'}")


@train_app.command()
def sft(config: Annotated[Path, typer.Option(help="YAML/JSON SFT config (see dataclaw_tailor.training.config.SFTSettings).")]) -> None:
    """Supervised fine-tuning with TRL (Omni: one model; Expert: one LoRA adapter per domain)."""
    from .config import SFTSettings, load_settings
    from .sft import train_sft

    _emit([r.model_dump(exclude={"log"}) for r in train_sft(load_settings(config, SFTSettings))])


@train_app.command()
def grpo(config: Annotated[Path, typer.Option(help="YAML/JSON GRPO config (see dataclaw_tailor.training.config.GRPOSettings).")]) -> None:
    """GRPO with the format, anchor and efficiency rewards (weights l1, l2, l3 in the config)."""
    from .config import GRPOSettings, load_settings
    from .grpo import train_grpo

    _emit([r.model_dump(exclude={"log"}) for r in train_grpo(load_settings(config, GRPOSettings))])


@train_app.command()
def score(
    checkpoint: Annotated[Path, typer.Argument(help="Model folder (or LoRA adapter folder) to score.")],
    data: Annotated[Path, typer.Option(help="Triplets (construct folder or JSONL) to generate for and compare with.")],
    prompt: Annotated[str, typer.Option(help="Prompt style the model was trained with: serving or compact.")] = "serving",
    limit: Annotated[int, typer.Option(min=1, help="Score at most this many triplets.")] = 50,
    max_new_tokens: Annotated[int, typer.Option(min=8)] = 1024,
) -> None:
    """Generate for held-out triplets and report validity, rewards and eval metrics."""
    from .evaluate import score_checkpoint
    from .triplets import read_triplets, select

    rows = select(read_triplets(data), kinds=("tailor",))[:limit]
    if prompt not in ("serving", "compact"):
        raise typer.BadParameter("--prompt is serving or compact")
    _emit(score_checkpoint(checkpoint, rows, style=prompt, max_new_tokens=max_new_tokens).model_dump())


@train_app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Folder for the data, checkpoints, scores and ablation.md.")] = Path("train-demo"),
    base: Annotated[str, typer.Option(help="nano (the packaged model), tiny (random, built here: fast) or a checkpoint folder.")] = "nano",
    train: Annotated[int | None, typer.Option(min=4, help="Generated training triplets.")] = None,
    heldout: Annotated[int | None, typer.Option(min=2, help="Generated held-out triplets.")] = None,
    sft_steps: Annotated[int | None, typer.Option(min=1)] = None,
    grpo_steps: Annotated[int | None, typer.Option(min=1)] = None,
    seed: int = 0,
) -> None:
    """CPU learning demo: the reward ablation, short: base, SFT, GRPO without / with R_anchor on held-out prompts."""
    from .demo import run_demo

    given = {"train": train, "heldout": heldout, "sft_steps": sft_steps, "grpo_steps": grpo_steps}
    report = run_demo(workdir, base=base, seed=seed, log=lambda m: typer.echo(m, err=True),
                      **{k: v for k, v in given.items() if v is not None})
    typer.echo(report.table(), err=True)
    _emit(report.model_dump(exclude={"runs": {"__all__": {"scores": {"samples"}}}}))


@train_app.command()
def ablation(
    workdir: Annotated[Path, typer.Option(help="Folder for the data, checkpoints, scores, ablation.json and ablation.md.")] = Path("nano-ablation"),
    config: Annotated[Path | None, typer.Option(help="YAML/JSON AblationSettings (seeds, steps, lora ...); defaults: the full recipe.")] = None,
) -> None:
    """Train DataClaw-nano: SFT then GRPO without / with R_anchor per seed, the Table 3a-style table; re-running resumes."""
    from .ablation import AblationSettings, run_ablation
    from .config import load_settings

    settings = load_settings(config, AblationSettings) if config else AblationSettings()
    report = run_ablation(workdir, settings, log=lambda m: typer.echo(m, err=True))
    typer.echo(report.table(), err=True)
    _emit(report.model_dump(exclude={"runs": {"__all__": {"scores": {"samples"}}}}))
