"""A count whose noun comes before its number: "the number of arrests at 500", "the death toll has
risen to 40", "le nombre de morts s'élève à 27".

News often states a figure of something named earlier in the sentence; no noun follows the number.
A "how many" question about that something is answered by such a sentence, in the article's
language and across languages, while a question counting something the sentence does not count
is still refused. A small index of articles written for these tests (real model, real Chroma on
disk); the unit cases below pin the reading itself.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

from chatbot.answering.counted import counted_words
from chatbot.answering.question import analyse
from chatbot.text.numbers import counted_before

ARTICLES = [
    {"id": "rallies", "date": "2017-03-27", "lang": "en", "title": "Police detain protesters across Russia",
     "text": (
         "Moscow - Russian authorities put the official number of arrests in Moscow at 500 after Sunday's "
         "anti-corruption rallies. Organisers said the protests drew crowds in dozens of cities, from "
         "Vladivostok to Kaliningrad.")},
    {"id": "floods", "date": "2017-01-12", "lang": "en", "title": "Floods hit eastern Libya",
     "text": (
         "Derna, Libya - The death toll from the flooding in Derna has risen to 40, the Red Crescent said "
         "on Thursday. Rescue teams were still searching the valley for survivors.")},
    {"id": "kandahar", "date": "2017-01-11", "lang": "fr", "title": "Attentat meurtrier à Kandahar",
     "text": (
         "Kandahar, Afghanistan - Le nombre de morts de l'attentat contre le palais du gouverneur de "
         "Kandahar s'élève désormais à 27, selon le ministère de l'Intérieur. Le gouverneur a été "
         "légèrement blessé.")},
]


@pytest.fixture(scope="module")
def counts_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "counts", ARTICLES)


@pytest.mark.parametrize(("question", "expected"), [
    ("How many arrests did the authorities report in Moscow after the anti-corruption rallies?", "at 500"),
    ("Combien d'arrestations les autorités ont-elles annoncées à Moscou après les manifestations ?", "at 500"),
    # the sentence counts arrests, not injuries
    ("How many injuries did the authorities report in Moscow after the anti-corruption rallies?", None),
    ("How many deaths has the flooding in Derna caused?", "risen to 40"),
    ("Combien de morts les inondations de Derna ont-elles fait ?", "risen to 40"),
    ("Combien de maisons les inondations de Derna ont-elles détruites ?", None),
    ("Combien de morts l'attentat contre le palais du gouverneur de Kandahar a-t-il fait ?", "à 27"),
    ("How many deaths did the attack on the governor's palace in Kandahar cause?", "à 27"),
    ("Combien de véhicules l'attentat contre le palais du gouverneur de Kandahar a-t-il détruits ?", None),
])
def test_a_count_stated_before_its_number_answers_how_many(counts_service, question, expected):
    assert_refused_or_cites(counts_service, question, expected)


@pytest.mark.parametrize(("sentence", "counted"), [
    ("Russian authorities have put the official number of those arrested at 500.", ["those", "arrested"]),
    ("The death toll from the attack has risen to 30.", ["death"]),
    ("Le nombre de morts s'élève à 30.", ["morts", "s'élève"]),
    ("The number of migrants who arrived in Italy in 2016 was 181,000.", ["migrants", "who"]),
    # a year is no count of migrants, nor is a share
    ("The number of migrants fell in 2016.", []),
    ("The number of migrants rose by 30% last year.", []),
    # the noun after the number says what it counts: nothing is read before it
    ("A total of 500 migrants arrived.", []),
    # "a number of" says several: the number after it counts something else
    ("A number of people were killed when 3 bombs exploded.", []),
    ("Un certain nombre de soldats ont été blessés par 2 explosions.", []),
    # a "figure" may be a person
    ("A key figure of the opposition said 12 protesters were detained.", []),
])
def test_what_a_number_counts_when_named_before_it(sentence, counted):
    assert counted_before(sentence) == counted


def test_the_words_compared_across_languages_include_the_noun_before_the_number():
    assert "arrests" in counted_words("Police put the number of arrests at 500 on Sunday.")
    assert counted_words("The death toll has risen to 30.") == ["death"]


def test_a_count_stated_before_its_number_meets_the_noun_in_its_own_language():
    soldiers = analyse("How many soldiers were killed in the attack?")
    assert soldiers.accepts("The number of soldiers killed in the attack rose to 12.")
    assert not soldiers.accepts("The number of soldiers in the barracks fell in 2016.")
    assert not analyse("How many tanks were destroyed?").accepts("The number of soldiers killed rose to 12.")
