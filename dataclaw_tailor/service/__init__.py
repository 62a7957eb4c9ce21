"""The application service the CLI, the MCP server, corpus runs, evals and training construction call."""

from .hosted import Brief, BriefImage, Submission
from .output import write_envelope
from .refine import Refinement
from .settings import Settings, default_state_dir
from .tailoring import MAX_CLARIFY_ROUNDS, Answers, Ask, Clarification, TailorService, task_schema

__all__ = [
    "MAX_CLARIFY_ROUNDS", "Answers", "Ask", "Brief", "BriefImage", "Clarification", "Refinement", "Settings", "Submission",
    "TailorService", "default_state_dir", "task_schema", "write_envelope",
]
