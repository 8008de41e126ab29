""""Who is the mayor of X?" is answered only by a sentence saying that someone is.

A sentence on the right town that names a person is no answer when it does not say the person holds
the role asked. The role may be written as a title next to the name, after a copula, in either
language, or, for the head of a body, as the body "of" someone. A small index of articles written
for these tests (real model, real Chroma on disk, real spaCy).
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

ARTICLES = [
    {"id": "misrata", "date": "2019-04-05", "lang": "fr", "source": "presse.example",
     "title": "Haftar marche sur Tripoli",
     "text": " ".join([
         "Depuis des mois, Khalifa Haftar essaie d'avancer ses pions dans le Nord-Ouest, mais il a fait "
         "face à des résistances politiques et militaires, notamment de la part de la région de Misrata.",
         "La ville de Misrata est considérée comme une force armée redoutable.",
         "Tripoli est sous le contrôle d'une nuée de milices, et s'y est établi le Gouvernement d'union "
         "nationale (GNA) de Fayez al-Serraj.",
     ])},
    {"id": "berlin", "date": "2017-02-20", "lang": "en", "source": "news.example",
     "title": "Germany weighs its role in Libya",
     "text": " ".join([
         "Berlin has long kept its distance from the conflict in Libya.",
         "Thorsten Benner is director of the Global Public Policy Institute in Berlin.",
         "He said Europe had no common line on the country.",
     ])},
    {"id": "taliban", "date": "2017-03-24", "lang": "en", "source": "wire.example",
     "title": "Russia and the Taliban",
     "text": " ".join([
         "America's top military officer in Europe, Gen. Curtis Scaparrotti, said Thursday that Russia had "
         "increased its support to the Afghan Taliban.",
         "Moscow denied the claim.",
     ])},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "role-holders", ARTICLES)


@pytest.mark.parametrize("question", ["Who is the mayor of Misrata?", "Qui est le maire de Misrata ?"])
def test_a_person_named_near_the_place_is_not_its_mayor(service, question):
    answer = service.ask(question)
    assert answer.refused, answer.answer
    assert "Haftar" not in answer.answer


@pytest.mark.parametrize("question", ["Who is the director of the Global Public Policy Institute?",
                                      "Qui est le directeur du Global Public Policy Institute ?"])
def test_a_role_stated_after_a_copula_answers_in_either_language(service, question):
    answer = service.ask(question)
    assert not answer.refused, answer.answer
    assert answer.answer.startswith("Thorsten Benner"), answer.answer
    assert "Thorsten Benner is director" in answer.citations[0].quote


def test_the_head_of_a_body_written_as_the_body_of_someone(service):
    answer = service.ask("Qui est le chef du GNA ?")
    assert not answer.refused, answer.answer
    assert answer.answer.startswith("Fayez al-Serraj"), answer.answer
    assert "(GNA) de Fayez al-Serraj" in answer.citations[0].quote


def test_a_role_in_apposition_before_the_name_answers_across_languages(service):
    answer = service.ask("Qui est le plus haut officier militaire américain en Europe ?")
    assert not answer.refused, answer.answer
    assert answer.answer.startswith("Curtis Scaparrotti"), answer.answer
    assert "Gen. Curtis Scaparrotti" in answer.citations[0].quote


LEADERS = [
    ARTICLES[0],
    {"id": "moscow", "date": "2017-03-14", "lang": "en", "source": "wire.example",
     "title": "Moscow courts both sides in Libya",
     "text": " ".join([
         "Russia has been reaching out to Gen. Khalifa Haftar, a military commander based in the east.",
         "But the Kremlin also recently hosted the Prime Minister from the rival Government of National Accord.",
         "Airwars, a monitoring group that has been counting civilian deaths from air strikes in Iraq and Syria, "
         "said the toll had risen.",
     ])},
]


@pytest.fixture(scope="module")
def leaders(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "leaders", LEADERS)


@pytest.mark.parametrize("question", ["Who heads the Government of National Accord?",
                                      "Qui dirige le Gouvernement d'union nationale ?"])
def test_who_heads_a_body_is_answered_by_a_sentence_saying_who_does(leaders, question):
    answer = leaders.ask(question)
    assert not answer.refused, answer.answer
    assert answer.answer.startswith("Fayez al-Serraj"), answer.answer  # not "Kremlin", its host
    assert "Kremlin" not in answer.citations[0].quote


def test_a_body_whose_head_no_sentence_names_is_refused(leaders):
    answer = leaders.ask("Who heads Airwars?")
    assert answer.refused, answer.answer
