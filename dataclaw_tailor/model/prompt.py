"""Turn a tailoring context into chat messages a model can answer within a token budget.

The prompt carries what the model must ground a record in: the user's intent, the task and its
(specialised) JSON Schema, the anchors in a compact one-line-per-anchor form with their ids, a few
keyframes or screenshots at a budgeted resolution, and one example record. Long sources produce more
anchors than a context holds, so anchors are subsampled evenly per kind (ids stay as extracted, so a
record can still cite them) until the prompt fits; the `PromptReport` says what was kept and how big
the prompt is, counted with a tokenizer when one is given and estimated otherwise.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ..core import Anchor, AnchorContent, GenerationRequest, ImagePart, InputError, Message, TailorContext, TaskSpec, TextPart
from ..tools.files import open_image
from .schema import prompt_view, specialise

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are DataClaw, a data tailoring model. You turn raw multimodal streams into training records. "
    "Answer with exactly one JSON object that conforms to the JSON Schema you are given, and nothing else. "
    "Every time, position and observed fact you state must come from the anchors listed in the prompt: "
    "cite them by id in `anchor_ids`, keep times inside the source and coordinates on its screen, and never "
    "invent an anchor id. Write text fields in the requested language."
)

CLOSING = "Now write the JSON record for this source."

class PromptBudget(BaseModel):
    """How large a prompt may get; defaults suit a 16k-context Qwen-VL class model."""

    max_tokens: int = Field(default=8000, ge=256, description="Upper bound on prompt tokens, text and images together.")
    max_images: int = Field(default=4, ge=0, description="Keyframes or screenshots attached at most.")
    image_side: int = Field(default=448, ge=28, description="Longest image side in pixels after resizing.")
    patch: int = Field(default=28, ge=1, description="Pixels per image token side (Qwen-VL merges 28x28 pixels into one token).")
    max_text_chars: int = Field(default=160, ge=16, description="Anchor text longer than this is cut, with an ellipsis.")
    output_tokens: int = Field(default=4096, ge=16, description="Tokens the model may generate (the request's max_tokens).")
    chars_per_token: float = Field(default=3.0, gt=0, description="Estimate used when no tokenizer counts tokens.")


class PromptReport(BaseModel):
    """The size of a built prompt and what was left out to make it fit."""

    tokens: int = Field(description="Prompt tokens, text and images together.")
    text_tokens: int
    image_tokens: int
    counted: bool = Field(description="True when a tokenizer counted the text tokens, False when estimated.")
    budget: int
    within_budget: bool
    images: int = Field(description="Images attached.")
    image_candidates: int = Field(description="Anchors that name an image.")
    anchors_total: int
    anchors_included: int
    sections: dict[str, int] = Field(default_factory=dict, description="Text tokens per prompt section.")
    notes: list[str] = Field(default_factory=list, description="What was cut or skipped, in words.")


@dataclass(frozen=True)
class Prompt:
    request: GenerationRequest
    report: PromptReport


TokenCounter = Callable[[str], int]


def serving_request(ctx: TailorContext, spec: TaskSpec, schema: dict[str, Any]) -> GenerationRequest:
    """Exactly what a backend is sent in production: the prompt, with `schema` specialised to the source.

    The graph's tailor and repair steps and the training triplets' `serving` prompt style share it, so
    a model is trained on the prompts it is served with.
    """
    bounded = specialise(schema, ctx.source, ctx.anchors, max_items=ctx.intent.max_items)
    return build_prompt(ctx, spec, bounded).request


def build_prompt(
    ctx: TailorContext,
    spec: TaskSpec,
    schema: dict[str, Any],
    *,
    budget: PromptBudget = PromptBudget(),
    count_tokens: TokenCounter | None = None,
    image_dir: str | Path | None = None,
) -> Prompt:
    """Build the messages for `ctx` and report their size against `budget`.

    `count_tokens` (e.g. `lambda s: len(tok(s).input_ids)`) makes the report exact; `image_dir` is where
    resized images are cached (a temp folder by default).
    """
    count = count_tokens or (lambda text: math.ceil(len(text.encode()) / budget.chars_per_token))
    notes: list[str] = []
    images, candidates = _images(ctx, budget, Path(image_dir) if image_dir else None, notes)
    image_tokens = sum(_image_tokens(size, budget.patch) for _, size, _ in images)

    fixed = {
        "system": SYSTEM_PROMPT,
        "intent": _intent_section(ctx),
        "task": _task_section(spec),
        "schema": "## JSON Schema\n" + json.dumps(prompt_view(schema), separators=(",", ":"), ensure_ascii=False),
        "example": _example_section(spec),
    }
    sections = {name: count(text) for name, text in fixed.items()}
    room = budget.max_tokens - sum(sections.values()) - image_tokens - 16
    if room <= 0:
        notes.append(f"intent, task, schema, example and images alone take {budget.max_tokens - room - 16} tokens")
    lines = [_anchor_line(a, budget.max_text_chars) for a in ctx.anchors]
    fixed_tokens = sum(sections.values()) + image_tokens + count(CLOSING)
    for _ in range(4):  # the per-line estimate ignores joins and the header: shrink until the real count fits
        kept = _fit(ctx.anchors, lines, room, count)
        anchor_text = _anchor_header(ctx, len(kept), len(lines)) + "\n" + "\n".join(lines[i] for i in kept)
        over = fixed_tokens + count(anchor_text) - budget.max_tokens
        if over <= 0 or not kept:
            break
        room -= over
    sections["anchors"] = count(anchor_text)
    if len(kept) < len(lines):
        notes.append(f"subsampled anchors: {len(kept)} of {len(lines)} kept to fit {budget.max_tokens} tokens")

    user_text = "\n\n".join([fixed["intent"], fixed["task"], anchor_text, fixed["schema"], fixed["example"]])
    parts: list[TextPart | ImagePart] = [TextPart(text=user_text)]
    parts.extend(ImagePart(path=str(path), detail=detail) for path, _, detail in images)
    parts.append(TextPart(text=CLOSING))

    request = GenerationRequest(
        messages=[Message.text("system", SYSTEM_PROMPT), Message(role="user", content=parts)],
        json_schema=schema,
        task=spec.name,
        max_tokens=budget.output_tokens,
        context=ctx,
        synthesize=spec.synthesize,
    )
    text_tokens = sum(sections.values()) + count(CLOSING)
    total = text_tokens + image_tokens
    report = PromptReport(
        tokens=total,
        text_tokens=text_tokens,
        image_tokens=image_tokens,
        counted=count_tokens is not None,
        budget=budget.max_tokens,
        within_budget=total <= budget.max_tokens,
        images=len(images),
        image_candidates=candidates,
        anchors_total=len(lines),
        anchors_included=len(kept),
        sections=sections,
        notes=notes,
    )
    log.debug("built prompt for %s: %d tokens, %d images, %d of %d anchors", spec.name, total, len(images), len(kept), len(lines))
    return Prompt(request=request, report=report)


def _example_section(spec: TaskSpec) -> str:
    """One example record; none for `custom`, whose stored example follows a demo schema, not the user's."""
    if spec.model is None:
        return "## Example record\nNone: follow the JSON Schema above."
    return "## Example record (another source; shows the shape only)\n" + json.dumps(spec.example, separators=(",", ":"), ensure_ascii=False)


