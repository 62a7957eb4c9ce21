"""The LangGraph pipeline: inspect -> route -> (clarify) -> extract -> tailor -> validate (-> repair), checkpointed.

Exports load on first use (`core/lazy.py`): `graph.state` is light, the runner and the builder load LangGraph
(about a second), which a command that only validates a record never needs.
"""

from ..core.lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    ".build": ["build_graph"],
    ".runner": ["Run", "Threads"],
    ".state": ["Services", "StepProgress", "TailorInput", "TailorOutput"],
})
