"""A forecast in a report is no event of the report's day.

"The appeals court is expected to rule on the ban by the end of the week", in a report of 15 March,
did not happen on 15 March: shown at that day, a timeline would tell the reader the court ruled. A
sentence whose main clause tells of what is still to come is shown only when it names its day, the
report's or a later one (the day it was due, marked ``ahead``); otherwise the article's next best sentence stands for it.
What someone said will happen ("The minister said the ban will hold") is a saying of that day,
unless it names a later day.
A small index of articles written for these tests (real model, real Chroma on disk, real spaCy).
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

ARTICLES = [
    {"id": "announced", "date": "2017-03-07", "lang": "en", "source": "capital.example",
     "title": "New travel ban signed",
     "text": ("The new travel ban is due to take effect on Thursday, March 16, officials said. "
              "The White House gave no further details.")},
    {"id": "blocked", "date": "2017-03-16", "lang": "en", "source": "courts.example",
     "title": "Judge halts travel ban",
     "text": ("A federal judge in Hawaii blocked the new travel ban on Wednesday, hours before it was due to begin. "
              "The minister said the travel ban will hold in the end.")},
    {"id": "hearing", "date": "2017-03-15", "lang": "en", "source": "state.example",
     "title": "Hawaii argues against the travel ban",
     "text": "Lawyers for Hawaii are expected to argue against the new travel ban at Wednesday's hearing in court."},
    {"id": "appeal", "date": "2017-03-17", "lang": "en", "source": "law.example",
     "title": "Appeal on the travel ban",
     "text": ("The appeals court is expected to rule on the travel ban by the end of the week. "
              "The government appealed the ruling against the travel ban on Thursday, lawyers said.")},
]
QUERY = "the new travel ban and the courts"


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory, embedder):
    service = service_over(tmp_path_factory, embedder, "timeline-ahead", ARTICLES)
    return service.timeline(QUERY)


def test_a_forecast_without_a_day_is_no_event_and_its_article_gives_another(timeline):
    quotes = [e.quote for e in timeline.events]
    assert not any("is expected to rule" in q for q in quotes), quotes
    appeal = [e for e in timeline.events if e.citation.doc_id == "appeal"]
    assert appeal and all(not e.ahead for e in appeal), quotes
    assert any("appealed the ruling" in e.quote and e.date == "2017-03-16" for e in appeal), quotes


def test_a_forecast_naming_its_day_is_shown_at_that_day_as_still_to_come(timeline):
    due = next((e for e in timeline.events if "due to take effect" in e.quote), None)
    assert due is not None, [e.quote for e in timeline.events]
    assert due.ahead and due.date == "2017-03-16" and due.reported == "2017-03-07"
    done = [e for e in timeline.events if not e.ahead]
    assert any("blocked the new travel ban" in e.quote and e.date == "2017-03-15" for e in done)
    assert [e.date for e in timeline.events] == sorted(e.date for e in timeline.events)
    # a forecast of its report's own day (15 March 2017 was a Wednesday) is that day's, still to come
    hearing = next(e for e in timeline.events if e.citation.doc_id == "hearing")
    assert hearing.ahead and hearing.date == hearing.reported == "2017-03-15"


def test_which_sentences_tell_of_what_is_still_to_come():
    from chatbot.answering.weekday_tense import tells_ahead

    ahead = ["The court is expected to rule by the end of the week.", "Trump will sign the order on Friday.",
             "The new travel ban is due to take effect on March 16.", "The summit is to be held in Ghadames.",
             "The U.S. is going to pull out of the deal."]
    done = ["The ban was expected to take effect on Thursday.",
            "Haftar controls the oil ports.", "The LNA retook Ras Lanuf on Tuesday.",
            "A federal judge blocked the ban, hours before it was due to begin.",
            "President Vladimir Putin's veiled ambition is to re-establish a Soviet-style presence."]
    assert [s for s in ahead if tells_ahead(s, "en") != "told"] == []
    assert [s for s in done if tells_ahead(s, "en") == "told"] == []
    # someone said it will come: the saying is what happened
    assert tells_ahead("Haftar said his forces will take Tripoli.", "en") == "reported"
    assert tells_ahead("The ban is due to take effect on Thursday, officials said.", "en") == "reported"
    assert tells_ahead("Le Parlement se réunira mardi à Tobrouk.", "fr") == "told"
    assert tells_ahead("La conférence doit se tenir à Ghadamès.", "fr") == "told"
    assert tells_ahead("Les forces de Haftar vont attaquer Tripoli.", "fr") == "told"
    assert tells_ahead("Le maréchal a déclaré qu'il prendra Tripoli.", "fr") == "reported"
    assert tells_ahead("Haftar a lancé une offensive contre Tripoli.", "fr") is None