def _intent_section(ctx: TailorContext) -> str:
    intent = ctx.intent
    lines = ["## Intent", intent.text]
    if intent.target_use:
        lines.append(f"Target use: {intent.target_use}")
    if intent.max_items:
        lines.append(f"At most {intent.max_items} items per list.")
    if intent.answers:
        lines.append("Clarifications: " + "; ".join(f"{k}: {v}" for k, v in sorted(intent.answers.items())))
    lines.append(f"Language: {intent.language}")
    return "\n".join(lines)


def _task_section(spec: TaskSpec) -> str:
    return f"## Task {spec.name} (v{spec.version})\n{spec.description}\n{spec.prompt}".rstrip()


def _anchor_header(ctx: TailorContext, kept: int, total: int) -> str:
    src = ctx.source
    facts = [f"kind={src.kind.value}"]
    if src.format:
        facts.append(f"format={src.format}")
    facts += [f"{key}={value}" for key, value in src.meta.physical().items()]
    shown = f"{total} anchors" if kept == total else f"{kept} of {total} anchors, evenly subsampled; cite only these ids"
    return f"## Source ({', '.join(facts)})\n## Anchors ({shown}): id, t (s), p (px), c"


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def _anchor_line(anchor: Anchor, max_chars: int) -> str:
    """`{"id":..,"t":..,"p":..,"c":..}` without empty fields; file paths shortened to their names."""
    out: dict[str, Any] = {"id": anchor.id}
    if anchor.t is not None:
        out["t"] = _round(anchor.t)
    if anchor.p is not None:
        out["p"] = _round(anchor.p)
    content = anchor.content_json
    if isinstance(content, dict):
        image_field = anchor.c.image_field if isinstance(anchor.c, AnchorContent) else None
        content = {
            k: (Path(v).name if k == image_field and isinstance(v, str) else _clip(_round(v), max_chars))
            for k, v in content.items()
            if v is not None and v != ""
        }
    elif isinstance(content, str):
        content = _clip(content, max_chars)
    if content not in (None, "", {}):
        out["c"] = content
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def _clip(value: Any, max_chars: int) -> Any:
    if isinstance(value, str) and len(value) > max_chars:
        return value[: max_chars - 1] + "…"
    return value


