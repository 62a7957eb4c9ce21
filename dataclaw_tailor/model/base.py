"""The one backend protocol and the registry of backend factories.

A backend turns a `GenerationRequest` (chat messages + JSON Schema + limits) into text. Backends are
created by name through `create_backend`, so the CLI, graph and MCP server never import a concrete
backend (and its heavy dependencies) until it is asked for.

Adding a backend: a module with a factory decorated `@register_backend("name")` (its docstring's first
line describes it), imported by `_import_builtin_backends` below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from ..core import BackendError, GenerationRequest
from ..core.registry import Registry

log = logging.getLogger(__name__)


@runtime_checkable
class Backend(Protocol):
    name: str
    model_id: str

    async def generate(self, request: GenerationRequest) -> str:
        """Return the model's text for the request (expected to be JSON for the request's schema)."""
        ...


BackendFactory = Callable[..., Backend]


def _import_builtin_backends() -> None:
    """Import the built-in backend modules so their `@register_backend` runs; heavy imports stay inside them."""
    from . import local, openai, rules, sampling  # noqa: F401


BACKENDS: Registry[BackendFactory] = Registry("backend", builtins=_import_builtin_backends, unknown=BackendError)


def register_backend(name: str) -> Callable[[BackendFactory], BackendFactory]:
    """Decorator that registers a backend factory (a function or class called with the backend's options)."""
    return BACKENDS.register(name)


def backend_names() -> list[str]:
    return sorted(BACKENDS.names())


def create_backend(name: str, **options: Any) -> Backend:
    """Build a backend by name; options are passed to its factory (base_url, model, ...)."""
    factory = BACKENDS.get(name)
    log.debug("creating backend %s with options %s", name, sorted(options))
    return factory(**options)
