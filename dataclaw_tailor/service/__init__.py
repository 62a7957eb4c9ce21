"""The application service the CLI, the MCP server, corpus runs, evals and training construction call.

Exports load on first use (`core/lazy.py`): the settings are read by start-up code that must not load the graph.
"""

from ..core.lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    ".hosted": ["Brief", "Submission"],
    ".output": ["write_envelope"],
    ".refine": ["Refinement"],
    ".settings": ["Settings", "default_state_dir"],
    ".tailoring": ["MAX_CLARIFY_ROUNDS", "Answers", "Ask", "Clarification", "TailorService", "task_schema"],
})
