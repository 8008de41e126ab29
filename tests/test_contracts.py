"""The protocols the service relies on, shown by what a user of the package would plug in.

An answerer or an encoder from elsewhere only has to satisfy ``Answerer`` / ``Embedder``: the
service then calls it, checks its citations, and indexes with it, without probing for methods.
Shared state (the lazily loaded parts, the sentence-vector caches) holds up under request threads.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import SEED_FILE, settings_for
from fixtures_articles import ENGLISH_TEXT

from chatbot.answering.base import Answerer
from chatbot.encoder.base import Embedder, no_pieces
from chatbot.encoder.vector_cache import VectorCache
from chatbot.schemas import Answer, Citation, Message
from chatbot.service.chat import ChatService


class QuotingAnswerer:
    """An answerer written outside the package: it quotes the first sentence of the best passage."""

    name = "quoting"
    streams = True

    def __init__(self) -> None:
        self.condensed: list[tuple[str, int]] = []
        self.extra_vectors: dict[str, np.ndarray] = {}

    def condense(self, question: str, history: list[Message]) -> str:
        self.condensed.append((question, len(history)))
        return question + " Haftar" if history else question

    def companion_queries(self, question: str) -> list[str]:
        return ["maréchal libyen"]

    def answer(self, question, query, retrieval, lang, on_event=None) -> Answer:
        self.extra_vectors = retrieval.extra_vectors
        best = retrieval.passages[0]
        end = best.text.index(".") + 1
        if on_event:
            on_event("delta", best.text[:end])
        cite = Citation(n=1, doc_id=best.doc_id, title=best.title, start=best.start, end=best.start + end,
                        quote=best.text[:end], chunk_id=best.chunk_id)
        return Answer(answer=f"{best.text[:end]} [1]", citations=[cite], query=query, answerer=self.name)


class InventingAnswerer(QuotingAnswerer):
    """Cites a quote the article does not hold."""

    def answer(self, question, query, retrieval, lang, on_event=None) -> Answer:
        best = retrieval.passages[0]
        cite = Citation(n=1, doc_id=best.doc_id, title=best.title, start=best.start, end=best.start + 20,
                        quote="Haftar a 120 ans.", chunk_id=best.chunk_id)
        return Answer(answer="Haftar a 120 ans [1].", citations=[cite], query=query, answerer=self.name)


def test_an_answerer_from_elsewhere_is_called_through_the_protocol(seeded_service, seed_text):
    answerer = QuotingAnswerer()
    assert isinstance(answerer, Answerer)  # structural: no base class from the package
    service = ChatService(seeded_service.settings, embedder=seeded_service.embedder, answerer=answerer)
    events: list[tuple[str, object]] = []
    history = [Message(role="user", content="Qui dirige l'ANL ?")]
    answer = service.ask("Et qui le soutient ?", history, on_event=lambda kind, data: events.append((kind, data)))

    assert answerer.condensed == [("Et qui le soutient ?", 1)]
    assert answer.query == "Et qui le soutient ? Haftar"
    assert answer.answerer == "quoting" and not answer.refused
    (cite,) = answer.citations
    assert seed_text[cite.start:cite.end] == cite.quote  # it passed the citation check
    assert [kind for kind, _ in events] == ["passages", "delta"]
    vector = answerer.extra_vectors["maréchal libyen"]  # encoded by the search, as any query text
    together = seeded_service.embedder.embed_queries([answer.query, "maréchal libyen"])[1]
    assert float(vector @ together) > 0.999


def test_an_answer_from_elsewhere_still_passes_the_citation_check(seeded_service):
    service = ChatService(seeded_service.settings, embedder=seeded_service.embedder, answerer=InventingAnswerer())
    answer = service.ask("Quel âge a Haftar ?")
    assert answer.refused and answer.citations == []
    assert "120" not in answer.answer


def test_an_object_missing_protocol_members_is_rejected_by_name(seeded_service):
    class Incomplete:
        name = "incomplete"

        def answer(self, question, query, retrieval, lang, on_event=None) -> Answer:
            return Answer(answer="")

    with pytest.raises(TypeError, match="Incomplete lacks streams, condense, companion_queries"):
        ChatService(seeded_service.settings, embedder=seeded_service.embedder, answerer=Incomplete())


class PlainEncoder:
    """An encoder from elsewhere without piece vectors (the model's own, reached through it)."""

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self.name = "plain"
        self.dimension = model.dimension
        self.documents_embedded = 0
        self.gives_piece_vectors = False
        self.pieces_asked = 0

    def embed_documents(self, texts, titles=None, *, bulk=False) -> np.ndarray:
        self.documents_embedded += len(texts)
        return self.model.embed_documents(texts, titles, bulk=bulk)

    def embed_queries(self, texts) -> np.ndarray:
        return self.model.embed_queries(texts)

    def embed_documents_with_pieces(self, texts, titles, pieces, *, bulk=True):
        self.pieces_asked += len(texts)
        return no_pieces(self, texts, titles, bulk=bulk)


def test_an_encoder_without_piece_vectors_indexes_and_answers(tmp_path, embedder):
    encoder = PlainEncoder(embedder)
    assert isinstance(encoder, Embedder)
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ghana.txt").write_text("Ghana raises rates\n\n" + ENGLISH_TEXT, encoding="utf-8")
    service = ChatService(settings_for(tmp_path / "index", articles_dir=folder), embedder=encoder)
    report = service.add_paths([folder])
    assert report.counts()["added"] == 1 and encoder.pieces_asked == report.chunks_embedded > 0
    encoded_by_indexing = encoder.documents_embedded
    answer = service.ask("Why did the central bank of Ghana raise its interest rate?")
    assert not answer.refused and answer.citations and all(c.quote in ENGLISH_TEXT for c in answer.citations)
    text = service.index.article(answer.citations[0].doc_id)[1]
    assert all(text[c.start:c.end] == c.quote for c in answer.citations)
    assert encoder.pieces_asked == report.chunks_embedded  # not asked again at question time
    assert encoder.documents_embedded > encoded_by_indexing  # no piece vectors: sentences were encoded


def test_parts_load_once_when_many_requests_arrive_together(tmp_path, embedder, monkeypatch):
    import chatbot.service.chat as chat

    built: list[int] = []
    real = chat.make_answerer

    def slow_make_answerer(settings, model):
        built.append(threading.get_ident())
        time.sleep(0.3)  # long enough for every thread to arrive while the first builds
        return real(settings, model)

    monkeypatch.setattr(chat, "make_answerer", slow_make_answerer)
    service = ChatService(settings_for(tmp_path / "index"), embedder=embedder)
    start = threading.Barrier(6)
    seen: list[object] = []

    def ask_for_it() -> None:
        start.wait()
        seen.append(service.answerer)

    threads = [threading.Thread(target=ask_for_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and len(seen) == 6 and all(a is seen[0] for a in seen)


def test_sentence_vectors_are_encoded_once_across_threads_and_the_cache_stays_bounded(embedder):
    sentences = [line for line in SEED_FILE.read_text("utf-8").split(". ") if len(line) > 20][:12]
    encoded: list[str] = []
    lock = threading.Lock()

    def encode(texts: list[str]) -> np.ndarray:
        with lock:
            encoded.extend(texts)
        return embedder.embed_documents(texts)

    cache: VectorCache[str] = VectorCache(maxsize=8)
    first = cache.vectors(sentences[:6], sentences[:6], encode)
    assert len(encoded) == 6
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            again = cache.vectors(sentences[:6], sentences[:6], encode)
            assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(encoded) == 6  # every thread found them cached
    cache.vectors(sentences[6:], sentences[6:], encode)
    assert len(cache) == 8  # the least recently used were dropped
