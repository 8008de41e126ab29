"""A day the question names is the day of the figure or deed it asks about.

"How many people were expelled on January 30?" meets "746 people held or processed from Jan. 28 to
Jan. 29": the right story and a count, for other days. A year is checked by ``specificity``; a day
written with its month ("le 30 janvier", "January 30", "Jan. 30", "30 Jan") is checked here: when
the cited sentence writes days of its own and none is one the question names, it speaks of other
days. A sentence writing no day is left to the other checks (its day may be its article's), and a
question asking about a span ("between January 1 and March 9") is not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.text import months
from chatbot.text.words import fold, fold_same_length

_FULL_NAMES = months.names()
_MONTHS = months.with_abbreviations()  # month names and abbreviations of both languages, folded
_NAMES = months.alternation(_MONTHS)
_DAY = re.compile(rf"\b(?:(\d{{1,2}})(?:er)?\s+({_NAMES})\b\.?|\b({_NAMES})\b\.?\s+(\d{{1,2}})(?!\d|[.,]\d))"
                  r"(?:,?\s+((?:19|20)\d\d)\b)?")
_SPAN = re.compile(r"\b(?:between|from|entre|du)\b.*\b(?:and|to|until|et|au)\b")


@dataclass(frozen=True)
class WrittenDay:
    """A day written with its month in a text ("March 3", "le 18 mars 2015"), at ``start:end``."""

    start: int
    end: int
    month: int
    day: int
    year: int | None  # only when written right after it


def written_days(text: str) -> list[WrittenDay]:
    """The days written with their month in ``text``, in reading order (offsets in ``text``)."""
    found = []
    for m in _DAY.finditer(fold_same_length(text)):
        number, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        day = int(number)
        if 1 <= day <= 31:
            year = int(m.group(5)) if m.group(5) else None
            end = m.end() - (text[m.end() - 1] == "." and month in _FULL_NAMES)  # "le 21 février." ends a sentence
            found.append(WrittenDay(m.start(), end, _MONTHS[month], day, year))
    return found


def days_in(text: str) -> set[tuple[int, int]]:
    """The (month, day) pairs written in ``text``."""
    return {(w.month, w.day) for w in written_days(text)}


def asked_days(question: str) -> set[tuple[int, int]]:
    """The days a question names, unless it asks about a span of days."""
    found = days_in(question)
    return set() if len(found) != 1 and _SPAN.search(fold(question)) else found


def holds_days(asked: set[tuple[int, int]], sentence: str) -> bool:
    """Whether ``sentence`` is about one of the ``asked`` days, or writes no day of its own."""
    own = days_in(sentence)
    return not own or bool(own & asked)
