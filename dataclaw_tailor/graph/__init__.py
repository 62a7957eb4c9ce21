"""The LangGraph pipeline: clarify -> route -> extract -> tailor -> validate (-> repair), checkpointed."""

from .runner import TailorResult, atailor, tailor

__all__ = ["TailorResult", "atailor", "tailor"]
