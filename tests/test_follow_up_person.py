"""A follow-up's "he", "she", "il", "elle" after a "who" question is the person the answer named.

"Et quel âge a-t-il ?" after "Qui dirige le GNA ?" asks Fayez al-Serraj's age: it must not be
answered with another man's age, nor "Qu'a-t-il déclaré ?" with another man's words, nor "Pourquoi
a-t-il quitté ... ?" with another man's reason, as they were while the pronoun named no one for the
checks of whose age, whose words and whose deed.
"""

from __future__ import annotations

import pytest

from chatbot.answering.conversation import asked_part, named_for_pronoun, standalone_query
from chatbot.schemas import Message
from tests.refusal_cases import service_over


def _turn(question: str, answer: str) -> list[Message]:
    return [Message(role="user", content=question), Message(role="assistant", content=answer)]


GNA_FR = _turn("Qui dirige le GNA ?", "Le GNA est dirigé par Fayez al-Serraj [1].")
GNA_EN = _turn("Who leads the GNA?", "The GNA is led by Fayez al-Serraj [1].")


@pytest.mark.parametrize(("question", "history", "asked"), [
    ("Et quel âge a-t-il ?", GNA_FR, "Et quel âge a Fayez al-Serraj ?"),
    ("Qu'a-t-il déclaré sur la Libye ?", GNA_FR, "Qu'a Fayez al-Serraj déclaré sur la Libye ?"),
    ("How old is he?", GNA_EN, "How old is Fayez al-Serraj?"),
    ("What did he say about Haftar?", GNA_EN, "What did Fayez al-Serraj say about Haftar?"),
    # the person, not the body named first
    ("What did he say?", _turn("Who is the UN envoy?", "The UN Security Council appointed Martin Kobler [1]."),
     "What did Martin Kobler say?"),
])
def test_the_pronoun_is_the_person_the_answer_named(question, history, asked):
    query = standalone_query(question, history)
    assert asked_part(query) == asked
    assert named_for_pronoun(question, query) in asked


@pytest.mark.parametrize(("question", "history"), [
    ("Y a-t-il eu des morts ?", GNA_FR),  # impersonal: no one
    ("Et quel âge a-t-il ?", _turn("Où siège le GNA ?", "À Tripoli [1].")),  # no one was asked for
    ("Et quel âge a-t-il ?", _turn("Qui a accueilli la rencontre ?", "Abou Dhabi [1].")),  # a place
    ("Where is his government based?", GNA_EN),  # "his" is no subject
])
def test_no_person_is_put_where_none_is_meant(question, history):
    query = standalone_query(question, history)
    assert asked_part(query) == question
    assert named_for_pronoun(question, query) is None


ARTICLES = [
    {"doc_id": "gna", "title": "Libye : le GNA face à l'offensive de Haftar", "lang": "fr",
     "text": "Fayez al-Serraj dirige le Gouvernement d'union nationale (GNA), installé à Tripoli et reconnu "
             "par la communauté internationale. Les forces du maréchal Khalifa Haftar avancent vers la "
             "capitale. Fayez al-Serraj a déclaré que la Libye ne retomberait pas sous une dictature militaire."},
    {"doc_id": "others", "title": "Europe : les réactions à la crise libyenne", "lang": "fr",
     "text": "Le ministre allemand des Affaires étrangères, Sigmar Gabriel, a déclaré que la Libye restait "
             "un pays chaotique où aucun migrant ne devait être renvoyé. À Paris, Nicolas Sarkozy, 62 ans, "
             "risque un an de prison dans l'affaire Bygmalion. Sigmar Gabriel a quitté la présidence du SPD en "
             "janvier parce que sa santé l'exigeait."},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder):
    return service_over(tmp_path_factory, embedder, "follow_up_person", ARTICLES)


def test_his_age_is_not_another_mans_age(service):
    answer = service.ask("Et quel âge a-t-il ?", GNA_FR)
    assert answer.refused, answer.answer
    assert "62" not in answer.answer


def test_his_words_are_his_own(service):
    answer = service.ask("Qu'a-t-il déclaré sur la Libye ?", GNA_FR)
    assert not answer.refused, answer.answer
    quotes = " ".join(c.quote for c in answer.citations)
    assert "dictature militaire" in quotes
    assert "Gabriel" not in quotes


def test_his_reason_is_not_another_mans_reason(service):
    assert service.ask("Pourquoi Sigmar Gabriel a-t-il quitté la présidence du SPD ?").citations  # it is there
    answer = service.ask("Pourquoi a-t-il quitté la présidence du SPD ?", GNA_FR)
    assert answer.refused, answer.answer