def _fit(anchors: list[Anchor], lines: list[str], room: int, count: TokenCounter) -> list[int]:
    """Indices of the anchors to show: all if they fit, else an even sample of each kind under a common cap.

    The cap (anchors per kind) is the largest that fits, so sparse kinds (shots, task) stay whole and the
    dense ones (OCR, frames) are thinned evenly over time.
    """
    sizes = [count(line) + 1 for line in lines]
    if sum(sizes) <= room:
        return list(range(len(lines)))
    by_kind: dict[str, list[int]] = {}
    for i, a in enumerate(anchors):
        by_kind.setdefault(a.kind, []).append(i)

    def pick(cap: int) -> list[int]:
        return sorted(i for idx in by_kind.values() for i in _even(idx, min(len(idx), cap)))

    lo, hi, best = 1, max(len(v) for v in by_kind.values()), []
    while lo <= hi:
        cap = (lo + hi) // 2
        chosen = pick(cap)
        if sum(sizes[i] for i in chosen) <= room:
            best, lo = chosen, cap + 1
        else:
            hi = cap - 1
    return best


def _even(items: list[int], n: int) -> list[int]:
    if n >= len(items):
        return items
    if n == 1:
        return [items[0]]
    step = (len(items) - 1) / (n - 1)
    return [items[round(k * step)] for k in range(n)]


def _image_tokens(size: tuple[int, int], patch: int) -> int:
    return math.ceil(size[0] / patch) * math.ceil(size[1] / patch)


def _resolve(ctx: TailorContext, name: str) -> Path | None:
    path = Path(name)
    if path.is_absolute():
        return path if path.is_file() else None
    root = Path(ctx.source.path)
    for base in (root, root.parent):
        for candidate in (base / path, base / "images" / path):
            if candidate.is_file():
                return candidate
    return None


def _images(
    ctx: TailorContext, budget: PromptBudget, image_dir: Path | None, notes: list[str]
) -> tuple[list[tuple[Path, tuple[int, int], str]], int]:
    """Evenly chosen image anchors resized to `budget.image_side`, as (path, size, detail); and the candidate count."""
    candidates: list[tuple[Path, str]] = []
    for a in ctx.anchors:
        name = a.c.image if isinstance(a.c, AnchorContent) else None
        if name:
            path = _resolve(ctx, name)
            if path is None:
                notes.append(f"image of {a.id} not found: {name}")
            else:
                candidates.append((path, f"{a.kind} {a.id}"))
    chosen = _even(list(range(len(candidates))), budget.max_images) if budget.max_images else []
    folder = image_dir or Path(tempfile.gettempdir()) / "dataclaw-tailor-images"
    out = []
    for i in chosen:
        path, detail = candidates[i]
        try:
            resized, size = _resized(path, budget.image_side, folder)
        except (OSError, InputError) as exc:
            notes.append(f"image {path} unreadable: {exc}")
            continue
        out.append((resized, size, detail))
    return out, len(candidates)


def _resized(path: Path, side: int, folder: Path) -> tuple[Path, tuple[int, int]]:
    """The image itself when small enough, else a cached JPEG copy with its longest side = `side`."""
    from PIL import Image

    with open_image(path) as img:
        w, h = img.size
        if max(w, h) <= side:
            return path, (w, h)
        scale = side / max(w, h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        stat = path.stat()
        key = hashlib.sha256(f"{path.resolve()}|{stat.st_mtime_ns}|{stat.st_size}|{side}".encode()).hexdigest()[:20]
        target = folder / f"{key}.jpg"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            img.convert("RGB").resize(size, Image.Resampling.BICUBIC).save(tmp, "JPEG", quality=90)
            tmp.replace(target)
        return target, size
