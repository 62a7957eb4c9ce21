"""Backends benchmark: constrained vs free decoding speed, and prompt size per task against its budget.

    python bench/backends_bench.py                       # tiny model on CPU (built locally, random weights)
    python bench/backends_bench.py --device cuda --hidden 1024 --layers 16 --heads 16 --kv-heads 4 --batch 16

Speed: the same requests (each task's real prompt and source-specialised schema) are generated with
xgrammar constraints and without; the ratio constrained/free tokens per second is the price of the
grammar. The constrained run is also repeated with xgrammar's own transformers processor (the peer our
batched mask filling replaces). A random model rarely emits EOS on its own, so the free run is capped at the same token
budget and both rates count generated tokens only.

Prompt size: each task's prompt for a small and for a dense source (2,000 OCR anchors), counted with
the model's tokenizer, against the prompt budget; the dense one shows anchor subsampling at work.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dataclaw_tailor.core import Anchor, TailorContext  # noqa: E402
from dataclaw_tailor.experts.registry import get_task, list_tasks  # noqa: E402
from dataclaw_tailor.model import local  # noqa: E402
from dataclaw_tailor.model.local import LocalBackend  # noqa: E402
from dataclaw_tailor.model.prompt import PromptBudget, build_prompt  # noqa: E402
from dataclaw_tailor.model.schema import specialise  # noqa: E402
from dataclaw_tailor.model.tiny import build_tiny_model, load_tokenizer  # noqa: E402
from tests.model.contexts import context_for  # noqa: E402


def requests_for(task: str, tokens: int, budget: PromptBudget):
    ctx = context_for(task)
    spec = get_task(task)
    schema = specialise(spec.json_schema(ctx.intent.schema_), ctx.source, ctx.anchors)
    request = build_prompt(ctx, spec, schema, budget=budget).request
    return request.model_copy(update={"temperature": 1.0, "max_tokens": tokens})


def speed(backend: LocalBackend, requests, batch: int, repeats: int) -> tuple[float, int, float]:
    """Generated tokens per second over `repeats` batches of `batch` copies of each request."""
    total_tokens, total_s = 0, 0.0
    for request in requests:
        for _ in range(repeats):
            start = time.perf_counter()
            gens = backend.generations([request] * batch)
            total_s += time.perf_counter() - start
            total_tokens += sum(g.completion_tokens for g in gens)
    return total_tokens / total_s, total_tokens, total_s


MASK = {"seconds": 0.0, "calls": 0}
"""Time spent inside the grammar processor (mask fill + token accept + apply), summed over decoding steps."""


def timed(factory):
    def make(grammars, threads="auto"):
        import transformers

        inner = factory(grammars, threads)

        class Timed(transformers.LogitsProcessor):
            def __call__(self, input_ids, scores):
                start = time.perf_counter()
                out = inner(input_ids, scores)
                MASK["seconds"] += time.perf_counter() - start
                MASK["calls"] += 1
                return out

        return Timed()

    return make


def _contrib(grammars, threads="auto"):
    """The peer: xgrammar's own transformers processor, which fills one row's mask after another."""
    import xgrammar as xgr

    return xgr.contrib.hf.LogitsProcessor(grammars)


batched_processor = timed(local.grammar_processor)
contrib_processor = timed(_contrib)


def dense(ctx: TailorContext, n: int) -> TailorContext:
    extra = [Anchor(id=f"ocr:{1000 + i}", kind="ocr", t=round(i * 0.01, 2), p=[1.0, 2.0, 300.0, 40.0],
                    c=f"on-screen line {i} with some words") for i in range(n)]
    return TailorContext(source=ctx.source, intent=ctx.intent, anchors=[*ctx.anchors, *extra], task=ctx.task)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, help="checkpoint folder (default: build a random Qwen2 of the size below)")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--tasks", default="gui.trajectory,daily.dense_captions,embodied.subtasks")
    ap.add_argument("--budget", type=int, default=PromptBudget().max_tokens)
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    model = args.model or build_tiny_model(
        Path(tempfile.mkdtemp(prefix="backends-bench-")) / "model", hidden_size=args.hidden,
        intermediate_size=args.hidden * 2 if args.hidden <= 64 else args.hidden * 3, num_hidden_layers=args.layers,
        num_attention_heads=args.heads, num_key_value_heads=args.kv_heads)
    tok = load_tokenizer(model)
    count = lambda s: len(tok(s).input_ids)  # noqa: E731
    budget = PromptBudget(max_tokens=args.budget)
    out: dict = {"model": str(model), "device": args.device, "batch": args.batch, "max_new_tokens": args.tokens}

    backend = LocalBackend(model, device=args.device, dtype=args.dtype, threads=args.threads, max_chars=24, max_items=4, seed=0)
    backend.warm_up()
    params = sum(p.numel() for p in backend._load()["model"].parameters())
    out["params"] = params
    tasks = [t for t in args.tasks.split(",") if t]
    requests = [requests_for(t, args.tokens, budget) for t in tasks]
    for r in requests:  # warm-up: grammar compilation and kernels are not what we time
        backend.generations([r])
    backend.constrained = False
    backend.generations([requests[0]])
    rows = {}
    for name in ("constrained", "contrib", "free"):
        backend.constrained = name != "free"
        local.grammar_processor = contrib_processor if name == "contrib" else batched_processor
        MASK.update(seconds=0.0, calls=0)
        rate, n, secs = speed(backend, requests, args.batch, args.repeats)
        rows[name] = {"tok_per_s": round(rate, 1), "tokens": n, "seconds": round(secs, 2),
                      "mask_ms_per_step": round(1000 * MASK["seconds"] / max(1, MASK["calls"]), 3)}
    ratio = rows["constrained"]["tok_per_s"] / rows["free"]["tok_per_s"]
    peer = rows["constrained"]["tok_per_s"] / rows["contrib"]["tok_per_s"]
    out["speed"] = rows | {"ratio_constrained_over_free": round(ratio, 3), "ratio_batched_over_contrib": round(peer, 3)}
    print(f"model {model.name}: {params / 1e6:.2f} M params on {args.device}, batch {args.batch}, <= {args.tokens} new tokens, tasks {tasks}")
    for name, row in rows.items():
        print(f"  {name:<12} {row['tok_per_s']:>10.1f} tok/s  ({row['tokens']} tokens in {row['seconds']} s; "
              f"grammar {row['mask_ms_per_step']} ms per decoding step of {args.batch} rows)")
    print(f"  constrained / free = {ratio:.3f}   batched masks / xgrammar contrib processor = {peer:.3f}")

    print(f"\nprompt size per task (tokens counted with the model's tokenizer; budget {budget.max_tokens}):")
    print(f"  {'task':<22} {'small':>7} {'dense':>7} {'/budget':>8} {'anchors kept (dense)':>22}")
    sizes = {}
    for spec in list_tasks():
        ctx = context_for(spec.name)
        schema = specialise(spec.json_schema(ctx.intent.schema_), ctx.source, ctx.anchors)
        small = build_prompt(ctx, spec, schema, budget=budget, count_tokens=count).report
        big_ctx = dense(ctx, 2000)
        big_schema = specialise(spec.json_schema(ctx.intent.schema_), big_ctx.source, big_ctx.anchors)
        big = build_prompt(big_ctx, spec, big_schema, budget=budget, count_tokens=count).report
        sizes[spec.name] = {"small": small.tokens, "dense": big.tokens, "budget": budget.max_tokens,
                            "dense_within_budget": big.within_budget, "anchors": [big.anchors_included, big.anchors_total]}
        print(f"  {spec.name:<22} {small.tokens:>7} {big.tokens:>7} {big.tokens / budget.max_tokens:>8.2f} "
              f"{big.anchors_included:>10} of {big.anchors_total}")
    out["prompt_tokens"] = sizes
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
