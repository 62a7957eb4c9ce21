"""Package exports imported on first use, so that importing one light module of a package loads only that.

`import dataclaw_tailor.service.settings` runs `service/__init__.py` first; if that imported every export
eagerly, reading one setting would load the tailoring graph (LangGraph and LangChain, seconds). A package
whose `__init__` only names its exports here pays for a module when one of its names is first read. An
MCP server answers its first `tools/list` before any tool runs, so its start-up pays only for what the tool
signatures name (see bench/mcp_bench.py, cold start).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, Sequence[str]]) -> tuple[Callable[[str], Any], list[str]]:
    """A module `__getattr__` and `__all__` for `package`, whose names live in the submodules `homes` maps them to.

    Usage in a package's `__init__.py`: `__getattr__, __all__ = lazy_exports(__name__, {".settings": ["Settings"]})`.
    A name must not also be a submodule's (importing that submodule would put the module there instead).
    """
    where = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(where[name], package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__, sorted(where)
