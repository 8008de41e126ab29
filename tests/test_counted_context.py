"""A French question counting something, answered from an English count only when that count is of
the same thing: words compared within their sentences, where a word alone is ambiguous."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatbot.answering.counted import CountedMeaning, asked_spans, counted_spans

PAIRS = [json.loads(line) for line in
         (Path(__file__).parent.parent / "bench" / "counted_pairs.jsonl").read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def meaning(embedder):
    return CountedMeaning(embedder)


def test_counted_words_keep_their_place_in_the_sentence():
    text = "The Trump administration conducted about 40 strikes in Yemen, and 40 strikes in Somalia."
    spans = counted_spans(text)
    assert [(w, text[s:e].lower()) for w, s, e in spans][:1] == [("strikes", "strikes")]
    assert len([w for w, _, _ in spans if w == "strikes"]) == 2  # each place once, both places
    question = "Combien d'hélicoptères Apache ont été livrés ?"
    assert [question[s:e] for s, e in asked_spans(question, ["hélicoptères", "hélicoptères Apache"])] == \
        ["hélicoptères", "Apache"]  # each word once, read within the question


def test_a_polysemous_noun_meets_its_translation_in_context(meaning):
    """"frappes" alone is as much blows as air strikes (0.43 against "strikes" encoded alone)."""
    question = "Combien de frappes l'administration Trump a-t-elle menées au Yémen en une semaine ?"
    sentences = ["The Trump administration conducted about 40 strikes in Yemen in a week.",
                 "About 40 dockers went on strike in the port of Aden last week."]
    assert meaning.counting("frappes", sentences, question) == [True, False]


@pytest.mark.parametrize("kind", ["same", "different"])
def test_counts_of_the_same_thing_are_accepted_and_others_not(meaning, kind):
    rows = [p for p in PAIRS if p["kind"] == kind]
    accepted = [meaning.counting(p["noun"], [p["sentence"]], p["question"])[0] for p in rows]
    wrong = [f"{p['noun']}/{p['word']}" for p, ok in zip(rows, accepted, strict=True) if ok != (kind == "same")]
    assert len(wrong) <= 1, wrong  # 0 of 40 wrong when measured (bench.counted_context)
