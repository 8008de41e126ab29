"""The day a sentence says its event happened, so a timeline is ordered by events, not by reports.

A report of 14 March saying "BDB's advance on Es Sider and Ras Lanuf on March 3" or "nine people
were killed in fighting on Friday" tells of the 3rd and the 10th; ordered by publication day, both
would sit on the 14th. The first day the sentence names decides:

* a day written with its month ("March 3", "le 18 mars 2015", ``days.written_days``): the year
  written after it, else the year that puts the day nearest the publication day (a "December 20"
  in a January report is the December before);
* a relative expression naming one day ("hier", "on Friday"), resolved against the publication
  day as a citation's are (``relative_dates``).

Expressions naming a week, a month or a year ("last week", "l'an dernier") name no day: the
sentence keeps its article's day, as does any sentence of an article without a full date.

The same day serves answers: a question on the latest state reads the sentences as good as the
best newest first (``newest_first``), a figure is dated by it (``figures``), and a short answer
naming a day the reader must work out is written in full (``spelled_day``: "mardi 14 mars 2017"
for "Tuesday").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from chatbot.answering.days import written_days
from chatbot.answering.relative_dates import resolve
from chatbot.schemas import Passage
from chatbot.text.months import article_day, spell_day


@dataclass(frozen=True)
class EventDay:
    date: str  # ISO day
    text: str  # the words of the sentence that name it


def _nearest(month: int, day: int, published: dt.date) -> dt.date | None:
    """The date of ``month``/``day`` in the year around ``published`` that lies nearest to it."""
    found = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            found.append(dt.date(year, month, day))
        except ValueError:  # 29 February of another year, 31 April
            continue
    return min(found, key=lambda d: abs((d - published).days), default=None)


def event_day(sentence: str, published: str | None, lang: str = "und") -> EventDay | None:
    """The day ``sentence`` (of an article published on ``published``) names first, or None."""
    day = article_day(published)
    if day is None:
        return None
    found: list[tuple[int, EventDay]] = []
    for written in written_days(sentence):
        try:
            when = dt.date(written.year, written.month, written.day) if written.year else \
                _nearest(written.month, written.day, day)
        except ValueError:  # "February 30, 2017"
            when = None
        if when is not None:
            found.append((written.start, EventDay(when.isoformat(), sentence[written.start:written.end])))
            break
    for relative in resolve(sentence, day.isoformat(), lang):
        if relative.precision == "day":
            found.append((relative.start, EventDay(relative.date, relative.text)))
            break
    return min(found, key=lambda pair: pair[0])[1] if found else None


class _Scored(Protocol):
    passage: Passage
    text: str
    score: float


S = TypeVar("S", bound=_Scored)


def sentence_day(text: str, passage: Passage) -> str | None:
    """The ISO day ``text`` (a sentence of ``passage``) tells of: the day it names, else its
    article's publication day; None for a sentence of an undated article."""
    named = event_day(text, passage.date, passage.lang or "und")
    if named is not None:
        return named.date
    day = article_day(passage.date)
    return day.isoformat() if day else None


def newest_first(ranked: Sequence[S], margin: float) -> list[S]:
    """``ranked`` (best first) with the sentences scoring within ``margin`` of the best ordered by
    the day they tell of, newest first (undated last; equal days keep their order): for a question
    on the latest state, "climbed to 113 on Wednesday" comes before "72 dead on Tuesday" of the same
    report, and a report of the 20th before one of the 14th. Relevance still decides which
    sentences are in the band."""
    if len(ranked) < 2:
        return list(ranked)
    head = [c for c in ranked if c.score >= ranked[0].score - margin]
    rest = [c for c in ranked if c.score < ranked[0].score - margin]
    days = {id(c): sentence_day(c.text, c.passage) for c in head}
    head.sort(key=lambda c: (days[id(c)] is not None, days[id(c)] or ""), reverse=True)
    return head + rest


def spelled_day(span: str, quote: str, offset: int, passage: Passage, reader_lang: str) -> str | None:
    """The day a short answer names (``span``, at ``offset`` in ``quote`` of ``passage``) written in
    full for the reader when the span leaves it to be worked out: a weekday or "hier" resolved as
    the quote's dates are ("Tuesday" in a report of Thursday 16 March 2017 -> "Tuesday 14 March
    2017"), a day without its year ("March 3") given its year; None for a span naming no day or
    naming it in full ("3 March 2017")."""
    for found in resolve(quote, passage.date, passage.lang or "und"):
        if found.precision == "day" and found.start < offset + len(span) and offset < found.end:
            return spell_day(dt.date.fromisoformat(found.date), reader_lang)
    written = written_days(span)
    if written and not written[0].year:
        named = event_day(span, passage.date, passage.lang or "und")
        return spell_day(dt.date.fromisoformat(named.date), reader_lang) if named else None
    return None
