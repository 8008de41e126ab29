"""On-topic questions no article answers are refused; the same kinds of question that are answered stay so.

A small index of English articles written for these tests (real model, real Chroma on disk). Each
unanswerable question meets a sentence of the right topic and form that does not hold what is asked:
a "why" met by a sentence giving no reason, or giving the thing asked about as a cause; the first of
a ranking met by a sentence that ranks nothing; a statement met by the words of another speaker, or
by "heads of states"; a time asked of one party met by another party's; the age of one person met
by another's; a count on one day met by other days; a count of pills met by a weight; an amount met
by a sentence without a figure; a name asked for met by "a judge". Next to each, a question of the same kind that the articles answer.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

ARTICLES = [
    {"id": "vote", "date": "2017-03-28", "lang": "en", "title": "Senate clears the way for Montenegro's membership",
     "text": (
         "The Senate voted 97-2 on Monday in favour of a final vote on Montenegro's membership of the alliance. "
         "Senator Rand Paul voted against the membership because it would antagonize Russia. "
         "Senator Mike Lee also voted against the membership. "
         "Besides the US, the Netherlands and Spain have yet to ratify the membership. "
         "Secretary of State Rex Tillerson wrote to Senate leaders that the membership was in the interest "
         "of the US. "
         "\"Montenegro is trying to do everything that Putin hates,\" said Senator Lindsey Graham.")},
    {"id": "airports", "date": "2017-01-30", "lang": "en", "title": "Travellers held at airports under the order",
     "text": (
         "The government listed 746 people held or processed at airports from Jan. 28 to Jan. 29. "
         "Long delays at several airports were caused by a computer outage. "
         "Mohamed Jalloh, 27, of Sterling, Virginia, is to be sentenced on Friday. "
         "A Brooklyn judge issued an order blocking part of the ban.")},
    {"id": "seattle", "date": "2017-02-04", "lang": "en", "title": "Seattle judge suspends the ban",
     "text": "US District Judge James Robart suspended the travel ban nationwide on Friday in Seattle."},
    {"id": "tramadol", "date": "2017-02-13", "lang": "en", "title": "Tramadol floods West Africa",
     "text": (
         "India is the largest exporter of tramadol to West Africa. "
         "Pills are also smuggled into Ghana from China and Sweden. "
         "In January 2016, more than 25,000 kilos of tramadol were intercepted by Greek authorities.")},
    {"id": "summit", "date": "2017-03-29", "lang": "en", "title": "Arab leaders gather for their annual summit",
     "text": (
         "Sixteen heads of states are expected to attend the summit, including Saudi Arabia's King Salman. "
         "Philippe Moreau Defarges, a senior fellow at a Paris institute, said the summit would change little. "
         "The 62-year old conservative politician Nicolas Sarkozy also faces trial in Paris.")},
    {"id": "sales", "date": "2017-03-14", "lang": "en", "title": "Arms sales to the Gulf resume",
     "text": (
         "The State Department has approved the sale of guidance systems made by Raytheon to the kingdom. "
         "Officials said the White House had yet to take a final decision.")},
    {"id": "jets", "date": "2017-03-20", "lang": "en", "title": "Emirate orders fighter jets",
     "text": (
         "The emirate has ordered forty fighter jets from a French maker. "
         "The aircraft deal with the emirate is worth $5 billion.")},
]


@pytest.fixture(scope="module")
def kinds_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "kinds", ARTICLES)




@pytest.mark.parametrize(("question", "expected"), [
    ("Why did Rand Paul vote against Montenegro's membership?", "antagonize Russia"),
    # the sentence says he voted against, not why
    ("Why did Mike Lee vote against Montenegro's membership?", None),
    # the outage is the cause of the delays here, not something whose cause is given
    ("Why did the computer outage happen?", None),
])
def test_a_why_is_answered_by_a_reason(kinds_service, question, expected):
    assert_refused_or_cites(kinds_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("Which country is the largest exporter of tramadol to West Africa?", "India"),
    ("Quel pays est le principal exportateur de tramadol vers l'Afrique de l'Ouest ?", "India"),
    # pills smuggled into Ghana, from two countries: no ranking of destinations
    ("Which country is the main destination of the smuggled tramadol pills?", None),
])
def test_the_first_of_a_ranking_is_answered_by_a_sentence_that_ranks(kinds_service, question, expected):
    assert_refused_or_cites(kinds_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("What did Lindsey Graham say about Putin?", "Putin hates"),
    # Tillerson is named in the sentence before, but the words are Graham's
    ("What did Rex Tillerson say about Putin?", None),
    # "heads of states" is not a statement of King Salman's
    ("What did King Salman say at the summit?", None),
    ("How many heads of state are expected to attend the summit?", "Sixteen"),
])
def test_a_statement_is_the_asked_speakers_own(kinds_service, question, expected):
    assert_refused_or_cites(kinds_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("When did the Senate vote on Montenegro's membership?", "Monday"),
    # the Netherlands have not ratified: the Senate's day is not theirs
    ("When did the Netherlands ratify Montenegro's membership?", None),
    ("How old is Mohamed Jalloh?", "27"),
    ("How old is Nicolas Sarkozy?", "62-year old"),
    # Moreau Defarges is named in the article, but the age given is Sarkozy's
    ("How old is Philippe Moreau Defarges?", None),
])
def test_a_time_or_an_age_belongs_to_whom_the_question_asks_about(kinds_service, question, expected):
    assert_refused_or_cites(kinds_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("How many people were held or processed at airports on Jan. 28?", "746"),
    # the list covers January 28 and 29, not the 30th
    ("How many people were held or processed at airports on Jan. 30?", None),
    ("How many kilos of tramadol were intercepted in 2016?", "25,000"),
    # a weight of the drug does not count its pills
    ("How many tramadol pills were intercepted in 2016?", None),
    ("What is the value of the aircraft deal with the emirate?", "$5 billion"),
    # the sale is approved, its value is not given
    ("What is the value of the Raytheon guidance systems sale?", None),
])
def test_a_figure_is_of_the_day_and_the_thing_asked(kinds_service, question, expected):
    assert_refused_or_cites(kinds_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("What is the name of the Seattle judge who suspended the travel ban?", "James Robart"),
    # "a Brooklyn judge issued an order": the judge is not named
    ("What is the name of the Brooklyn judge who blocked part of the ban?", None),
])
def test_a_name_asked_for_is_written_next_to_its_role(kinds_service, question, expected):
    assert_refused_or_cites(kinds_service, question, expected)

