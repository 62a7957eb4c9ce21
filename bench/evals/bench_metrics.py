"""How much Semantic scoring costs over the floor of embedding its texts once.

Scores every reference of the dev benchmark against paraphrase-like perturbations of itself (words
dropped from every text, items reversed, times shifted) with Field, Semantic and Sequence, and
compares the wall time with one batched `encode` of exactly the distinct strings involved (the
physical floor for an embedding metric), scoring record by record (one encode call each) and with
`score_records` (one encode call for all). A ratio near 1 means pairing, assignment and the other
two metrics add little.

    python bench/evals/bench_metrics.py [--bench bench/devset/devbench.jsonl] [--rounds 2]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

from dataclaw_tailor.evals.cases import load_cases
from dataclaw_tailor.evals.embed import MiniLMSimilarity, _model
from dataclaw_tailor.evals.metrics import score_record, score_records, text_leaves
from dataclaw_tailor.experts.registry import get_task


def perturb(node, k: int):
    """Drop every k-th word of each text, reverse lists, shift times by k/10 s."""
    if isinstance(node, str):
        words = node.split()
        return " ".join(w for i, w in enumerate(words) if len(words) < 3 or i % (k + 2)) or node
    if isinstance(node, list):
        return [perturb(v, k) for v in reversed(node)]
    if isinstance(node, dict):
        return {key: (v + k / 10 if key in ("start_s", "end_s") and isinstance(v, float) else perturb(v, k)) for key, v in node.items()}
    return node


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=Path, default=Path("bench/devset/devbench.jsonl"))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    cases = load_cases(args.bench)
    pairs = [(perturb(copy.deepcopy(c.reference), k), c.reference, get_task(c.task).json_schema()) for c in cases for k in range(1, 4)]
    texts = sorted({t for p, r, _ in pairs for t in text_leaves(p) + text_leaves(r)})
    model = _model()
    model.encode(["warm up"], normalize_embeddings=True)

    floor, one_by_one, batched = [], [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        floor.append(time.perf_counter() - start)
        sim = MiniLMSimilarity()
        start = time.perf_counter()
        for pred, ref, schema in pairs:
            score_record(pred, ref, schema, similarity=sim)
        one_by_one.append(time.perf_counter() - start)
        start = time.perf_counter()
        score_records([p for p, _, _ in pairs], [r for _, r, _ in pairs], [s for _, _, s in pairs], similarity=MiniLMSimilarity())
        batched.append(time.perf_counter() - start)
    f, m, b = min(floor), min(one_by_one), min(batched)
    print(f"{len(pairs)} scored records, {len(texts)} distinct texts, best of {args.rounds}")
    print(f"floor: one batched encode of the texts      {f * 1000:8.1f} ms")
    print(f"score_record one by one (encode per record) {m * 1000:8.1f} ms   {m / f:5.2f}x the floor")
    print(f"score_records (one encode for all)          {b * 1000:8.1f} ms   {b / f:5.2f}x the floor")


if __name__ == "__main__":
    main()
