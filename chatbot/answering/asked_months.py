"""A month the question names is the month of the figure or deed it asks about.

"How many civilians were killed in December?" meets "as many as 64 civilians likely killed in
February, down from as many as 227 killed in January": the right story and a count, for other
months. A day with its month ("le 30 janvier") is checked by ``days``; a month named alone ("in
February", "en janvier", "mid-December") is checked here the same way: when the cited sentence names
months of its own and none is one the question names, it speaks of another time. A sentence naming
no month is left to the other checks (its time may be its article's), and a question asking about a
span ("between January and March") is not checked.

English "may" is a month only before a day or a year ("May 3", "May 2016"): otherwise the verb.
"""

from __future__ import annotations

import re

from chatbot.answering.days import days_in
from chatbot.text import months
from chatbot.text.words import fold

_NAMES = months.names()  # full month names of both languages, folded
_MONTH = re.compile(rf"\b({months.alternation(_NAMES)})\b")
_SPAN = re.compile(r"\b(?:between|from|since|until|entre|depuis|jusqu)\b")


def _named(folded: str) -> set[int]:
    """The months an accent-folded text names by their full name ("may" the verb left out)."""
    return {_NAMES[m.group(1)] for m in _MONTH.finditer(folded)
            if m.group(1) != "may" or re.match(r"\s+\d", folded[m.end():])}


def months_in(text: str) -> set[int]:
    """The months ``text`` names (with a day too: "Jan. 30" is in January)."""
    return _named(fold(text)) | {month for month, _ in days_in(text)}


def asked_months(question: str) -> set[int]:
    """The months the question names alone (not as a day's, which ``days`` checks), unless it asks
    about a span of time."""
    folded = fold(question)
    if _SPAN.search(folded):
        return set()
    return _named(folded) - {month for month, _ in days_in(question)}


def holds_months(asked: set[int], sentence: str) -> bool:
    """Whether ``sentence`` is about one of the ``asked`` months, or names no month of its own."""
    own = months_in(sentence)
    return not own or bool(own & asked)
