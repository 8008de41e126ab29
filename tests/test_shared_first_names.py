"""Two people who share a first name are two people.

A question names "Adam Lauridsen"; another article names "Adam Purinton". A name used to count as
mentioned by any one of its words, so the shooter's sentence answered "Who is Adam Lauridsen?", and
a question about an "Adam" no article names was answered with whichever Adam scored best. A word
of a name that is not its last, written only as the start of another name (followed by another
capitalised word), no longer counts (chatbot.answering.question). A small index of articles
written for these tests (real model, real Chroma on disk, real spaCy).
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

ARTICLES = [
    {"id": "shooting", "date": "2017-02-24", "lang": "en", "source": "kc.example",
     "title": "Suspect held after bar shooting",
     "text": "Two engineers were shot in a crowded bar in Olathe on Wednesday night. One of them died in "
             "hospital. The alleged shooter, Adam Purinton, 51, was arrested hours later at a restaurant "
             "in Clinton, Missouri. Witnesses said he had shouted at the two men before opening fire. "
             "The police said he would appear in court on Monday."},
    {"id": "ban", "date": "2017-03-07", "lang": "en", "source": "sf.example",
     "title": "Lawyers study the new travel order",
     "text": "Lawyers across the country spent the day reading the new executive order on travel. "
             "Adam Lauridsen, a San Francisco attorney representing students challenging the first order, "
             "said the waiver provisions of the new ban were similar to those of the first. Universities "
             "asked their foreign students not to travel abroad until the courts had ruled. The order "
             "takes effect on March 16."},
    {"id": "harbour", "date": "2017-03-09", "lang": "en", "source": "coast.example",
     "title": "The harbour reopens",
     "text": "The harbour reopened on Thursday after a week of storms. Fishermen said the catch had been "
             "poor all winter. The mayor promised to repair the sea wall before the autumn."},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "first-names", ARTICLES)


def test_each_adam_is_answered_from_his_own_sentence(service):
    assert_refused_or_cites(service, "Who is Adam Lauridsen?", "San Francisco attorney")
    assert_refused_or_cites(service, "Qui est Adam Purinton ?", "alleged shooter")


def test_an_adam_no_article_names_is_refused(service):
    assert_refused_or_cites(service, "Who is Adam Whitcombe?", None)
    assert_refused_or_cites(service, "Qu'a déclaré Adam Whitcombe sur le décret ?", None)


def test_a_first_name_opening_another_name_does_not_mention_the_asked_one():
    from chatbot.answering.question import mentions

    assert not mentions("Adam Lauridsen", "The alleged shooter, Adam Purinton, 51, was arrested")
    assert mentions("Adam Lauridsen", "Adam Lauridsen, a San Francisco attorney, said")
    assert mentions("Adam Lauridsen", "Adam, a lawyer, said")  # the first name alone still counts
    assert mentions("Donald Trump", "Donald J. Trump signed it")  # the last name is there
    assert not mentions("Donald Trump", "Donald Tusk signed it")
    assert mentions("Fayez al-Serraj", "le chef du GNA, Fayez Al-Serraj, a dit")  # a particle, capitalised
