"""A transformers checkpoint on this machine, with xgrammar-constrained decoding.

Every token is masked by a grammar compiled from the request's JSON Schema, so the text always parses
and conforms to the (specialised) schema, even from a weak or tiny model. The schema is first passed
through `schema.bounded` (printable strings of capped length, optionally capped lists) so that a
constrained document also *ends* within the token budget. Text-only checkpoints load with
`AutoModelForCausalLM`; a vision-language config (one with a `vision_config`) loads with
`AutoProcessor` + `AutoModelForImageTextToText` and receives the prompt's images.

Generation runs in a worker thread (one at a time per backend: a model is not re-entrant), so an
asyncio caller such as the graph or the OpenAI-compatible server stays responsive.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import BackendError, GenerationRequest, ImagePart, Message, TextPart
from .schema import bounded


log = logging.getLogger(__name__)

GRAMMAR_CACHE = 64
"""Compiled grammars kept per backend."""


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    """"stop" when the model ended the document, "length" when max_tokens cut it."""


class LocalBackend:
    """Generate with a local checkpoint; `generate_batch` pads several requests into one `generate` call.

    `max_chars`/`max_items` bound free text and lists under constrained decoding (see `schema.bounded`);
    `threads` sets torch's CPU threads (process-wide): on a busy CPU, one thread per process is often
    several times faster than oversubscribed cores.
    """

    name = "local"
    reads_prompt = True

    def __init__(
        self,
        model: str | Path,
        *,
        device: str | None = None,
        dtype: str = "auto",
        constrained: bool = True,
        max_chars: int | None = 256,
        max_items: int | None = None,
        seed: int | None = None,
        threads: int | None = None,
        mask_threads: int | str = "auto",
    ):
        path = Path(model)
        if not (path / "config.json").is_file():
            raise BackendError(f"local backend: {path}: no transformers checkpoint (config.json missing)")
        self.model_id = str(model)
        self.path = path
        self.device = device
        self.dtype = dtype
        self.constrained = constrained
        self.max_chars = max_chars
        self.max_items = max_items
        self.seed = seed
        self.threads = threads
        self.mask_threads = mask_threads
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] | None = None
        self._grammars: OrderedDict[str, Any] = OrderedDict()

    @property
    def vision(self) -> bool:
        config = json.loads((self.path / "config.json").read_text())
        return "vision_config" in config

    def _load(self) -> dict[str, Any]:
        if self._loaded is not None:
            return self._loaded
        import torch
        import transformers
        import xgrammar as xgr

        started = time.perf_counter()
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = self.dtype if self.dtype == "auto" else getattr(torch, self.dtype)
        try:
            if self.vision:
                processor = transformers.AutoProcessor.from_pretrained(self.path)
                tokenizer = processor.tokenizer
                model = transformers.AutoModelForImageTextToText.from_pretrained(self.path, dtype=dtype)
                vocab = model.config.get_text_config().vocab_size
            else:
                processor = None
                tokenizer = _tokenizer(self.path)
                model = transformers.AutoModelForCausalLM.from_pretrained(self.path, dtype=dtype)
                vocab = model.config.vocab_size
        except (OSError, ValueError) as exc:
            raise BackendError(f"local backend: cannot load {self.path}: {exc}") from exc
        model.to(device).eval()
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"
        if self.seed is not None:
            torch.manual_seed(self.seed)
        if self.threads:
            torch.set_num_threads(self.threads)
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab)
        self._loaded = {
            "model": model,
            "tokenizer": tokenizer,
            "processor": processor,
            "compiler": xgr.GrammarCompiler(info),
            "device": device,
        }
        log.info("loaded checkpoint %s on %s in %.1f s", self.path, device, time.perf_counter() - started)
        return self._loaded

    def decoding_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema the grammar is compiled from: the request's, bounded so every document ends."""
        return bounded(schema, max_chars=self.max_chars, max_items=self.max_items)

    def warm_up(self) -> None:
        """Load the checkpoint now rather than on the first request."""
        with self._lock:
            self._load()

    def _grammar(self, schema: dict[str, Any]) -> Any:
        """Compiled grammars, most recently used kept: schemas are specialised per source, so they vary."""
        key = json.dumps(schema, sort_keys=True)
        if key in self._grammars:
            self._grammars.move_to_end(key)
            return self._grammars[key]
        compiler = self._load()["compiler"]
        try:
            grammar = compiler.compile_json_schema(json.dumps(self.decoding_schema(schema)), any_whitespace=False)
        except RuntimeError as exc:
            raise BackendError(f"local backend: the JSON Schema does not compile to a grammar: {exc}") from exc
        self._grammars[key] = grammar
        if len(self._grammars) > GRAMMAR_CACHE:
            self._grammars.popitem(last=False)
        return grammar

    async def generate(self, request: GenerationRequest) -> str:
        return (await self.generate_batch([request]))[0]

    async def generate_batch(self, requests: list[GenerationRequest]) -> list[str]:
        """Generate for several requests in one padded batch (in a worker thread)."""
        return [g.text for g in await asyncio.to_thread(self.generations, requests)]

    def generations(self, requests: list[GenerationRequest]) -> list[Generation]:
        """Blocking batched generation with token counts; requests without a schema decode freely."""
        if not requests:
            return []
        with self._lock:
            return self._run(requests)

    def _run(self, requests: list[GenerationRequest]) -> list[Generation]:
        import torch

        loaded = self._load()
        model, tokenizer = loaded["model"], loaded["tokenizer"]
        inputs = self._inputs(requests, loaded)
        width = inputs["input_ids"].shape[1]
        temperature = max(r.temperature for r in requests)
        options: dict[str, Any] = {
            "max_new_tokens": max(r.max_tokens for r in requests),
            "pad_token_id": tokenizer.pad_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "do_sample": temperature > 0,
        }
        if temperature > 0:
            options.update(temperature=temperature, top_k=0, top_p=1.0)
        schemas = [r.json_schema for r in requests]
        if self.constrained and any(s is not None for s in schemas):
            if not all(s is not None for s in schemas):
                raise BackendError("local backend: a batch must be all constrained or all free (mixed json_schema)")
            options["logits_processor"] = [grammar_processor([self._grammar(s) for s in schemas], self.mask_threads)]
        with torch.inference_mode():
            out = model.generate(**inputs, **options)
        prompt_lengths = inputs["attention_mask"].sum(dim=1).tolist()
        results = []
        for row, prompt_tokens in zip(out, prompt_lengths):
            new = row[width:]
            ended = (new == tokenizer.eos_token_id).nonzero()
            length = int(ended[0, 0]) + 1 if len(ended) else int((new != tokenizer.pad_token_id).sum())
            results.append(Generation(
                text=tokenizer.decode(new[:length], skip_special_tokens=True),
                prompt_tokens=int(prompt_tokens),
                completion_tokens=length,
                finish_reason="stop" if len(ended) else "length",
            ))
        return results

    def _inputs(self, requests: list[GenerationRequest], loaded: dict[str, Any]) -> Any:
        processor, tokenizer, device = loaded["processor"], loaded["tokenizer"], loaded["device"]
        if processor is not None:
            conversations = [[_vl_message(m) for m in r.messages] for r in requests]
            batch = processor.apply_chat_template(
                conversations, add_generation_prompt=True, tokenize=True, return_dict=True,
                return_tensors="pt", padding=True,
            )
        else:
            texts = [
                tokenizer.apply_chat_template(
                    [{"role": m.role, "content": _flat_text(m)} for m in r.messages],
                    tokenize=False, add_generation_prompt=True,
                )
                for r in requests
            ]
            batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        return batch.to(device)


