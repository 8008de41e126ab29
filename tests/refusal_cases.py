"""What the refusal tests share: a service over a handful of written articles, and the one check
of a question that must be refused or answered with a given quote."""

from __future__ import annotations

from typing import Any

from chatbot.ingest.loaders import article_from_mapping


def service_over(tmp_path_factory: Any, embedder: Any, name: str, articles: list[dict[str, Any]]) -> Any:
    """A real service (real encoder, real Chroma on disk) holding exactly ``articles``."""
    from chatbot.service.chat import ChatService
    from tests.conftest import settings_for

    service = ChatService(settings_for(tmp_path_factory.mktemp(name) / "index"), embedder=embedder)
    service.indexer.add_articles([article_from_mapping(a, "test") for a in articles])
    assert service.index.counts()[0] == len(articles)
    return service


def assert_refused_or_cites(service: Any, question: str, expected: str | None) -> None:
    """``expected`` None: refused, nothing cited; else answered, and a cited quote holds it."""
    answer = service.ask(question)
    quotes = " ".join(c.quote for c in answer.citations)
    if expected is None:
        assert answer.refused, f"answered with: {answer.answer}"
        assert not answer.citations
    else:
        assert not answer.refused, f"refused: {question}"
        assert expected in quotes, answer.answer
