"""Shared fixtures: one tiny Qwen2 checkpoint per test session, built locally (no downloads)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    from dataclaw_tailor.model.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def tiny_vl_model(tmp_path_factory):
    from dataclaw_tailor.model.tiny import build_tiny_vl_model

    return build_tiny_vl_model(tmp_path_factory.mktemp("tiny-vl") / "model")
