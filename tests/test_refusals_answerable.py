"""Answerable questions asked in the reader's words are answered; their unanswerable twins still refused.

A small index of English articles written for these tests (real model, real Chroma on disk). Each
answered question was refused before: a body the French question names by its French acronym or
spelling ("l'EI", "al-Qaïda"), a body whose French name is one capitalised word and its adjective
("les Affaires étrangères"), a count written "twenty-plus", things counted by their type name ("three
Apaches" for "hélicoptères Apache"). Next to each, a question of the same kind that the articles do
not answer, refused; a month asked about is the month of the sentence that names one; an age asked of "Chin" is not given by a sentence on "Chinese" users, nor
one of a Khodeida by his brother's.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

ARTICLES = [
    {"id": "campaign", "date": "2017-02-23", "lang": "en", "title": "Pentagon reviews its plan against ISIS",
     "text": (
         "General Joseph Votel leads the military campaign against ISIS in Iraq and Syria. "
         "According to the Washington Post, al-Qaeda had about 300 members in Yemen in 2009. "
         "The Pentagon approved the use of three Apaches to support Turkish forces near al-Bab.")},
    {"id": "interview", "date": "2017-03-29", "lang": "en", "title": "Moscow ready to work with Washington",
     "text": (
         "Russian Foreign Minister Sergey Lavrov gave an interview to the National Interest magazine. "
         "The deal on the bilateral commission had set up some twenty-plus working groups.")},
    {"id": "hawaii", "date": "2017-03-09", "lang": "en", "title": "Hawaii sues over the new travel ban",
     "text": (
         "Attorney General Douglas Chin filed the lawsuit in federal court in Honolulu. "
         "Carl Tobias, 64, a law professor in Richmond, said the complaint was similar to Washington's. "
         "Most of the app's Chinese users are women aged 25 to 35.")},
    {"id": "mosul", "date": "2017-03-27", "lang": "en", "title": "Mosul families count their dead",
     "text": (
         "The strike killed his brother, 37-year-old Faris Zaidan Khalaf, said Seif Khalaf. "
         "\"The airplane was circling above us,\" Marwan Khodeida, 18, told reporters. "
         "His brother Muthanna Khodeida was at the shop when the house was hit.")},
    {"id": "appeal", "date": "2017-03-16", "lang": "en", "title": "Courts and the travel orders",
     "text": (
         "The first order was signed in January. "
         "Seven lawsuits against the order were filed in February.")},
]


@pytest.fixture(scope="module")
def answerable_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "answerable", ARTICLES)


@pytest.mark.parametrize(("question", "expected"), [
    # "EI" is the project's listed French name of ISIS
    ("Qui dirige la campagne militaire contre l'EI en Irak ?", "Votel"),
    # "al-Qaïda" is read as the name "Qaïda", the subject whose figure is asked
    ("Combien de membres al-Qaïda comptait-elle au Yémen en 2009 ?", "300 members"),
    # a body named by no article stays missing
    ("Qui dirige la campagne militaire contre le Hezbollah en Irak ?", None),
    ("Combien de membres le Hezbollah comptait-il au Yémen en 2009 ?", None),
])
def test_a_body_named_in_french_is_found_under_its_listed_english_name(answerable_service, question, expected):
    assert_refused_or_cites(answerable_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("Quel magazine a interviewé le ministre russe des Affaires étrangères ?", "National Interest"),
    # another ministry: no article names its minister
    ("Quel magazine a interviewé le ministre russe de l'Agriculture ?", None),
])
def test_a_french_name_is_compared_with_its_adjective(answerable_service, question, expected):
    assert_refused_or_cites(answerable_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("How many working groups did the bilateral commission set up?", "twenty-plus working groups"),
    # a figure of other things
    ("How many subcommittees did the bilateral commission set up?", None),
])
def test_an_approximate_count_in_words_answers_how_many(answerable_service, question, expected):
    assert_refused_or_cites(answerable_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("Combien d'hélicoptères Apache le Pentagone a-t-il approuvés ?", "three Apaches"),
    # tanks are not helicopters, whatever their name
    ("Combien de chars Abrams le Pentagone a-t-il approuvés ?", None),
])
def test_things_counted_by_their_type_name(answerable_service, question, expected):
    assert_refused_or_cites(answerable_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("Quel âge a Carl Tobias ?", "Carl Tobias, 64"),
    # "Chinese" is not Chin: his age is given nowhere
    ("Quel âge a Douglas Chin ?", None),
    ("How old is Marwan Khodeida?", "Marwan Khodeida, 18"),
    # a brother's age is not his
    ("How old is Muthanna Khodeida?", None),
    ("Quel âge a Seif Khalaf ?", None),
])
def test_an_age_belongs_to_the_whole_surname(answerable_service, question, expected):
    assert_refused_or_cites(answerable_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("How many lawsuits were filed in February?", "Seven lawsuits"),
    # the article names January, for another event: no figure of January
    ("How many lawsuits were filed in January?", None),
])
def test_a_month_asked_about_is_the_sentences_month(answerable_service, question, expected):
    assert_refused_or_cites(answerable_service, question, expected)
