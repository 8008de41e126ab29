#!/usr/bin/env bash
# Set up the project and start the chatbot on its embedded defaults (no LLM server, no API key).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/chatbot serve "$@"
