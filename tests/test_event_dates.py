"""The day a sentence says its event happened: a written day (with or without its year), else a
relative day resolved against the article's date, whichever the sentence names first."""

from __future__ import annotations

from chatbot.answering.days import days_in, written_days
from chatbot.answering.event_dates import event_day

TUESDAY = "2017-03-14"  # a Tuesday


def day(sentence: str, published: str | None = TUESDAY, lang: str = "en") -> tuple[str, str] | None:
    found = event_day(sentence, published, lang)
    return (found.date, found.text) if found else None


def test_a_written_day_takes_the_year_nearest_the_report():
    assert day("BDB's advance on Es Sider and Ras Lanuf on March 3 set off a fresh round of fighting.") == \
        ("2017-03-03", "March 3")
    assert day("Le Croissant-Rouge a retrouvé 74 corps le 21 février.", lang="fr") == ("2017-02-21", "21 février")
    assert day("It was first reported on Feb. 3.") == ("2017-02-03", "Feb. 3")
    # a December day in a January report is the December before; a January day in a December report the next
    assert day("Talks began on December 20.", "2017-01-10") == ("2016-12-20", "December 20")
    assert day("The summit opens on 5 January.", "2016-12-28") == ("2017-01-05", "5 January")


def test_a_year_written_after_the_day_is_its_year():
    assert day("The refugee deal was signed at the Turkey-EU summit on March 18, 2015.") == \
        ("2015-03-18", "March 18, 2015")
    assert day("L'accord a été signé le 18 mars 2015.", lang="fr") == ("2015-03-18", "18 mars 2015")
    assert day("It lapsed on February 30, 2017.") is None  # no such day


def test_a_relative_day_is_resolved_against_the_report_and_the_first_day_named_wins():
    assert day("At least nine people were killed in fighting on Friday.") == ("2017-03-10", "on Friday")
    assert day("Hier, le bilan s'est alourdi.", lang="fr") == ("2017-03-13", "Hier")
    # the suspect arrested on 18 February: the sentence names that day first
    assert day("A suspect, who was arrested on February 18, was released on Friday.") == ("2017-02-18", "February 18")
    assert day("Released on Friday, the suspect had been arrested on February 18.") == ("2017-03-10", "on Friday")


def test_no_day_named_or_no_article_day_leaves_the_event_undated():
    assert day("The fighting continued last week.") is None  # a week names no day
    assert day("Haftar's forces control the east of the country.") is None
    assert day("Nine people were killed on Friday.", None) is None
    assert day("Nine people were killed on Friday.", "2017-03") is None  # not a full day


def test_written_days_keep_their_place_and_days_in_reads_them():
    text = "From Jan. 28 to Jan. 29, 2017, and on 3 mars"
    found = written_days(text)
    assert [(text[w.start:w.end], w.month, w.day, w.year) for w in found] == [
        ("Jan. 28", 1, 28, None), ("Jan. 29, 2017", 1, 29, 2017), ("3 mars", 3, 3, None)]
    assert days_in(text) == {(1, 28), (1, 29), (3, 3)}
    assert written_days("Le 1er mars à Kaboul")[0].day == 1


def test_a_short_answer_naming_a_day_is_spelled_in_full_for_the_reader():
    from chatbot.answering.event_dates import spelled_day
    from chatbot.schemas import Passage

    def spelled(quote: str, span: str, date: str = "2017-03-16", reader: str = "en") -> str | None:
        passage = Passage(doc_id="d", title="", date=date, lang="en", chunk_id="d:0", start=0, end=len(quote),
                          text=quote)
        return spelled_day(span, quote, quote.index(span), passage, reader)

    quote = "Orders were issued early on Tuesday for the push on Ras Lanuf."
    assert spelled(quote, "Tuesday") == "Tuesday 14 March 2017"
    assert spelled(quote, "Tuesday", reader="fr") == "mardi 14 mars 2017"
    assert spelled("BDB's advance on Es Sider on March 3 set off the fighting.", "March 3", "2017-03-14") == \
        "Friday 3 March 2017"
    assert spelled("The summit was held on 3 March 2017 in Rome.", "3 March 2017") is None  # already in full
    assert spelled("The ministers met in Rome.", "Rome") is None
