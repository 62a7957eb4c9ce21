"""Point every cache and state directory at one temporary folder before anything reads its location.

The suite must never write into the user's home: a stale `~/.cache/huggingface/datasets` entry left by a
test once made a later `claw export --format hf` load the tests' rows instead of the user's export.
Importing this module (the first import of `tests/conftest.py`) sets the variables in `os.environ`, so
libraries that read them once at import (huggingface_hub, datasets, transformers, matplotlib) and every
subprocess a test starts (the `claw` CLI, MCP servers over stdio and HTTP, `serve-model`) inherit them.
`HOME` moves too, which catches writers without a variable of their own (onnxruntime's
`~/.cache/Microsoft`) and servers started with a minimal environment (the MCP SDK's stdio client and
the MCP Inspector keep only HOME, PATH and a few others). `.ci/run` checks that the real `~/.cache` and
`~/.local/state` are unchanged after the suite.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

SANDBOX = Path(tempfile.mkdtemp(prefix="dataclaw-tests-home-"))
"""Removed when the session ends (`pytest_unconfigure` in tests/conftest.py)."""

_HOME = SANDBOX / "home"
_CACHE = _HOME / ".cache"

SANDBOX_ENV: dict[str, str] = {
    "HOME": str(_HOME),
    "XDG_CACHE_HOME": str(_CACHE),
    "XDG_CONFIG_HOME": str(_HOME / ".config"),
    "XDG_DATA_HOME": str(_HOME / ".local" / "share"),
    "XDG_STATE_HOME": str(_HOME / ".local" / "state"),
    # Ours: the anchor cache and the thread checkpoints.
    "DATACLAW_CACHE_DIR": str(SANDBOX / "anchor-cache"),
    "DATACLAW_STATE_DIR": str(SANDBOX / "state"),
    "DATACLAW_MODEL_DIR": str(SANDBOX / "models"),  # the nano model converted to a transformers checkpoint
    # Hugging Face: hub downloads, `datasets` Arrow caches (what `load_dataset` writes), dynamic modules, xet.
    "HF_HOME": str(_CACHE / "huggingface"),
    "HF_HUB_CACHE": str(_CACHE / "huggingface" / "hub"),
    "HF_DATASETS_CACHE": str(_CACHE / "huggingface" / "datasets"),
    "HF_MODULES_CACHE": str(_CACHE / "huggingface" / "modules"),
    "HF_XET_CACHE": str(_CACHE / "huggingface" / "xet"),
    "SENTENCE_TRANSFORMERS_HOME": str(_CACHE / "sentence-transformers"),
    # torch hub, compiled kernels and plotting caches.
    "TORCH_HOME": str(_CACHE / "torch"),
    "TORCHINDUCTOR_CACHE_DIR": str(_CACHE / "torchinductor"),
    "TRITON_CACHE_DIR": str(_CACHE / "triton"),
    "MPLCONFIGDIR": str(_HOME / ".config" / "matplotlib"),
}

LEGACY_VARS = ("HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "PYTORCH_TRANSFORMERS_CACHE", "PYTORCH_PRETRAINED_BERT_CACHE")
"""Older names a user's shell may still set; they would win over HF_HUB_CACHE in transformers, so they go."""

for _name in LEGACY_VARS:
    os.environ.pop(_name, None)
os.environ.update(SANDBOX_ENV)
_HOME.mkdir()
