"""The one bridge from a blocking answer (run in a worker thread) to an async stream of events.

``service.ask`` blocks (retrieval, maybe an LLM); the JSON API's server-sent events, the OpenAI
stream and the chat page all consume it as ``("passages", list)``, ``("delta", str)``..., then
``("answer", Answer)``. An answerer that does not stream gets its final text sent as word-group
deltas, so every client sees the same protocol whichever answerer is configured.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import AsyncIterator
from typing import Any, Protocol

from chatbot.schemas import Answer, Message

log = logging.getLogger(__name__)
WORDS_PER_DELTA = 4


class Asker(Protocol):
    def ask(self, question: str, history: list[Message] | None = None,
            on_event: Any = None, filters: Any = None) -> Answer: ...


def text_pieces(text: str, words_per_piece: int = WORDS_PER_DELTA) -> list[str]:
    """``text`` in groups of a few words whose concatenation is exactly ``text``."""
    words = re.findall(r"\s*\S+\s*", text) or ([text] if text else [])
    return ["".join(words[i:i + words_per_piece]) for i in range(0, len(words), words_per_piece)]


async def stream_answer(service: Asker, question: str, history: list[Message],
                        pace_s: float = 0.0, filters: Any = None) -> AsyncIterator[tuple[str, Any]]:
    """``service.ask`` as events; a failure of the answer is raised here, in the consumer.

    ``pace_s`` spaces out the word-group deltas of a non-streaming answerer (a page reveals the
    answer as it grows; an API client wants it at once). The worker thread runs to completion
    even when the consumer stops listening: the answer's work is already paid for. ``filters``:
    dates, outlets and articles the answer may draw on (chatbot.retrieval.filters).
    """
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def emit(kind: str, data: Any) -> None:
        loop.call_soon_threadsafe(events.put_nowait, (kind, data))

    def work() -> None:
        try:
            emit("answer", service.ask(question, history, on_event=emit, filters=filters))
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, which reports it
            log.exception("streamed answer failed")
            emit("error", exc)

    # A thread of its own, not a shared pool: a long answer never waits for a free pool worker.
    threading.Thread(target=work, name="chatbot-answer", daemon=True).start()
    streamed = False
    while True:
        kind, data = await events.get()
        if kind == "error":
            raise data
        if kind == "answer":
            if not streamed:
                for piece in text_pieces(data.answer):
                    yield "delta", piece
                    if pace_s:
                        await asyncio.sleep(pace_s)
            yield "answer", data
            return
        if kind == "draft":  # the finished answer, before its quotes' translations
            if not streamed:
                for piece in text_pieces(data.answer):
                    yield "delta", piece
                    if pace_s:
                        await asyncio.sleep(pace_s)
                streamed = True
            continue
        if kind == "delta":
            streamed = True
        yield kind, data
