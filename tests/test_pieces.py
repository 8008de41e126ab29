"""Sentence vectors cached at indexing time: answers need no encoding of their sentences, stay right
when the cache is missing or stale, and the cache follows removals and rebuilds."""

from __future__ import annotations

import numpy as np
import pytest

from chatbot.encoder.pieces import PieceVectors, clause_windows, piece_spans, pool_pieces
from chatbot.text.sentences import sentence_spans

LONG = ("Le maréchal Khalifa Haftar, qui contrôle l'est du pays depuis des années, a lancé une offensive "
        "vers Tripoli, siège du gouvernement d'union nationale; ses troupes, venues de Benghazi, "
        "avancent par le sud – malgré les appels de l'ONU à la retenue. Court.")


def test_pieces_tile_each_sentence_and_clause_windows_are_two_pieces():
    pieces = piece_spans(LONG)
    sentences = sentence_spans(LONG)
    assert len(sentences) == 2 and len(pieces) > 2  # the long sentence is cut at its clauses
    for start, end in sentences:
        inside = [p for p in pieces if p[0] >= start and p[1] <= end]
        assert inside[0][0] == start and inside[-1][1] == end
        assert all(a[1] == b[0] for a, b in zip(inside, inside[1:], strict=False))
    start, end = sentences[0]
    for a, b in clause_windows(LONG, start, end):
        assert any(p[0] == a for p in pieces) and any(p[1] == b for p in pieces)


def test_span_vector_needs_whole_encoded_pieces():
    spans = np.array([[0, 10], [10, 20], [21, 30]], dtype=np.int32)
    vectors = np.array([[1, 0], [0, 1], [0, 0]], dtype=np.float16)  # the last one was truncated
    record = PieceVectors(spans, vectors)
    both = record.span_vector(0, 20)
    assert both is not None and np.allclose(both, [2 ** -0.5, 2 ** -0.5], atol=1e-3)
    assert record.span_vector(0, 15) is None  # not made of whole pieces
    assert record.span_vector(21, 30) is None  # no tokens were encoded for it
    assert record.span_vector(40, 50) is None


def test_pooling_assigns_tokens_by_their_last_character():
    tokens = np.eye(4, dtype=np.float32)
    ends = np.array([-1, 3, 9, 15])  # a prompt token, then tokens ending at 3, 9, 15
    sums = pool_pieces(tokens, ends, [(0, 5), (5, 12), (12, 30)])
    assert sums[0].tolist() == [0, 1, 0, 0] and sums[1].tolist() == [0, 0, 1, 0]
    assert not sums[2].any()  # ends past the last token: truncated, so no vector


def test_piece_vectors_are_close_to_sentences_encoded_alone(embedder, seed_text):
    text = seed_text[:1200]
    spans = piece_spans(text)
    vectors, pieces = embedder.embed_documents_with_pieces([text], ["Libye"], [spans])
    assert np.allclose(vectors, embedder.embed_documents([text], ["Libye"]), atol=1e-4)
    record = PieceVectors(np.asarray(spans, dtype=np.int32), pieces[0])
    sentences = [(s, e) for s, e in sentence_spans(text) if e - s > 40][:4]
    alone = embedder.embed_documents([text[s:e] for s, e in sentences])
    for (s, e), direct in zip(sentences, alone, strict=True):
        vec = record.span_vector(s, e)
        assert vec is not None and float(vec @ direct) > 0.6


def test_answers_read_cached_sentence_vectors(seeded_service, embedder):
    before = embedder.documents_embedded
    answer = seeded_service.ask("Quels pays soutiennent le maréchal Haftar ?")
    assert not answer.refused
    assert any("soutien égyptien, saoudien et émirati" in c.quote for c in answer.citations)
    assert embedder.documents_embedded == before  # no sentence had to be encoded


@pytest.fixture
def indexed(make_service, seed_copy):
    service = make_service()
    service.add_paths([seed_copy])
    return service


def test_missing_or_stale_cache_is_completed_and_gives_the_same_answer(indexed, embedder):
    question = "Qui dirige l'Armée nationale arabe libyenne ?"
    cached = indexed.ask(question)
    store = indexed.index.store.pieces
    chunks = [(cid, text) for cid, text, _ in indexed.index.store.iter_chunks()]
    assert len(store.get(chunks)) == len(chunks)
    # a record whose chunk text changed is ignored, and lost ones (a chunk indexed by another
    # replica has none here) are computed again at question time, then kept
    first = chunks[0][0]
    store.put([("other", first, "another text", [(0, 7)], np.ones((1, embedder.dimension)))])
    store.delete_chunks([cid for cid, _ in chunks[1:]])
    assert store.get(chunks) == {}
    before = embedder.documents_embedded
    again = indexed.ask(question)
    assert embedder.documents_embedded > before
    assert not again.refused and "Khalifa Haftar" in again.answer
    assert [c.quote for c in again.citations] == [c.quote for c in cached.citations]
    assert {p.chunk_id for p in again.passages[:4]} <= set(store.get(chunks))
    before = embedder.documents_embedded
    indexed.ask(question)
    assert embedder.documents_embedded == before


def test_search_alone_does_not_compute_pieces(indexed, embedder):
    store = indexed.index.store.pieces
    store.delete_doc(indexed.documents()[0].doc_id)
    before = embedder.documents_embedded
    assert indexed.search("Qui dirige l'Armée nationale arabe libyenne ?")
    assert embedder.documents_embedded == before


def test_cache_follows_removals_and_rebuilds(indexed, seed_copy):
    doc_id = indexed.documents()[0].doc_id
    old_file = indexed.index.store.pieces.path
    indexed.rebuild(seed_copy)
    assert not old_file.exists()  # the replaced generation's file went with it
    store = indexed.index.store
    chunks = [(cid, text) for cid, text, _ in store.iter_chunks()]
    assert len(store.piece_vectors(chunks)) == len(chunks)
    indexed.remove([doc_id])
    assert store.piece_vectors(chunks) == {}
