"""Backend options from command-line flags, checked against the backend they are meant for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core import BackendError

ACCEPTS: dict[str, frozenset[str]] = {
    "rules": frozenset(),
    "openai": frozenset({"base_url", "model", "expert_models"}),
    "local": frozenset({"model"}),
    "hybrid": frozenset({"model"}),
    "sampling": frozenset(),
}


def backend_options(
    backend: str,
    *,
    base_url: str | None = None,
    model: str | None = None,
    expert_models: Sequence[str] | None = None,
) -> dict[str, Any]:
    """`--base-url/--model/--expert-model` as the backend's factory options; a flag it ignores is an error."""
    given = {"base_url": base_url, "model": model, "expert_models": list(expert_models) if expert_models else None}
    given = {k: v for k, v in given.items() if v}
    allowed = ACCEPTS.get(backend)
    if allowed is not None:
        unused = sorted(set(given) - allowed)
        if unused:
            flags = ", ".join("--" + k.replace("_", "-").removesuffix("s") for k in unused)
            raise BackendError(f"backend {backend!r} does not take {flags}")
    return given


def parse_pairs(value: Mapping[str, str] | Sequence[str] | str | None, what: str, form: str) -> dict[str, str]:
    """`{"gui": "x"}`, `["gui=x", ...]` or `"gui=x,embodied=y"` -> dict; a malformed or repeated name is a BackendError.

    The one parser behind `--expert-model DOMAIN=MODEL` (openai) and `--expert NAME=ADAPTER_PATH` (vllm).
    """
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    items = value.split(",") if isinstance(value, str) else list(value)
    out: dict[str, str] = {}
    for item in items:
        name, sep, target = item.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise BackendError(f"{what} {item!r} is not {form}")
        if name.strip() in out:
            raise BackendError(f"{what} {name.strip()!r} given twice")
        out[name.strip()] = target.strip()
    return out
