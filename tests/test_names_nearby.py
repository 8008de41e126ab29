"""A sentence answers for the names of a question only when they are named around it.

An article may name someone once, far from the sentence that fits the question's form: "Quelle
peine Jacques Chirac a-t-il reçue ?" must not be answered with the sentence a former president of
another name risks. A name in the sentences just before (then "he"), in the article's opening, or
one the article is about (named in several sentences) still counts. A small index of articles
written for these tests (real model, real Chroma on disk, real spaCy).
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

FILLER = [
    "The hearing opened in a crowded court room in Paris.",
    "Several journalists waited outside the building for hours.",
    "The prosecutors did not speak to the press before the session.",
    "The defence asked for more time to read the case file.",
]
ARTICLES = [
    {"id": "trial", "date": "2017-02-07", "lang": "en", "source": "court.example",
     "title": "Former French president to stand trial over campaign funds",
     "text": " ".join([
         "A former French president will stand trial over the financing of his failed 2012 re-election bid.",
         *FILLER,
         "Nicolas Sarkozy arrived at the court with his lawyers.",
         "The charge exposes the 62-year-old conservative politician to a one-year prison sentence if convicted.",
         "He denies any wrongdoing.",
         "Judges questioned his former campaign staff in 2016.",
         *FILLER[:2],
         "Jacques Chirac opened the new wing of the court building in 1999.",
     ])},
    {"id": "town", "date": "2017-03-10", "lang": "en", "source": "travel.example",
     "title": "The emptied town",
     "text": " ".join([
         "The road north has taken most of the young people.",
         "The afternoon market is quiet now.",
         "In Janjanbureh, the families count those who left.",
         "The mayor of Janjanbureh keeps a list of their names.",
         "The school of Janjanbureh has lost half of its pupils.",
         *FILLER[1:3],
         "Many of the young men now live in Italy.",
         "Their parents wait for news by telephone.",
         "This island town, some 300km east of the capital, had the highest rate of migration in the country.",
     ])},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "names-nearby", ARTICLES)


def test_a_sentence_about_someone_else_does_not_answer_for_a_name_named_far_from_it(service):
    assert_refused_or_cites(service, "Quelle peine de prison Jacques Chirac risque-t-il ?", None)


def test_a_name_introduced_just_before_and_then_he_still_answers(service):
    assert_refused_or_cites(service, "What prison sentence does Nicolas Sarkozy face?", "one-year prison sentence")


def test_a_place_the_article_is_about_answers_for_its_far_sentences(service):
    assert_refused_or_cites(service, "How far is Janjanbureh from the capital?", "300km")
