"""Relative dates of a quote ("hier", "on Tuesday", "last week") resolved from the article's date.

Unit checks of the calendar rules, then one small dated article asked about through the real HTTP
server: the citation carries the day "hier" names, and an undated copy carries none.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from conftest import settings_for
from loopback import serve

from chatbot.answering.relative_dates import label, resolve, years_spoken
from chatbot.server import create_app
from chatbot.web.render import dates_line

TUESDAY = "2017-03-14"  # a Tuesday


def periods(quote: str, date: str | None = TUESDAY, lang: str = "und") -> list[tuple[str, str, str]]:
    return [(r.text, r.date, r.until) for r in resolve(quote, date, lang)]


@pytest.mark.parametrize("quote, published, lang, expected", [
    # the verb the weekday belongs to speaks of the future: the first such day on or after the report
    ("Steinmeier will be officially sworn in before both houses of parliament on Wednesday.", "2017-03-19", "en",
     "2017-03-22"),
    ("Sixteen heads of state are expected to attend Wednesday's meeting.", "2017-03-27", "en", "2017-03-29"),
    ("Perth is forecast to hit 39C by Sunday.", "2017-03-01", "en", "2017-03-05"),
    ("Le sommet se tiendra mercredi à Amman.", "2017-03-27", "fr", "2017-03-29"),
    ("Le président doit se rendre mardi à Paris.", "2017-03-27", "fr", "2017-03-28"),
    # past deeds, also those spoken of in the present through a noun: the latest such day
    ("Peskov said on Friday that Erdogan is set to visit Russia next month.", TUESDAY, "en", "2017-03-10"),
    ("The ruling by Judge Derrick Watson on Wednesday prevents the order from going into effect.", "2017-03-16",
     "en", "2017-03-15"),
    ("Saturday's ruling does not undercut the President's executive order.", "2017-02-10", "en", "2017-02-04"),
    ("Mercredi, le ministre a déclaré que le sommet serait un succès.", "2017-03-27", "fr", "2017-03-22"),
    ("Mardi, le président annonce sa candidature.", "2017-03-27", "fr", "2017-03-21"),
])
def test_a_bare_weekday_lies_ahead_when_its_verb_speaks_of_the_future(quote, published, lang, expected):
    (found,) = [r for r in resolve(quote, published, lang) if r.precision == "day"]
    assert found.date == expected


def test_days_and_weekdays_resolve_from_the_publication_day():
    assert periods("Hier, le bilan était lourd.", lang="fr") == [("Hier", "2017-03-13", "2017-03-13")]
    assert periods("Avant-hier déjà", lang="fr") == [("Avant-hier", "2017-03-12", "2017-03-12")]
    assert periods("The talks ended yesterday.", lang="en") == [("yesterday", "2017-03-13", "2017-03-13")]
    # a bare weekday: the latest such day on or before the publication day (today for a Tuesday)
    assert periods("Mardi, il a déclaré", lang="fr") == [("Mardi", TUESDAY, TUESDAY)]
    assert periods("On Sunday the port closed.", lang="en") == [("On Sunday", "2017-03-12", "2017-03-12")]
    assert periods("mardi dernier", lang="fr") == [("mardi dernier", "2017-03-07", "2017-03-07")]
    assert periods("next Tuesday", lang="en") == [("next Tuesday", "2017-03-21", "2017-03-21")]
    # a weekday written with its date is not relative
    assert periods("La conférence s'ouvrira mardi 21 mars.", lang="fr") == []
    assert periods("The talks resume on Tuesday, March 21.", lang="en") == []


def test_weeks_months_and_years_are_whole_calendar_periods():
    week = resolve("la semaine dernière", TUESDAY, "fr")[0]
    assert (week.date, week.until, week.precision) == ("2017-03-06", "2017-03-12", "week")
    assert label(week) == "2017-03-06 – 2017-03-12"
    month = resolve("Last month the toll rose.", "2017-01-10", "en")[0]
    assert (month.date, month.until, label(month)) == ("2016-12-01", "2016-12-31", "2016-12")
    year = resolve("L’an dernier, 3 000 migrants", TUESDAY, "fr")[0]  # typographic apostrophe
    assert (year.text, label(year), year.precision) == ("L’an dernier", "2016", "year")


def test_offsets_slice_the_quote_and_words_inside_other_words_do_not_count():
    quote = "Selon lui, la hiérarchie a changé hier soir."
    found = resolve(quote, TUESDAY, "fr")
    assert [(quote[r.start:r.end], r.date) for r in found] == [("hier", "2017-03-13")]


def test_unknown_or_partial_article_dates_resolve_nothing():
    assert resolve("Hier, le bilan était lourd.", None, "fr") == []
    assert resolve("Hier, le bilan était lourd.", "2017", "fr") == []
    assert resolve("Hier, le bilan était lourd.", "not a date", "fr") == []


def test_the_year_check_of_specificity_reads_the_same_table():
    assert years_spoken("Last year, we sent 3,000 people back", 2017) == {2016}
    assert years_spoken("l'an prochain", 2017) == {2018}
    assert years_spoken("hier", 2017) == {2017}
    assert years_spoken("no time here", 2017) == set()


ARTICLE = {
    "title": "Grève au port de Misrata",
    "text": ("Grève au port de Misrata\n\nHier, les dockers du port de Misrata ont cessé le travail pour réclamer "
             "le paiement de trois mois de salaires en retard. Le directeur du port, Ahmed Zletni, a promis "
             "un versement avant la fin du mois.\n"),
    "date": TUESDAY, "source": "libyaobserver.ly", "lang": "fr", "doc_id": "misrata-strike",
}


@pytest.fixture(scope="module")
def url(tmp_path_factory, embedder) -> Iterator[str]:
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(tmp_path_factory.mktemp("relative") / "index"), embedder=embedder)
    service.add_mapping(ARTICLE)
    undated = {**ARTICLE, "doc_id": "misrata-undated", "date": None, "source": None,
               "text": ARTICLE["text"].replace("Misrata", "Zouara"), "title": "Grève au port de Zouara"}
    service.add_mapping(undated)
    yield from serve(create_app(service))


def test_a_cited_hier_carries_the_day_it_names_through_the_api(url):
    with httpx.Client(base_url=url, timeout=300) as http:
        answer = http.post("/api/ask", json={"question": "Quand les dockers de Misrata ont-ils cessé le travail ?"}).json()
        assert not answer["refused"], answer["answer"]
        cited = next(c for c in answer["citations"] if c["doc_id"] == "misrata-strike")
        assert cited["quote"].startswith("Hier")
        assert cited["dates"] == [{"text": "Hier", "start": 0, "end": 4, "date": "2017-03-13", "until": "2017-03-13",
                                   "precision": "day"}]
        undated = http.post("/api/ask", json={"question": "Quand les dockers de Zouara ont-ils cessé le travail ?",
                                              "doc_ids": ["misrata-undated"]}).json()
        assert not undated["refused"], undated["answer"]
        assert undated["citations"] and all(c["dates"] == [] for c in undated["citations"])  # never guessed


def test_the_source_card_shows_the_resolved_day():
    from chatbot.schemas import Citation

    quote = "Hier, les dockers ont cessé le travail."
    citation = Citation(n=1, doc_id="d", title="t", start=0, end=len(quote), quote=quote,
                        dates=resolve(quote, TUESDAY, "fr"))
    assert "« Hier » = <time datetime=\"2017-03-13\">2017-03-13</time>" in dates_line(citation, "fr")
    assert dates_line(citation.model_copy(update={"dates": []}), "en") == ""
