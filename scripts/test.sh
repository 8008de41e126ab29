#!/usr/bin/env bash
# Set up everything the tests need, start the services they use, and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
. .venv/bin/activate
export HF_HUB_OFFLINE=1
.venv/bin/ruff check chatbot tests bench
.venv/bin/lint-imports

# A real Chroma server on loopback for the server-mode tests (tests/test_chroma_server.py).
chroma_dir=$(mktemp -d)
chroma_port=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/chroma run --path "$chroma_dir/data" --host 127.0.0.1 --port "$chroma_port" >"$chroma_dir/server.log" 2>&1 &
chroma_pid=$!
trap 'kill "$chroma_pid" 2>/dev/null; wait "$chroma_pid" 2>/dev/null; rm -rf "$chroma_dir"' EXIT
export CHATBOT_TEST_CHROMA_URL="http://127.0.0.1:$chroma_port"
heartbeat() { python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/api/v2/heartbeat", timeout=5)' "$CHATBOT_TEST_CHROMA_URL" 2>/dev/null; }
for _ in $(seq 1 300); do
  heartbeat && break
  kill -0 "$chroma_pid" 2>/dev/null || { cat "$chroma_dir/server.log" >&2; echo "error: chroma server did not start" >&2; exit 1; }
  sleep 0.2
done
heartbeat || { echo "error: chroma server not answering" >&2; exit 1; }
set +e
python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
