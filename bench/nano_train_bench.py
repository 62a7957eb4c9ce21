"""Full fine-tuning or LoRA for DataClaw-nano on a CPU? The same SFT run both ways, side by side.

    python bench/nano_train_bench.py [--steps 8] [--rows 32] [--workdir /tmp/nano-train-bench]

Both runs start from the packaged nano model (`model.nano.nano_checkpoint`), see the same generated
triplets (`training.synthetic.make_triplets`, compact prompts) in the same order (same seed), at the same batch
size and step count; LoRA (r=16, all linear layers) gets a 10x learning rate, as usual for adapters.
Printed per run: seconds per step, the training loss over the first and the last quarter of the steps,
trainable parameters, and the ratio LoRA / full. Runs alternate nothing: on a shared machine read the
ratio, and re-run when the load changed between them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dataclaw_tailor.model.nano import nano_checkpoint  # noqa: E402
from dataclaw_tailor.training.config import DataSettings, LoraSettings, ModelSettings, SFTSettings  # noqa: E402
from dataclaw_tailor.training.synthetic import make_triplets  # noqa: E402
from dataclaw_tailor.training.sft import train_sft  # noqa: E402
from dataclaw_tailor.training.triplets import TRIPLETS_FILE, write_triplet  # noqa: E402


def run(name: str, base: Path, data: Path, out: Path, steps: int, lora: LoraSettings | None, lr: float) -> dict:
    result = train_sft(SFTSettings(
        model=ModelSettings(path=str(base)), data=DataSettings(path=str(data), include_clarify=False, prompt="compact"),
        output_dir=str(out / name), lora=lora, learning_rate=lr, max_steps=steps, batch_size=4, logging_steps=1, seed=0,
    ))[0]
    losses = [h["loss"] for h in result.log if "loss" in h]
    quarter = max(1, len(losses) // 4)
    return {"seconds_per_step": result.seconds_per_step, "loss_first": round(statistics.fmean(losses[:quarter]), 4),
            "loss_last": round(statistics.fmean(losses[-quarter:]), 4), "steps": result.steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--rows", type=int, default=32)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nano-train-bench"))
    args = parser.parse_args()

    data = args.workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / TRIPLETS_FILE).unlink(missing_ok=True)
    for t in make_triplets(args.rows, seed=100):
        write_triplet(data / TRIPLETS_FILE, t)
    base = nano_checkpoint()
    results = {
        "full": run("full", base, data, args.workdir, args.steps, None, 1e-4),
        "lora": run("lora", base, data, args.workdir, args.steps, LoraSettings(r=16, alpha=32), 1e-3),
    }
    for name, r in results.items():
        print(f"{name:>5}: {r['seconds_per_step']:.2f} s/step, loss {r['loss_first']:.3f} -> {r['loss_last']:.3f} over {r['steps']} steps")
    full, lora = results["full"], results["lora"]
    print(f"ratio lora/full: time per step {lora['seconds_per_step'] / full['seconds_per_step']:.2f}, "
          f"loss drop {(lora['loss_first'] - lora['loss_last']) / max(full['loss_first'] - full['loss_last'], 1e-9):.2f}")
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