def grammar_processor(grammars: list[Any], threads: int | str = "auto") -> Any:
    """A transformers `LogitsProcessor` that masks each row of a batch with its own compiled grammar.

    Unlike `xgrammar.contrib.hf.LogitsProcessor`, which fills one row after another in Python, the
    rows' masks are filled in parallel by `BatchGrammarMatcher` (`threads` workers; "auto" = half the cores) and the
    sampled tokens are accepted in one call; finished rows are left unmasked (generate pads them).
    One instance serves one `generate` call.
    """
    import torch
    import transformers
    import xgrammar as xgr

    class GrammarLogitsProcessor(transformers.LogitsProcessor):
        def __init__(self) -> None:
            self.matchers = [xgr.GrammarMatcher(g) for g in grammars]
            self.batch = xgr.BatchGrammarMatcher(threads)
            self.bitmask = xgr.allocate_token_bitmask(len(grammars), grammars[0].tokenizer_info.vocab_size)
            self.started = False

        def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
            if self.started:
                live = [i for i, m in enumerate(self.matchers) if not m.is_terminated()]
                last = input_ids[:, -1].tolist()
                accepted = xgr.BatchGrammarMatcher.batch_accept_token([self.matchers[i] for i in live], [last[i] for i in live])
                if not all(accepted):
                    raise BackendError("local backend: a sampled token broke the grammar (masking failed)")
            self.started = True
            live = [i for i, m in enumerate(self.matchers) if not m.is_terminated()]
            self.bitmask.fill_(-1)
            if live:
                self.batch.batch_fill_next_token_bitmask([self.matchers[i] for i in live], self.bitmask, live)
            xgr.apply_token_bitmask_inplace(scores, self.bitmask.to(scores.device, non_blocking=True))
            return scores

    return GrammarLogitsProcessor()


def _tokenizer(path: Path) -> Any:
    """The checkpoint's own `tokenizer.json` verbatim when present (AutoTokenizer may rebuild it differently)."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    if (path / "tokenizer.json").is_file():
        return PreTrainedTokenizerFast.from_pretrained(str(path))
    return AutoTokenizer.from_pretrained(str(path))


def _flat_text(message: Message) -> str:
    """Text-only models see an image as a one-line placeholder naming what it showed."""
    out = []
    for part in message.content:
        if isinstance(part, TextPart):
            out.append(part.text)
        elif isinstance(part, ImagePart):
            out.append(f"[image omitted: {part.detail or Path(part.path).name}]")
    return "\n".join(out)


def _vl_message(message: Message) -> dict[str, Any]:
    from PIL import Image

    content: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            content.append({"type": "text", "text": part.text})
        else:
            with Image.open(part.path) as img:
                content.append({"type": "image", "image": img.convert("RGB")})
    return {"role": message.role, "content": content}


def create_local(model: str | Path | None = None, **options: Any) -> LocalBackend:
    """A transformers checkpoint on this machine (default: the packaged nano model), decoding constrained to the schema (xgrammar).

    Without `model` it serves the nano model of the `nano` extra (`model.nano.nano_checkpoint`).
    """
    if not model:
        from .nano import nano_checkpoint

        model = nano_checkpoint()
    return LocalBackend(model, **options)
