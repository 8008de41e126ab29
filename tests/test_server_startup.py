"""``chatbot serve`` as a user starts it: a real process that indexes the seed folder on first start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import MODELS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return sock.getsockname()[1]


def command() -> list[str]:
    script = Path(sys.executable).parent / "chatbot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "chatbot.cli"]


def test_serve_indexes_in_background_then_answers_read_only(tmp_path, seed_copy):
    """Bound to all interfaces without a key: starts at once, shows progress, answers, refuses writes."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATBOT_")}
    env.update(CHATBOT_INDEX_DIR=str(tmp_path / "index"), CHATBOT_ARTICLES_DIR=str(seed_copy),
               CHATBOT_MODELS_DIR=str(MODELS), HF_HUB_OFFLINE="1")
    out = (tmp_path / "stdout.txt").open("w")
    proc = subprocess.Popen([*command(), "serve", "--host", "0.0.0.0", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    seen: list[dict] = []
    early_ask: httpx.Response | None = None
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:  # waiting for start-up, not measuring it
                assert proc.poll() is None, (tmp_path / "stdout.txt").read_text()
                try:
                    health = http.get("/api/health").json()
                except httpx.TransportError:
                    time.sleep(0.2)
                    continue
                seen.append(health)
                if "state" not in health:
                    break
                if early_ask is None:
                    early_ask = http.post("/api/ask", json={"question": "Qui marche sur Tripoli ?"})
                time.sleep(0.2)
            assert seen and "state" not in seen[-1], seen[-1:]
            assert seen[-1]["documents"] == 1 and seen[-1]["chunks"] > 1
            assert seen[-1]["last_indexing"]["added"] == 1
            assert {h["state"] for h in seen[:-1]} & {"loading", "indexing"}
            assert early_ask is not None and early_ask.status_code == 503
            assert early_ask.json()["error"]["code"] in {"loading", "index_building"}

            answer = http.post("/api/ask", json={"question": "Qui marche sur Tripoli ?"}).json()
            assert "Haftar" in answer["answer"] and answer["citations"]
            denied = http.post("/api/documents", json={"text": "Un article de plus."})
            assert denied.status_code == 403 and "CHATBOT_API_KEY" in denied.json()["error"]["message"]
    finally:
        proc.terminate()
        proc.wait(30)
        out.close()
    printed = (tmp_path / "stdout.txt").read_text()
    assert "write" in printed.lower() and "disabled" in printed and "CHATBOT_API_KEY" in printed
    assert f"Chatbot ready at http://127.0.0.1:{port}/" in printed
