"""BM25 runs while the question is encoded (chatbot.retrieval.alongside): a search finds exactly the
passages the steps run one after the other find, with and without a filter, and a failure of
either step reaches the caller instead of being lost in the worker thread."""

from __future__ import annotations

import pytest

QUESTIONS = ["Qui dirige l'Armée nationale arabe libyenne ?", "Who supports Haftar?",
             "Quand la conférence de Ghadamès devait-elle se tenir ?"]


def one_after_the_other(encode, lexical, alongside=True):
    import time

    started = time.perf_counter()
    encoded = encode()
    middle = time.perf_counter()
    hits = lexical()
    return encoded, hits, (middle - started) * 1000, (time.perf_counter() - middle) * 1000


@pytest.mark.parametrize("scoped", [False, True])
def test_same_passages_as_the_steps_one_after_the_other(seeded_service, monkeypatch, scoped):
    import chatbot.retrieval.retriever as retriever
    from chatbot.retrieval.filters import Filters

    doc_id = seeded_service.documents()[0].doc_id
    filters = Filters.parse(doc_ids=[doc_id]) if scoped else None
    together = [seeded_service.search_scoped(q, 5, filters) for q in QUESTIONS]
    monkeypatch.setattr(retriever, "while_encoding", one_after_the_other)
    apart = [seeded_service.search_scoped(q, 5, filters) for q in QUESTIONS]
    for a, b in zip(together, apart, strict=True):
        assert a.passages, "the seed answers these questions"
        assert [(p.chunk_id, round(p.score, 6)) for p in a.passages] == \
            [(p.chunk_id, round(p.score, 6)) for p in b.passages]
        assert {"embed_query", "lexical", "dense", "fuse"} <= set(a.timings_ms)


def test_a_failing_lexical_step_fails_the_search(seeded_service, monkeypatch):
    from chatbot.retrieval import alongside

    def broken(*_args, **_kwargs):
        raise RuntimeError("lexical index unreadable")

    monkeypatch.setattr(alongside, "lexical_hits", broken)
    with pytest.raises(RuntimeError, match="lexical index unreadable"):
        seeded_service.search_scoped(QUESTIONS[0] + " (lexical failure)", 5)
    monkeypatch.undo()
    assert seeded_service.search_scoped(QUESTIONS[0], 5).passages  # the next search is unaffected


def test_a_failing_encoder_fails_the_search_after_the_lexical_step_ends(seeded_service, monkeypatch):
    from chatbot.retrieval import alongside

    finished: list[bool] = []

    def lexical():
        finished.append(True)
        return []

    def encode():
        raise ValueError("encoder gone")

    with pytest.raises(ValueError, match="encoder gone"):
        alongside.while_encoding(encode, lexical)
    assert finished == [True]
