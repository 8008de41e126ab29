"""A scripted OpenAI-compatible chat server on a loopback port, for tests of the LLM path.

Real HTTP, real client: only the model's words are scripted. Each request takes the next scripted
reply (the last one repeats), answered as one JSON completion or, when the client asks for
``stream``, as server-sent ``chat.completion.chunk`` events ending with ``data: [DONE]``. A reply
may wait first (to trigger the client's timeout) or fail with an HTTP status. Replies can also be
routed by content: ``route(text, reply)`` answers every request whose last message contains
``text`` with ``reply`` (a translation of one given sentence, say), before the scripted queue is
consulted. Every request body is recorded so tests can check what the model was shown.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Reply:
    content: str = ""
    delay_s: float = 0.0  # wait before answering
    status: int = 200
    piece_chars: int = 6  # size of each streamed piece


class FakeOpenAIServer:
    """Start with ``with FakeOpenAIServer() as server:``; ``server.base_url`` ends with ``/v1``."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.routes: list[tuple[str, Reply]] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Replace the queue of replies (strings are plain successful answers)."""
        with self._lock:
            self.replies = [r if isinstance(r, Reply) else Reply(r) for r in replies]
            self.routes.clear()
            self.requests.clear()

    def route(self, text: str, reply: Reply | str) -> None:
        """Answer requests whose last message contains ``text`` with ``reply`` (until ``script``)."""
        with self._lock:
            self.routes.append((text, reply if isinstance(reply, Reply) else Reply(reply)))

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            last = str((body.get("messages") or [{}])[-1].get("content", ""))
            for text, reply in self.routes:
                if text in last:
                    return reply
            if not self.replies:
                return Reply("NOT_IN_ARTICLES")
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                log.debug("fake LLM: " + format, *args)

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self) -> None:  # noqa: N802 - stdlib naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                reply = server._next(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                try:
                    if body.get("stream"):
                        self._stream(reply)
                    else:
                        self._json(200, _completion(reply.content, body.get("model", "fake")))
                except (BrokenPipeError, ConnectionResetError):
                    log.debug("client went away")

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                text = reply.content
                pieces = [text[i:i + reply.piece_chars] for i in range(0, len(text), reply.piece_chars)]
                events = [_chunk({"role": "assistant", "content": ""})]
                events += [_chunk({"content": p}) for p in pieces]
                events.append(_chunk({}, finish="stop"))
                for event in events:
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def _completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": "fake", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
