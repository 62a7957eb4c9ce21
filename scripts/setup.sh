#!/usr/bin/env bash
# Create .venv and install the package. `core` (default) = the CLI and MCP server on the rules backend;
# `dev` = everything the tests need (ml + eval + scale + dev extras). Pins come from constraints.txt, so the
# CPU build of torch 2.13.0 is used whatever the install order.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-core}"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
case "$profile" in
  core) .venv/bin/pip install -q -c constraints.txt -e . ;;
  dev)  .venv/bin/pip install -q -c constraints.txt "torch==2.13.0"
        .venv/bin/pip install -q -c constraints.txt -e ".[ml,eval,dev,scale]" ;;
  *) echo "usage: scripts/setup.sh [core|dev]" >&2; exit 2 ;;
esac
