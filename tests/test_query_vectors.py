"""A question's vector is kept by its exact text: asking the same question again (the page, then
``/api/search``, then ``/api/ask``) does not run the encoder again, another text does, and a
caller changing the array it got cannot change what the next caller gets."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

QUESTION = "Qui dirige l'Armée nationale arabe libyenne ?"
OTHER = "Vers quelle ville les soldats de l'ANL ont-ils commencé à faire route ?"


@pytest.fixture
def counted(embedder) -> Iterator[list[list[str]]]:
    """The real encoder with fresh kept vectors; each list of texts it really encodes is recorded."""
    from chatbot.encoder.embedder import QUERY_CACHE

    calls: list[list[str]] = []
    real = embedder._encode

    def encode(inputs: list[str], prompt: str | None) -> np.ndarray:
        calls.append(list(inputs))
        return real(inputs, prompt)

    embedder.keep_queries(QUERY_CACHE)
    embedder._encode = encode
    try:
        yield calls
    finally:
        del embedder._encode
        embedder.keep_queries(QUERY_CACHE)


def test_the_same_question_is_encoded_once(embedder, counted):
    first = embedder.embed_queries([QUESTION])
    again = embedder.embed_queries([QUESTION])
    assert len(counted) == 1
    assert np.array_equal(first, again)
    assert first.shape == (1, embedder.dimension) and abs(float(np.linalg.norm(first[0])) - 1) < 1e-4


def test_another_question_is_encoded_and_gets_its_own_vector(embedder, counted):
    asked = embedder.embed_queries([QUESTION])[0]
    other = embedder.embed_queries([OTHER])[0]
    assert len(counted) == 2 and OTHER in counted[1][0]
    assert float(asked @ other) < 0.95
    # a text differing only by a trailing space is another text: encoded, not taken from the first
    embedder.embed_queries([QUESTION + " "])
    assert len(counted) == 3


def test_a_batch_encodes_only_its_new_texts_and_keeps_their_order(embedder, counted):
    asked = embedder.embed_queries([QUESTION])[0]
    both = embedder.embed_queries([OTHER, QUESTION, OTHER])
    assert len(counted) == 2 and len(counted[1]) == 1 and OTHER in counted[1][0]
    assert np.array_equal(both[1], asked) and np.array_equal(both[0], both[2])
    alone = embedder.embed_queries([OTHER])[0]
    assert np.array_equal(alone, both[0]) and len(counted) == 2


def test_changing_a_returned_vector_does_not_change_the_kept_one(embedder, counted):
    asked = embedder.embed_queries([QUESTION])
    kept = asked.copy()
    asked[0] *= -1
    assert np.array_equal(embedder.embed_queries([QUESTION]), kept)


def test_with_no_vectors_kept_every_call_encodes(embedder, counted):
    embedder.keep_queries(0)
    embedder.embed_queries([QUESTION])
    embedder.embed_queries([QUESTION])
    assert len(counted) == 2


def test_a_search_and_an_answer_of_the_same_question_encode_it_once(seeded_service, counted):
    """What the page does: it searches, then asks the same question; the answer's query is the
    question itself, so the second request finds its vector kept."""
    found = seeded_service.search(QUESTION)
    encoded = len(counted)
    answer = seeded_service.ask(QUESTION)
    assert found and answer.citations
    assert all(QUESTION not in text for call in counted[encoded:] for text in call)


def test_a_question_has_one_vector_whatever_it_is_encoded_with(embedder, counted):
    """The int8 encoder shares one quantization scale across a batch: encoded beside a longer
    question, a text got another vector (cosine 0.98-0.99), and a masked question shared by many
    ("Qui dirige  ?") kept the one its first companion gave. Each text now has its own run."""
    embedder.keep_queries(0)
    alone = embedder.embed_queries([QUESTION])[0]
    beside = embedder.embed_queries([OTHER + " " + OTHER, QUESTION])[1]
    after = embedder.embed_queries([QUESTION, "Qui ?"])[0]
    assert np.array_equal(alone, beside) and np.array_equal(alone, after)
