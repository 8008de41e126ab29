"""The search for a name's other-language forms is skipped when it cannot change the answer.

A French question naming "la Ligue arabe" about an English article that writes "Arab League" needs
that search (several encoder calls) to be answered. The same names in a question asking what no
sentence holds (a start date, a count) are refused whatever forms are found: there the search is
not run, and the answers are exactly those the search would have given. Real model, real Chroma on
disk, a small index of articles written for these tests.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from refusal_cases import service_over

from chatbot.answering import extractive
from chatbot.answering.name_meaning import NameMeaning
from chatbot.answering.name_search import Search
from chatbot.answering.question import EveryName, mentions, unknown_names

ARTICLES = [
    {"id": "league", "date": "2017-03-07", "lang": "en", "title": "Arab League meets on Libya",
     "text": (
         "Cairo - The Arab League met in Cairo on Tuesday to discuss the crisis in Libya, and called on "
         "the rival governments to resume talks. The Chechen leader sent a message of support to the "
         "meeting.")},
    {"id": "sea", "date": "2017-03-09", "lang": "en", "title": "Migrants rescued in the Aegean Sea",
     "text": (
         "Athens - The Greek coastguard rescued 48 migrants from a sinking boat in the Aegean Sea on "
         "Thursday, officials said.")},
]

NEEDED = [
    "Quand la Ligue arabe s'est-elle réunie au Caire pour discuter de la Libye ?",
    "Combien de migrants les garde-côtes grecs ont-ils secourus en mer Égée ?",
]
REFUSED = [
    "Depuis quand la Ligue arabe siège-t-elle au Caire ?",
    "Combien de navires de guerre la Ligue arabe a-t-elle envoyés en mer Égée en 2015 ?",
]


@pytest.fixture(scope="module")
def league_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "names", ARTICLES)


@pytest.fixture()
def searches(league_service, monkeypatch):
    """The questions whose names were looked for in the other language, in order."""
    asked: list[tuple[str, ...]] = []
    names = league_service.answerer.names
    original = names.aliases

    def counted(found_names, *args, **kwargs):
        asked.append(tuple(found_names))
        return original(found_names, *args, **kwargs)

    monkeypatch.setattr(names, "aliases", counted)
    return asked


@pytest.mark.parametrize("question", NEEDED)
def test_a_name_written_the_other_way_is_searched_and_the_question_answered(league_service, searches, question):
    answer = league_service.ask(question)
    assert not answer.refused, answer.answer
    assert searches, "the other-language forms were not looked for"


@pytest.mark.parametrize("question", REFUSED)
def test_a_question_no_sentence_can_answer_is_refused_without_the_search(league_service, searches, question):
    answer = league_service.ask(question)
    assert answer.refused, answer.answer
    assert not answer.citations
    assert searches == []


def test_skipping_the_search_changes_no_answer(league_service, monkeypatch):
    questions = [*NEEDED, *REFUSED]
    skipped = [league_service.ask(q) for q in questions]
    monkeypatch.setattr(extractive, "name_search", lambda *args, **kwargs: Search())
    searched = [league_service.ask(q) for q in questions]
    for q, a, b in zip(questions, skipped, searched, strict=True):
        assert (a.refused, a.answer, [c.quote for c in a.citations]) == \
               (b.refused, b.answer, [c.quote for c in b.citations]), q


def test_every_name_is_an_upper_bound_of_any_forms():
    assert not mentions("Zaouïa", "Zawiya is a port west of Tripoli.")
    assert mentions("Zaouïa", "Zawiya is a port west of Tripoli.", EveryName())
    assert unknown_names(["Zaouïa", "Égée"], "nothing here", EveryName()) == []


def test_an_acronym_is_left_to_its_spelling_rules(embedder, monkeypatch):
    """ "l'ANL" is the "LNA" of English articles by its letters; encoded alone it means little, so
    no phrase is compared with it (each costs an encoding), while "mer Égée" still is."""
    meaning = NameMeaning(embedder)
    encoded: list[str] = []
    real = embedder.embed_queries
    monkeypatch.setattr(embedder, "embed_queries", lambda texts: encoded.extend(texts) or real(texts))
    passage = SimpleNamespace(lang="en", title="Migrants rescued in the Aegean Sea", text=ARTICLES[1]["text"])
    scored = [SimpleNamespace(passage=passage, text=ARTICLES[1]["text"])]
    question = "Combien de migrants les garde-côtes grecs et l'ANL ont-ils secourus en mer Égée ?"
    found = meaning.aliases(["ANL", "Égée"], "fr", scored, [passage], question)
    assert any("Aegean" in form for form in found.get("Égée", ()))
    assert "ANL" not in found and "ANL" not in encoded
