"""The one backend protocol and the registry of backend factories.

A backend turns a `GenerationRequest` (chat messages + JSON Schema + limits) into text. Backends are
created by name through `create_backend`, so the CLI, graph and MCP server never import a concrete
backend (and its heavy dependencies) until it is asked for.

Adding a backend: a module with a factory (a function or class called with the backend's options; its
docstring's first line describes it), named in `_register_builtin_backends` below; the module stays free
of imports of this registry. A plugin calls `BACKENDS.add(name, factory, description)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from ..core import BackendError, GenerationRequest
from ..core.registry import Registry, first_line

log = logging.getLogger(__name__)


@runtime_checkable
class Backend(Protocol):
    name: str
    model_id: str
    reads_prompt: bool
    """True when `generate` reads `request.messages`; False when it reads only `context` and `synthesize`
    (then the caller builds no prompt)."""

    async def generate(self, request: GenerationRequest) -> str:
        """Return the model's text for the request (expected to be JSON for the request's schema)."""
        ...


BackendFactory = Callable[..., Backend]


def _register_builtin_backends() -> None:
    """Register the built-in backend factories (on first use; heavy imports stay inside the backends)."""
    from . import hybrid, local, openai, rules, sampling

    for name, factory in (("local", local.create_local), ("hybrid", hybrid.create_hybrid), ("openai", openai.create_openai),
                          ("rules", rules.RulesBackend), ("sampling", sampling.create_sampling)):
        BACKENDS.add(name, factory, first_line(factory.__doc__))


BACKENDS: Registry[BackendFactory] = Registry("backend", builtins=_register_builtin_backends, unknown=BackendError)


def backend_names() -> list[str]:
    return sorted(BACKENDS.names())


def create_backend(name: str, **options: Any) -> Backend:
    """Build a backend by name; options are passed to its factory (base_url, model, ...)."""
    factory = BACKENDS.get(name)
    log.debug("creating backend %s with options %s", name, sorted(options))
    return factory(**options)
