"""Proper names as a question writes them: the shape both retrieval and answering rely on.

A name is a run of capitalised words joined by particles ("Fayez al-Serraj", "Gouvernement
d'Union"). A question's first word is capitalised anyway, function words ("Quand", "The"), titles
("le Premier ministre", "President"), months and weekdays ("in February") are not names.
Retrieval uses this to make sure a question that names someone sees a passage naming them
(``chatbot.retrieval.named``); answering uses it to check that the quoted article names what the
question names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chatbot.text import months
from chatbot.text.entities import honorifics
from chatbot.text.words import fold, function_words

# the small words inside names ("Fayez al-Serraj", "Gouvernement d'union", "Bank of England"): a name
# is matched by its other words
PARTICLES = frozenset({"al", "el", "de", "du", "la", "le", "of", "the", "d", "l", "des", "ibn", "ben", "bin"})


def identifying_words(name: str) -> list[str]:
    """The folded words of ``name`` that identify it: its particles left out, unless it is only those."""
    words = re.findall(r"\w+", fold(name))
    return [w for w in words if w not in PARTICLES] or words


# an acronym: two to six capitals ("LNA", "OTAN", "UNICEF")
ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")


def acronym_letters(word: str) -> str | None:
    """The letters of an acronym, sorted ("LNA" and "ANL": "ALN"): French and English order a body's
    initials differently; None for a word that is no acronym."""
    return "".join(sorted(word)) if ACRONYM.fullmatch(word) else None


def initials(name: str) -> str | None:
    """The initials of a name of three capitalised words or more, sorted ("Government of National
    Accord": "AGN"): its acronym in either language has these letters in some order ("GNA" in a
    French text; "ANL" for "Libyan National Army"). Two-word names are left out: "KH" or "FS" would
    stand for too many people. Compared with ``acronym_letters`` of a text's acronyms."""
    capitals = [w[0] for w in re.findall(r"[\w'’-]+", name) if w[:1].isupper()]
    return "".join(sorted(capitals)) if len(capitals) >= 3 else None


NAME = re.compile(r"\b[A-ZÀ-Ý][\w'’-]*(?:\s+(?:of\s+|de\s+|du\s+|d'|al-|el-)?[A-ZÀ-Ý][\w'’-]*)*")


@lru_cache(maxsize=1)
def folded_function_words() -> frozenset[str]:
    """French and English function words, accent-folded (a capitalised "Quand" or "The" is no name)."""
    return frozenset(fold(w) for w in function_words("fr") | function_words("en"))


@lru_cache(maxsize=1)
def calendar_words() -> frozenset[str]:
    """Month names (and their abbreviations) and weekdays of both languages, folded: "in February",
    "on Monday" name a time, which the checks of days and months read, not something an article must
    name. "May" is left out: as often Theresa May as the month."""
    return frozenset({*months.with_abbreviations(), *months.weekdays()} - {"may"})


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    """Titles and ranks of both languages, accent-folded (``text/data/honorifics_*.txt``)."""
    return honorifics("fr") | honorifics("en")


def names_in(question: str, *, topic: bool = False) -> list[str]:
    """Proper names the question relies on (capitalised words past the first, and acronyms). An
    acronym the question gives in parentheses after a name ("la Mission d'appui des Nations unies
    en Libye (MANUL)") is that name again, in the question's language: the name's own words are
    looked for, the acronym is not (an English article writes "UNSMIL"). A ``topic`` ("Netanyahu",
    "Khalifa Haftar", the subject of a brief or a timeline) opens with no question word: its first
    word counts too."""
    body = question.strip()
    if not topic:
        body = re.sub(r"^\W*\w+", "", body, count=1)  # the first word is capitalised anyway
    names: list[str] = []
    for match in NAME.finditer(body):
        if names and ACRONYM.fullmatch(match.group(0)) and re.search(r"\(\s*$", body[:match.start()]) \
                and re.match(r"\s*\)", body[match.end():]):
            continue
        phrase = re.sub(r"['’]s\b", "", match.group(0))  # possessive: "France's"
        words = [w for w in re.findall(r"[\w-]+", phrase) if fold(w) not in folded_function_words() and len(w) > 1]
        # a title is no name: French capitalises "le Premier ministre", which English writes "prime
        # minister"; the name it comes with ("Président Macron") is kept
        words = [w for w in words if fold(w) not in titles()]
        if words and not all(fold(w) in calendar_words() for w in words):
            names.append(" ".join(words))
    return names
