"""A question about when something *will* happen is answered by a sentence about what lies ahead.

"When will Russia open its military base in Egypt?" met "Russia had used another Egyptian base
farther east in early February": the right names, a date, and a past deed. When a question asks for
the time of a future event, the cited sentence must place something after its article's day:

* a future form: English "will", "is to", "plans to", "scheduled", "next"...; French future tense
  (spaCy's morphology, or a verb ending of the future simple: "se réunira", "accueilleront"), "doit",
  "prévu", "prochain";
* or a date after the article's: a written month and day ("On Friday, February 24" in an article
  of February 20), or a relative one resolved against the article's date ("next week", "demain").

The question's future is read the same way ("will", "is going to"; a French verb in the future).
A question about the past, or not about a time, is not checked.

The same holds backwards for a role held *before* another ("What post did X hold before becoming
commissioner?", "Quel poste occupait X avant de devenir ..."): a sentence giving X's present title
does not answer it; the sentence must speak of an earlier time ("previously", "former", "served
as", "ancien", "auparavant", "jusqu'en", or a year before its article's).
"""

from __future__ import annotations

import datetime as dt
import re

from chatbot.answering.relative_dates import resolve
from chatbot.answering.weekday_tense import french_future
from chatbot.text import months
from chatbot.text.months import article_day
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold

_FUTURE_EN = re.compile(r"\b(?:will|shall|won't|'ll|(?:is|are|was|were) (?:going |due |set |expected |scheduled )?"
                        r"to (?:be )?\w+|plans?|planned|planning|scheduled|expected|upcoming|forthcoming|next|"
                        r"tomorrow|later this (?:week|month|year)|intends?|aims? to)\b", re.I)
_FUTURE_FR = re.compile(r"\b(?:prochaine?s?|prevue?s?|doi(?:t|vent)|devr\w+|vont|va \w+er|demain|a venir|"
                        r"entend|envisag\w+|compte \w+er|projet\w*)\b")
_QUESTION_FUTURE_EN = re.compile(r"\b(?:will|shall|(?:is|are) (?:going|due|set|expected|scheduled) to)\b", re.I)
_QUESTION_EARLIER = re.compile(r"\b(?:before (?:becoming|joining|taking|being|he|she)|previously|formerly|prior to|"
                               r"avant (?:de |d')\w+|auparavant|precedemment)\b")
_EARLIER = re.compile(r"\b(?:previous(?:ly)?|former(?:ly)?|ex-\w+|before|prior|served|used to|until|had been|"
                      r"ancien(?:ne)?s?|auparavant|precedemment|avant|jusqu|avait ete|etait|a ete|a occupe|occupait)\b")
MONTHS_AHEAD = 6  # a month name up to half a year after the article's is taken as ahead of it
_MONTHS = months.names()  # full month names of both languages, folded
_MONTH_NAMES = months.alternation(_MONTHS)
_WRITTEN = re.compile(rf"\b(?:({_MONTH_NAMES})\s+(\d{{1,2}})\b|(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\b|"
                      rf"(?:mid-|mi-|early |late |debut |fin )?({_MONTH_NAMES})\b)(?:,?\s+(\d{{4}})\b)?")


def _future_verb(text: str, lang: str) -> bool:
    try:
        doc = parse(text, lang)
    except NlpUnavailable:
        return False
    return any(french_future(t) for t in doc)


def asks_future(question: str, lang: str) -> bool:
    """Whether ``question`` asks about something still to come."""
    if lang.startswith("fr"):
        return _future_verb(question, "fr")
    return bool(_QUESTION_FUTURE_EN.search(question))


def _later_written_date(folded: str, day: dt.date) -> bool:
    for m in _WRITTEN.finditer(folded):
        month = _MONTHS[m.group(1) or m.group(4) or m.group(5)]
        number = m.group(2) or m.group(3)
        if m.group(6):  # "March 2016": the year says it
            if (int(m.group(6)), month, int(number or 0)) > (day.year, day.month, day.day if number else 0):
                return True
            continue
        ahead = (month - day.month) % 12  # "December" in a March article is last December
        if 0 < ahead <= MONTHS_AHEAD or (month == day.month and number and int(number) > day.day):
            return True
    return False


def speaks_of_future(sentence: str, lang: str, published: str | None) -> bool:
    """Whether ``sentence`` (of an article dated ``published``) places something after that day."""
    folded = fold(sentence)
    if _FUTURE_EN.search(sentence) or _FUTURE_FR.search(folded):
        return True
    day = article_day(published)
    if day is not None:
        if _later_written_date(folded, day):
            return True
        iso = day.isoformat()
        if any(r.date > iso for r in resolve(sentence, iso, lang)):
            return True
    return lang.startswith("fr") and _future_verb(sentence, "fr")


def asks_earlier(question: str) -> bool:
    """Whether ``question`` asks about what someone was or did before another role or time."""
    return bool(_QUESTION_EARLIER.search(fold(question)))


def speaks_of_earlier(sentence: str, published: str | None) -> bool:
    """Whether ``sentence`` speaks of an earlier time than its article's (see the module doc)."""
    folded = fold(sentence)
    if _EARLIER.search(folded):
        return True
    day = article_day(published)
    return day is not None and any(int(y) < day.year for y in re.findall(r"\b(?:19|20)\d\d\b", folded))
