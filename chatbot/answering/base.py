"""What the service needs from an answerer, as a protocol, and the defaults most answerers share.

``ChatService.ask`` calls exactly these members, in this order: ``condense`` (the follow-up made
standalone for retrieval), ``companion_queries`` (texts encoded by the search once it has found
its passages, each on its own as the query is, and handed over in ``Retrieval.extra_vectors``),
then ``answer``. ``streams`` says whether ``answer`` sends its text as it is written,
as ``("delta", text)`` events to ``on_event``; shells send a non-streaming answer's text in pieces
once it is complete, so clients see one protocol either way.

An answerer from elsewhere only has to satisfy ``Answerer``; subclassing ``BaseAnswerer`` gives it
the rule-based follow-up rewrite, no companion queries and no streaming.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from chatbot.answering.conversation import standalone_query
from chatbot.retrieval.retriever import Retrieval
from chatbot.schemas import Answer, Message

Emit = Callable[[str, Any], None]


@runtime_checkable
class Answerer(Protocol):
    name: str
    streams: bool

    def condense(self, question: str, history: list[Message]) -> str:
        """The question made self-contained, for retrieval."""
        ...

    def companion_queries(self, question: str) -> list[str]:
        """Other texts the answer will need encoded, found in ``retrieval.extra_vectors``."""
        ...

    def answer(self, question: str, query: str, retrieval: Retrieval, lang: str,
               on_event: Emit | None = None) -> Answer:
        """The answer in ``lang`` (``fr``/``en``) from ``retrieval``; it passes the citation check after."""
        ...


@runtime_checkable
class Gated(Protocol):
    """An answerer that refuses below an evidence score (``chatbot eval --calibrate`` sets it)."""

    threshold: float


class BaseAnswerer:
    """Defaults for an answerer: rule-based follow-ups, nothing else to encode, no streaming."""

    name = "answerer"
    streams = False

    def condense(self, question: str, history: list[Message]) -> str:
        return standalone_query(question, history)

    def companion_queries(self, question: str) -> list[str]:
        return []
