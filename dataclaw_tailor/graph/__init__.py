"""The LangGraph pipeline: inspect -> route -> (clarify) -> extract -> tailor -> validate (-> repair), checkpointed."""

from .build import build_graph
from .runner import Run, Threads
from .state import Services, TailorInput, TailorOutput

__all__ = ["Run", "Services", "TailorInput", "TailorOutput", "Threads", "build_graph"]
