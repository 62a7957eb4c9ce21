"""The LangGraph pipeline: inspect -> route -> (clarify) -> extract -> tailor -> validate (-> repair), checkpointed."""

from .build import build_graph
from .runner import Run, Threads
from .state import Services, StepProgress, TailorInput, TailorOutput

__all__ = ["Run", "Services", "StepProgress", "TailorInput", "TailorOutput", "Threads", "build_graph"]
