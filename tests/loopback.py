"""The application under uvicorn on a free loopback port, in a thread: the one way the tests serve
it over real HTTP (the JSON API, the OpenAI-compatible API and the chat page alike)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from bench.common import free_port

__all__ = ["free_port", "serve", "served_index", "serving_app"]


@contextlib.contextmanager
def serving_app(app: object, start_timeout: float = 60.0) -> Iterator[str]:
    """Yields the base URL (``http://127.0.0.1:PORT``, no trailing slash); stops the server after."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def served_index(folder: Path, embedder: object, paths: list[Path] | None = None,
                 **overrides: object) -> Iterator[tuple[str, object]]:
    """A writable server (loopback, no key unless given) over a new index in ``folder`` holding
    ``paths`` (the seed article by default); yields (base URL, service)."""
    from conftest import SEEDS, settings_for

    from chatbot.server import create_app
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(folder / "index", **overrides), embedder=embedder)
    report = service.add_paths(paths or [SEEDS])
    assert report.counts()["added"] and not report.failed, report.failed
    for url in serve(create_app(service)):
        yield url, service


def serve(app: object) -> Iterator[str]:
    """``serving_app`` as a generator, for fixtures written ``for url in serve(app): yield ...``."""
    with serving_app(app) as url:
        yield url
