"""The demo recipe (rules-made triplets, SFT then GRPO) on a larger, locally built Qwen2 on one GPU.

Prints step times, tokens per second, peak GPU memory per stage (torch.cuda.max_memory_allocated) and
the SFT model-FLOP rate as a fraction of a bf16 matmul rate measured in the same run, plus the held-out
scores before and after each stage. Run: `python bench/train_gpu.py --workdir /tmp/gpu-run [--lora]`.
Weights are random (no downloads): the numbers are about speed and memory, not final quality.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def matmul_tflops(n: int = 8192, repeats: int = 10) -> float:
    """bf16 matmul rate of this GPU right now: the ceiling the training FLOP rate is compared with."""
    import torch

    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    torch.cuda.synchronize()
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e12


def main() -> None:
    import torch

    from dataclaw_tailor.model.tiny import build_tiny_model
    from dataclaw_tailor.training.config import DataSettings, GRPOSettings, LoraSettings, ModelSettings, SFTSettings
    from dataclaw_tailor.training.demo import make_triplets
    from dataclaw_tailor.training.evaluate import score_checkpoint
    from dataclaw_tailor.training.grpo import train_grpo
    from dataclaw_tailor.training.sft import train_sft
    from dataclaw_tailor.training.triplets import TRIPLETS_FILE, write_triplet

    p = argparse.ArgumentParser()
    p.add_argument("--workdir", default="/tmp/gpu-run")
    p.add_argument("--hidden", type=int, default=896)
    p.add_argument("--intermediate", type=int, default=4864)
    p.add_argument("--layers", type=int, default=24)
    p.add_argument("--heads", type=int, default=14)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--train", type=int, default=256)
    p.add_argument("--heldout", type=int, default=8)
    p.add_argument("--sft-steps", type=int, default=100)
    p.add_argument("--grpo-steps", type=int, default=8)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--generations", type=int, default=8)
    p.add_argument("--lora", action="store_true", help="LoRA (r=16) instead of full fine-tuning.")
    args = p.parse_args()

    work = Path(args.workdir)
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / TRIPLETS_FILE).unlink(missing_ok=True)
    for t in make_triplets(args.train, 0):
        write_triplet(data / TRIPLETS_FILE, t)
    held = make_triplets(args.heldout, 1)
    base = build_tiny_model(work / "base", hidden_size=args.hidden, intermediate_size=args.intermediate, num_hidden_layers=args.layers,
                            num_attention_heads=args.heads, num_key_value_heads=args.kv_heads)
    from transformers import AutoModelForCausalLM

    params = AutoModelForCausalLM.from_pretrained(str(base)).num_parameters()
    peak = matmul_tflops()
    lora = LoraSettings(r=16, alpha=32) if args.lora else None
    data_settings = DataSettings(path=str(data), include_clarify=False, prompt="compact")
    max_new = max(len(json.dumps(t.record, separators=(",", ":"))) for t in held) // 2 + 64
    report: dict = {"device": torch.cuda.get_device_name(), "params": params, "lora": args.lora, "matmul_bf16_tflops": round(peak, 1)}

    def stage(name: str, fn):
        torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        out = fn()
        report[f"{name}_seconds"] = round(time.perf_counter() - start, 2)
        report[f"{name}_peak_mem_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
        print(json.dumps({k: v for k, v in report.items() if k.startswith(name)}), flush=True)
        return out

    def scores(path: Path) -> dict:
        s = score_checkpoint(path, held, style="compact", max_new_tokens=max_new, metrics=False)  # no MiniLM there
        return s.model_dump(exclude={"samples"})

    report["before"] = stage("score_before", lambda: scores(base))
    [sft] = stage("sft", lambda: train_sft(SFTSettings(
        model=ModelSettings(path=str(base)), data=data_settings, output_dir=str(work / "sft"), lora=lora,
        learning_rate=2e-4 if lora else 5e-5, max_steps=args.sft_steps, batch_size=args.batch, logging_steps=10, max_length=1024,
    )))
    tokens = max((h.get("num_tokens", 0) for h in sft.log), default=0)
    report["sft_s_per_step"] = sft.seconds_per_step
    report["sft_tokens_per_s"] = round(tokens / sft.seconds, 1)
    report["sft_final_loss"] = sft.train_loss
    # 6 * params * tokens counts forward and backward matmul FLOPs (attention scores left out)
    report["sft_model_tflops"] = round(6 * params * tokens / sft.seconds / 1e12, 2)
    report["sft_fraction_of_matmul_peak"] = round(report["sft_model_tflops"] / peak, 4)
    report["after_sft"] = stage("score_sft", lambda: scores(work / "sft"))
    [grpo] = stage("grpo", lambda: train_grpo(GRPOSettings(
        model=ModelSettings(path=str(work / "sft")), data=data_settings, output_dir=str(work / "grpo"), lora=lora,
        learning_rate=1e-5, max_steps=args.grpo_steps, batch_size=args.batch, num_generations=args.generations,
        max_completion_length=max_new, logging_steps=1,
    )))
    report["grpo_s_per_step"] = grpo.seconds_per_step
    report["grpo_step_time_trl"] = [round(h["step_time"], 3) for h in grpo.log if "step_time" in h]
    report["grpo_rewards"] = [{k.split("/")[1]: round(v, 3) for k, v in h.items() if k.startswith("rewards/") and k.endswith("/mean")}
                              for h in grpo.log if "reward" in h]
    report["after_grpo"] = stage("score_grpo", lambda: scores(work / "grpo"))
    print(json.dumps(report, indent=2))
    out = Path(__import__("os").environ.get("OUT", work))
    (out / f"train_gpu{'_lora' if args.lora else ''}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
