"""The one backend protocol and the registry of backend factories.

A backend turns a `GenerationRequest` (chat messages + JSON Schema + limits) into text. Backends are
created by name through `create_backend`, so the CLI, graph and MCP server never import a concrete
backend (and its heavy dependencies) until it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from ..core import BackendError, GenerationRequest


@runtime_checkable
class Backend(Protocol):
    name: str
    model_id: str

    async def generate(self, request: GenerationRequest) -> str:
        """Return the model's text for the request (expected to be JSON for the request's schema)."""
        ...


BackendFactory = Callable[..., Backend]
_FACTORIES: dict[str, BackendFactory] = {}


def register_backend(name: str) -> Callable[[BackendFactory], BackendFactory]:
    def deco(factory: BackendFactory) -> BackendFactory:
        _FACTORIES[name] = factory
        return factory

    return deco


def backend_names() -> list[str]:
    _load_builtin()
    return sorted(_FACTORIES)


def create_backend(name: str, **options: Any) -> Backend:
    """Build a backend by name; options are passed to its factory (base_url, model, ...)."""
    _load_builtin()
    if name not in _FACTORIES:
        raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(sorted(_FACTORIES))}")
    return _FACTORIES[name](**options)


def _load_builtin() -> None:
    """Import the built-in backend modules so their `@register_backend` runs (lazily, once)."""
    from . import builtin  # noqa: F401
