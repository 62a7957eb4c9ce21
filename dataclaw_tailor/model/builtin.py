"""Imports every built-in backend module so each registers itself; heavy imports stay inside them."""

from . import rules  # noqa: F401
