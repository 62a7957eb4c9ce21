"""Imports every built-in backend module so each registers itself; heavy imports stay inside them."""

from . import local, openai, rules, sampling  # noqa: F401
