"""French questions that name a body the French way, about English articles that name it theirs.

A small index of English articles written for these tests (real model, real Chroma on disk). The
question's names must be in the cited article: "le Croissant-Rouge" is the article's "Red Crescent",
"l'ONU" its "UN", an acronym the question spells out itself ("la Mission d'appui des Nations unies
en Libye (MANUL)", which English writes "UNSMIL") is that long form again, "la Chambre des lords"
the "House of Lords", "PIB" its "GDP", and "Zaouïa" its "Zawiya", named in the first paragraph of
an article whose later passage answers. Next to each, the same question about a body or a place no
article names is refused.
A "declaration" handed over is a document, not someone's words. The same index checks whose age is asked ("How old is Omar, the coastguard working in Ras Jdir?"),
an age given as "his advanced age of 79", and a count of the wounded that only the dead answer.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

ARTICLES = [
    {"id": "bodies", "date": "2017-02-22", "lang": "en", "title": "Bodies of migrants wash ashore near Sabratha",
     "text": (
         "Tripoli, Libya - On February 21, the bodies of 52 migrants were found by the Libyan Red Crescent "
         "on a beach near Sabratha. Since March 2016, Martin Keller has led the United Nations Support "
         "Mission in Libya. Omar, 38, who did not give his last name, works for the coastguard in Ras "
         "Jdir, a town west of Tripoli.")},
    {"id": "envoy", "date": "2017-02-24", "lang": "en", "title": "Children go hungry in detention centres",
     "text": (
         "Martin Keller, the UN envoy for Libya, said on Thursday that around 12 percent of the children "
         "held in the detention centres were malnourished. He called for the centres to be closed.")},
    {"id": "lords", "date": "2017-03-02", "lang": "en", "title": "Peers defeat the government over EU citizens",
     "text": (
         "The House of Lords voted on Wednesday to guarantee the rights of EU citizens living in Britain, "
         "a first defeat for the government over its Brexit bill. "
         "In Vienna, President Walter Hausner said he would not seek a second term due to his advanced "
         "age of 79.")},
    {"id": "smugglers", "date": "2017-03-01", "lang": "en", "title": "Amid the chaos, traffickers thrive",
     "text": (
         "Zawiya, Libya - The port city west of the capital has become the main departure point for the "
         "boats that leave the coast at night, local officials say. The militias that run the harbour "
         "also run the detention centres, and nobody in the city dares to speak of them openly.\n\n"
         "A fisherman who asked not to be named said the boats had multiplied over the past year. "
         "\"Every night we see them leave, and every week we find bodies on the beach,\" he said. "
         "The coastguard, short of fuel and of boats, turns back only a few of them.\n\n"
         "Migrants pay about $2,000 for a seat on the smugglers' boats, several of them told reporters "
         "at a shelter, and many work for months in farms and building sites to pay for the crossing. "
         "Those who cannot pay are held until their families send the money.")},
    {"id": "defence", "date": "2017-03-05", "lang": "en", "title": "Vienna raises its defence budget",
     "text": (
         "Austria spends 0.7 percent of GDP on defence, the defence minister said on Sunday, and the "
         "government plans to raise the budget next year.")},
    {"id": "letter", "date": "2017-03-29", "lang": "en", "title": "The letter reaches Brussels",
     "text": (
         "The declaration under Article 50, signed by the prime minister on Tuesday, was hand-delivered to "
         "Donald Tusk in Brussels by ambassador Tim Harlow. Tusk told reporters that there was nothing to "
         "win in the process.")},
    {"id": "grozny", "date": "2017-03-24", "lang": "en", "title": "Gunmen attack a base in Chechnya",
     "text": (
         "At least eight soldiers were killed on Friday when gunmen attacked a National Guard base near "
         "Grozny, officials said. The attackers used the cover of heavy fog.")},
]


@pytest.fixture(scope="module")
def bodies_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "bodies", ARTICLES)


@pytest.mark.parametrize(("question", "expected"), [
    ("Combien de corps de migrants le Croissant-Rouge libyen a-t-il retrouvés près de Sabratha ?", "52 migrants"),
    ("Combien de corps de migrants la Croix-Rouge italienne a-t-elle retrouvés près de Sabratha ?", None),
    ("Selon l'envoyé de l'ONU pour la Libye, quelle proportion des enfants détenus souffre de malnutrition ?",
     "12 percent"),
    ("Selon l'envoyé de l'OTAN pour la Libye, quelle proportion des enfants détenus souffre de malnutrition ?",
     None),
    ("Depuis quand Martin Keller dirige-t-il la Mission d'appui des Nations unies en Libye (MANUL) ?",
     "March 2016"),
    ("Depuis quand Martin Keller dirige-t-il la Mission des Nations unies au Soudan du Sud (MINUSS) ?", None),
    ("Quel jour la Chambre des lords a-t-elle voté pour garantir les droits des citoyens européens ?",
     "Wednesday"),
    # "PIB" is the article's "GDP" (name_pairs.toml)
    ("Quelle part de son PIB l'Autriche consacre-t-elle à la défense ?", "0.7 percent"),
    ("Quelle part de son PIB la Suisse consacre-t-elle à la défense ?", None),
])
def test_a_body_is_found_under_its_name_in_the_other_language(bodies_service, question, expected):
    assert_refused_or_cites(bodies_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # the passage that answers does not name the city: its article does, in its first paragraph
    ("Combien les migrants paient-ils pour une place sur les bateaux des passeurs de Zaouïa ?", "$2,000"),
    ("Combien les migrants paient-ils pour une place sur les bateaux des passeurs de Misrata ?", None),
])
def test_a_place_named_elsewhere_in_the_article_is_found_in_the_other_language(bodies_service, question, expected):
    assert_refused_or_cites(bodies_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # the name right after "how old is" is whose age is asked, not the place named last
    ("How old is Omar, the coastguard working in Ras Jdir?", "Omar, 38"),
    ("How old is Yusuf, the coastguard working in Ras Jdir?", None),
    # "his advanced age of 79": the age of the person the sentence is about, however far
    ("Quel âge avait Walter Hausner lorsqu'il a renoncé à un second mandat ?", "age of 79"),
    ("Quel âge avait Peter Hausner lorsqu'il a renoncé à un second mandat ?", None),
])
def test_whose_age_is_asked(bodies_service, question, expected):
    assert_refused_or_cites(bodies_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("How many soldiers were killed in the attack near Grozny?", "eight soldiers"),
    # the article counts the dead only: a count of the wounded is not in it
    ("How many soldiers were wounded in the attack near Grozny?", None),
    ("Combien de soldats ont été blessés lors de l'attaque près de Grozny ?", None),
])
def test_a_count_of_the_wounded_is_not_a_count_of_the_dead(bodies_service, question, expected):
    assert_refused_or_cites(bodies_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("What did Donald Tusk say about the process?", "nothing to win"),
    # the sentence naming Harlow speaks of a "declaration", a document: no word of his is reported
    ("What did Tim Harlow say when he handed the letter to Donald Tusk?", None),
])
def test_a_declaration_is_a_document_not_a_statement(bodies_service, question, expected):
    assert_refused_or_cites(bodies_service, question, expected)
