"""A filtered search finds exactly the chunks a brute-force ranking of the passing chunks finds.

The dense step under a filter takes shortcuts (chatbot.retrieval.subset): vectors read by id and
kept for the next question, the plain nearest-neighbour query over-fetched, a language held in
memory masked by the filter. Each is compared here, on a real index (seven English news articles
and the French seed, real model, real Chroma), to every passing chunk's vector compared with the
question's.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from chatbot.retrieval import subset
from chatbot.retrieval.filters import Filters, resolve

NEWS = Path(__file__).parent / "data" / "news_libya.jsonl"
QUESTIONS = ["Who took control of the oil ports of Ras Lanuf and Es Sider?",
             "What did the UN envoy say about migrants in Libya?",
             "Qui dirige l'Armée nationale arabe libyenne ?"]
SEED_FILE = next((Path(__file__).parents[1] / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, embedder):
    from conftest import settings_for

    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(tmp_path_factory.mktemp("exact") / "index"), embedder=embedder)
    service.add_paths([NEWS, SEED_FILE])
    view = service.index.view()
    got = view.store.chunks.get(include=["embeddings", "metadatas"])
    every = {cid: (np.asarray(vec, dtype=np.float32), meta) for cid, vec, meta
             in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True)}
    seed = next(d for d, m in service.retriever.manifest(view).items() if m.get("lang") == "fr")
    filters = [Filters.parse(since="2017-03-01", until="2017-03-20"),
               Filters.parse(sources=["aljazeera.com"]),
               Filters.parse(doc_ids=["news-236", seed])]
    return service, every, filters


def brute_force(every, qvec: np.ndarray, docs: frozenset[str], n: int, lang: str | None = None) -> list[str]:
    """The ``n`` passing chunks most similar to ``qvec``, every passing chunk compared."""
    passing = [(float(vec @ qvec), cid) for cid, (vec, meta) in every.items()
               if meta["doc_id"] in docs and (lang is None or meta["lang"] == lang)]
    return [cid for _, cid in sorted(passing, key=lambda p: (-p[0], p[1]))[:n]]


def test_the_dense_step_under_a_filter_finds_the_brute_force_nearest(corpus, monkeypatch):
    service, every, filters = corpus
    view = service.index.view()
    manifest = service.retriever.manifest(view)
    memory = subset.Memory()
    vector_reads: list[int] = []
    real = subset.reads.vectors
    monkeypatch.setattr(subset.reads, "vectors", lambda store, ids: vector_reads.append(len(ids)) or real(store, ids))
    for filters_ in filters:
        scope = resolve(filters_, manifest)
        assert scope.docs and scope.chunks == sum(int(manifest[d]["chunks"]) for d in scope.docs)
        for question in QUESTIONS:
            qvec = service.embedder.embed_queries([question])[0]
            exact = brute_force(every, qvec, scope.docs, 8)
            by_id = subset.nearest_among(view.store, qvec, 8, scope.docs, manifest, scope.where, scope.chunks, memory)
            assert [h.chunk_id for h in by_id] == exact
            assert by_id[0].similarity == pytest.approx(float(every[exact[0]][0] @ qvec), abs=1e-5)
    assert len(vector_reads) == len(filters)  # each filter's vectors read once, kept for its next questions

    monkeypatch.setattr(subset, "SMALL_SUBSET", 0)  # every set over-fetched from the plain query
    for filters_ in filters:
        scope = resolve(filters_, manifest)
        for question in QUESTIONS:
            qvec = service.embedder.embed_queries([question])[0]
            found = subset.nearest_among(view.store, qvec, 8, scope.docs, manifest, scope.where, scope.chunks)
            assert [h.chunk_id for h in found] == brute_force(every, qvec, scope.docs, 8)


def test_articles_searched_again_are_ranked_from_vectors_read_once_in_the_background(corpus, monkeypatch):
    """An outlet or a date range too large to read at once: the first two searches over-fetch and
    wait for no read; the second starts reading the vectors, once no search runs; later searches
    only compare them."""
    service, every, filters = corpus
    view = service.index.view()
    manifest = service.retriever.manifest(view)
    monkeypatch.setattr(subset, "SMALL_SUBSET", 0)  # the test's sets stand for sets too large to read at once
    memory = subset.Memory()
    calls: list[str] = []
    real_vectors, real_nearest = subset.reads.vectors, subset.reads.nearest_ids
    monkeypatch.setattr(subset.reads, "vectors", lambda store, ids: calls.append("vectors") or real_vectors(store, ids))
    monkeypatch.setattr(subset.reads, "nearest_ids",
                        lambda store, vec, n: calls.append("nearest") or real_nearest(store, vec, n))
    scope = resolve(filters[1], manifest)  # one outlet
    qvecs = service.embedder.embed_queries(QUESTIONS)

    def search(qvec: np.ndarray) -> list[str]:
        found = subset.nearest_among(view.store, qvec, 8, scope.docs, manifest, scope.where, scope.chunks, memory)
        return [h.chunk_id for h in found]

    assert search(qvecs[0]) == brute_force(every, qvecs[0], scope.docs, 8)
    memory.settle()
    assert calls == ["nearest"]  # searched once: nothing read beside the search
    other = resolve(filters[0], manifest)  # a date range, searched twice while the outlet's read waits
    with memory.searching():  # a search still running: the read waits for idle time
        assert search(qvecs[1]) == brute_force(every, qvecs[1], scope.docs, 8)
        for qvec in qvecs[:2]:
            subset.nearest_among(view.store, qvec, 8, other.docs, manifest, other.where, other.chunks, memory)
        time.sleep(0.3)
        assert calls == ["nearest"] * 4
    memory.settle()
    assert calls[:4] == ["nearest"] * 4 and set(calls[4:]) == {"vectors"}  # read once the machine was idle
    assert memory.kept(other.docs, manifest) is None  # one read at a time: the second set waits its turn
    calls.clear()
    for qvec in qvecs:
        found = subset.nearest_among(view.store, qvec, 8, scope.docs, manifest, scope.where, scope.chunks, memory)
        assert [h.chunk_id for h in found] == brute_force(every, qvec, scope.docs, 8)
        assert found[0].similarity == pytest.approx(float(every[found[0].chunk_id][0] @ qvec), abs=1e-5)
    assert calls == []  # ranked from the kept vectors: no query, no vector read
    assert memory.kept(scope.docs, dict(manifest)) is None  # another index version keeps nothing of this one


def test_a_held_language_under_a_filter_is_ranked_among_the_passing_chunks_only(corpus):
    service, every, filters = corpus
    retriever = service.retriever
    view = retriever.index.view()
    manifest = retriever.manifest(view)
    qvec = service.embedder.embed_queries([QUESTIONS[2]])[0]
    scope = resolve(filters[2], manifest)  # one English article and the French seed
    for lang in ("fr", "en"):
        among = scope.language(lang).docs
        held = retriever._held.nearest(view, manifest, lang, qvec, 10, among)
        assert held is not None and held
        assert [h.chunk_id for h in held] == brute_force(every, qvec, among, 10, lang)
        assert held[0].similarity == pytest.approx(float(every[held[0].chunk_id][0] @ qvec), abs=1e-5)



def test_a_multilingual_corpus_is_ranked_exactly_from_memory(corpus, monkeypatch):
    # Chroma's HNSW search is approximate and its misses change from one process to the next;
    # a corpus whose languages are all held is ranked from them, filtered or not
    service, every, filters = corpus
    retriever = service.retriever
    view = retriever.index.view()
    manifest = retriever.manifest(view)

    def approximate(*_args, **_kwargs):
        raise AssertionError("Chroma's approximate nearest-neighbour search was asked")

    monkeypatch.setattr(view.store, "query", approximate)
    every_doc = frozenset(meta["doc_id"] for _, meta in every.values())
    for question in QUESTIONS:
        qvec = service.embedder.embed_queries([question])[0]
        found, _ = retriever._nearest(view, qvec, None)
        assert [h.chunk_id for h in found] == brute_force(every, qvec, every_doc, retriever.candidates)
        for filters_ in filters:
            scope = resolve(filters_, manifest)
            found, _ = retriever._nearest(view, qvec, scope)
            assert [h.chunk_id for h in found] == brute_force(every, qvec, scope.docs, retriever.candidates)
        assert service.search_scoped(question, 5).passages  # the search itself asks Chroma no nearest chunks
