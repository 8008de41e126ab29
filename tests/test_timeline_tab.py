"""The Timeline tab's rendering: events oldest first as given, wire copies named, article text escaped,
the service's message when a filter matches nothing, and a malformed date naming its field."""

from __future__ import annotations

import pytest

from chatbot.answering.timeline import Event, Timeline
from chatbot.schemas import Citation
from chatbot.web.filters_panel import BadFilter, read_filters
from chatbot.web.timeline_tab import timeline_html


def event(n: int, date: str, quote: str, source: str, also_in: list | None = None) -> Event:
    citation = Citation(n=n, doc_id=f"d{n}", title=f"<b>Title {n}</b>", source=source, date=date, start=0,
                        end=len(quote), quote=quote, also_in=also_in or [])
    return Event(date=date, quote=quote, citation=citation)


def test_events_show_date_outlet_quote_title_and_copies():
    timeline = Timeline(query="q", events=[
        event(1, "2017-03-03", "Floods hit <Derna>.", "libyaherald.com",
              [{"doc_id": "c", "source": "reuters.com", "date": "2017-03-04"}]),
        event(2, "2017-03-05", "The toll rose.", "alwasat.ly"),
    ])
    html = timeline_html(timeline, "en")
    assert html.index("2017-03-03") < html.index("2017-03-05")
    assert "Also reported by: reuters.com (2017-03-04)" in html
    assert "Repris aussi par : reuters.com (2017-03-04)" in timeline_html(timeline, "fr")
    assert "&lt;Derna&gt;" in html and "&lt;b&gt;Title 1&lt;/b&gt;" in html and "<Derna>" not in html
    assert html.count('class="cb-also"') == 1


def test_an_event_dated_by_its_quote_shows_the_words_and_its_publication_date():
    told = event(1, "2017-03-14", "BDB's advance on March 3 set off fighting.", "aljazeera.com")
    told.date, told.reported, told.dated_by = "2017-03-03", "2017-03-14", "March 3"
    html = timeline_html(Timeline(query="q", events=[told]), "en")
    assert 'data-date="2017-03-03"' in html
    assert "2017-03-03 <span class=\"cb-dated-by\">(date from the quote: “March 3”)</span>" in html
    assert "published 2017-03-14 · aljazeera.com" in html
    assert "(date tirée de la citation : « March 3 »)" in timeline_html(Timeline(query="q", events=[told]), "fr")
    plain = timeline_html(Timeline(query="q", events=[event(2, "2017-03-05", "The toll rose.", "alwasat.ly")]), "en")
    assert "cb-dated-by" not in plain and "cb-ahead" not in plain
    due = event(3, "2017-03-07", "The ban is due to take effect on March 16.", "capital.example")
    due.date, due.reported, due.dated_by, due.ahead = "2017-03-16", "2017-03-07", "March 16", True
    assert "(date from the quote: “March 16”)</span> <span class=\"cb-ahead\">still to come when published</span>" in \
        timeline_html(Timeline(query="q", events=[due]), "en")
    assert "encore à venir à la publication" in timeline_html(Timeline(query="q", events=[due]), "fr")


def test_no_events_show_the_service_message_or_say_nothing_is_dated():
    assert "no article matches the filter (from bbc)" in timeline_html(
        Timeline(query="q", events=[], message="no article matches the filter (from bbc)"), "en")
    assert "Aucun passage daté" in timeline_html(Timeline(query="q", events=[]), "fr")


def test_filter_fields_are_read_like_the_api_and_a_bad_one_is_named():
    assert read_filters("", " ", [], "en") is None
    filters = read_filters("2017/3/4", "", ["alwasat.ly"], "en")
    assert filters is not None and filters.since == "2017-03-04" and filters.sources == ("alwasat.ly",)
    with pytest.raises(BadFilter, match="Published until"):
        read_filters("", "someday", [], "en")
    with pytest.raises(BadFilter, match="« Publié jusqu'au »"):
        read_filters("2017-03-05", "2017-03-01", [], "fr")


def test_a_name_no_article_writes_is_said_in_the_page_language():
    timeline = Timeline(query="Jacinda Ardern", events=[], unmentioned=["Jacinda <Ardern>"],
                        message="no article found for this timeline mentions “Jacinda <Ardern>”")
    assert "Aucun des articles trouvés ne mentionne « Jacinda &lt;Ardern&gt; »" in timeline_html(timeline, "fr")
    assert "No article found mentions “Jacinda &lt;Ardern&gt;”" in timeline_html(timeline, "en")
