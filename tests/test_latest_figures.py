"""A figure that changes as a story unfolds: tolls, their latest value, and the event they are of.

"What is the latest death toll of X?" asks one fact, its newest value: it is answered with the
figure, not with a brief of the newest articles. A toll stated far from its number ("The death
toll from a landslide at ... climbed to 113") counts the dead; one report's "72 dead on Tuesday" and
"113 on Wednesday" are two figures of two days, shown with their days; a total beats the increment
beside it; counts of different deeds ("rescued", "arrived") are no disagreement; and a toll of an
event no article tells of is refused, even when the place is named.
A small index of articles written for these tests (real model, real Chroma on disk, real spaCy).
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

ARTICLES = [
    {"id": "landslide", "date": "2017-03-15", "lang": "en", "source": "wire.example",
     "title": "Toll rises after rubbish dump landslide",
     "text": ("Rescue teams kept digging on Wednesday after a hillside of rubbish collapsed at the Koshe landfill, "
              "burying dozens of homes.\n\nThe death toll from the landslide at the country's largest rubbish dump "
              "near the capital climbed to 113 on Wednesday as the search for the missing went on. The city "
              "spokesman said he could not explain why the toll had risen so fast from a previous tally of 72 "
              "dead on Tuesday. The government had tried to close the dump last year.")},
    {"id": "sea", "date": "2017-03-14", "lang": "en", "source": "sea.example",
     "title": "More migrants drown at sea than a year ago",
     "text": ("Geneva - At least another four refugees died on Friday, bringing the 2017 death toll in the "
              "Mediterranean to 525 people, according to the migration agency. Arrivals in Italy more than "
              "doubled, with 13,439 people landing on its coasts since January.")},
    {"id": "market", "date": "2017-03-20", "lang": "en", "source": "markets.example",
     "title": "Grain prices climb in Rome trading",
     "text": ("Rome - Grain prices climbed for a third week on Monday as traders in Italy waited for the harvest "
              "figures. Dealers said the rise would last until the summer.")},
]


@pytest.fixture(scope="module")
def latest_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "latest-figures", ARTICLES)


def test_the_latest_toll_is_a_figure_with_its_earlier_value_and_their_days(latest_service):
    answer = latest_service.ask("What is the latest death toll of the Koshe landfill collapse?")
    assert answer.kind != "overview" and not answer.refused, answer.answer
    assert answer.short_answer is not None and answer.short_answer.text == "113", answer.answer
    assert "72 (2017-03-14, wire.example)" in answer.answer and "113 (2017-03-15, wire.example)" in answer.answer
    # one outlet's toll on two days rose: it is not said to be articles that disagree
    assert "The figure changed from one day to the next: 72" in answer.answer, answer.answer
    assert "different figures" not in answer.answer


def test_a_toll_stated_far_from_its_number_counts_the_dead(latest_service):
    answer = latest_service.ask("How many people died in the landslide at the rubbish dump?")
    assert not answer.refused, answer.answer
    assert "113" in answer.answer and "climbed to 113" in " ".join(c.quote for c in answer.citations)


def test_the_total_answers_not_the_increment_beside_it(latest_service):
    answer = latest_service.ask("How many refugees have died in the Mediterranean in 2017?")
    assert answer.short_answer is not None and answer.short_answer.text == "525", answer.answer


def test_a_toll_of_an_event_no_article_tells_of_is_refused(latest_service):
    answer = latest_service.ask("What is the latest death toll of the earthquake in Italy?")
    assert answer.refused, answer.answer
    answer = latest_service.ask("How many people died in the earthquake in Italy?")
    assert answer.refused, answer.answer
    answer = latest_service.ask("How many people died in the landslide at the rubbish dump?")
    assert not answer.refused, answer.answer


def test_the_event_a_figure_is_asked_of():
    from chatbot.answering.event_head import event_head

    assert event_head("How many people died in the earthquake in Italy?", "en", toll=False) == "earth"
    assert event_head("What is the death toll of the bombing in Madagascar?", "en", toll=True) == "bomb"
    assert event_head("Combien de soldats ont été tués lors de l'assaut ?", "fr", toll=False) == "assau"
    # where and when are not what happened
    assert event_head("How many migrants died in the Mediterranean in 2017?", "en", toll=False) == ""
    assert event_head("How many people died in the city?", "en", toll=False) == ""


def test_the_latest_on_a_topic_briefs_its_articles_not_the_newest_ones(latest_service):
    answer = latest_service.ask("What's the latest on the Koshe landfill collapse?")
    assert answer.kind == "overview", answer.answer
    assert {c.doc_id for c in answer.citations} == {"landslide"}, answer.answer


def test_which_questions_ask_for_the_latest_figure():
    from chatbot.answering.overview import overview_request
    from chatbot.answering.question import analyse
    from chatbot.text.numbers import counted_before

    assert overview_request("What is the latest death toll of the Koshe landfill collapse?") is None
    assert overview_request("What's the latest on Haftar?").latest
    assert overview_request("What is the latest?") is not None
    assert analyse("What is the latest death toll of the landslide?").number
    assert analyse("Quel est le dernier bilan du cyclone ?").number
    assert not analyse("What is the name of the envoy?").number
    assert counted_before("The death toll from a massive landslide at Ethiopia's largest rubbish dump near the "
                          "capital Addis Ababa climbed to 113 on Wednesday.") == ["death"]
    assert counted_before("Officials in 2016 said the toll booth near the capital of the northern province "
                          "of the country had cost 300 dollars.") == []


def test_bare_units_of_time_are_no_date():
    from chatbot.answering.spans import candidates
    from chatbot.text.nlp import parse

    sentence = ("A federal judge has blocked the new travel ban, hours before it was due to begin after midnight "
                "on Thursday.")
    dates = [sentence[c.start:c.end] for c in candidates(parse(sentence, "en")) if c.kind == "date"]
    assert "hours" not in dates and "Thursday" in dates, dates


def test_counts_of_different_deeds_are_not_different_figures():
    from dataclasses import dataclass

    from chatbot.answering.figures import disagreement
    from chatbot.schemas import Passage

    @dataclass
    class Quote:
        passage: Passage
        start: int
        text: str

    def quote(doc_id: str, date: str, text: str) -> Quote:
        return Quote(Passage(doc_id=doc_id, title="", source=f"{doc_id}.example", date=date, lang="en",
                             chunk_id=f"{doc_id}:0", start=0, end=len(text), text=text), 0, text)

    question = "How many migrants have arrived in Italy since the start of the year?"
    arrived = quote("arrivals", "2017-03-20", "Some 16,000 migrants have already arrived in Italy since the start "
                                              "of the year.")
    rescued = quote("rescues", "2017-02-06", "Over the weekend, some 1,500 migrants were rescued after their boats "
                                             "got into trouble.")
    earlier = quote("february", "2017-02-28", "Some 12,000 migrants had arrived in Italy by the end of February.")
    assert disagreement(question, "en", [arrived, rescued]) == []  # rescued, not arrived
    assert [f.figure for f in disagreement(question, "en", [arrived, earlier])] == ["Some 12,000", "Some 16,000"]
    # headlines with no verb above the figure: read to their root, compared by what they count
    first = quote("first", "2017-03-14", "Koshe landfill: 72 migrants missing.")
    later = quote("later", "2017-03-15", "Koshe landfill: 113 migrants missing.")
    assert [f.figure for f in disagreement("How many migrants are missing?", "en", [later, first])] == ["72", "113"]


def test_a_weekday_answer_names_its_day_in_full(latest_service):
    answer = latest_service.ask("When did the death toll of the landslide climb to 113?")
    assert answer.short_answer is not None and answer.short_answer.text == "Wednesday", answer.answer
    assert answer.short_answer.rendered == "Wednesday 15 March 2017"
    assert answer.answer.startswith("Wednesday 15 March 2017 (“Wednesday”) [1]"), answer.answer
    french = latest_service.ask("Quand le bilan du glissement de terrain a-t-il atteint 113 morts ?")
    assert french.short_answer is not None and french.short_answer.rendered == "mercredi 15 mars 2017", french.answer
