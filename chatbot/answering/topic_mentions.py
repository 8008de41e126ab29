"""Whether the articles found for a brief or a timeline write what its topic names.

"What do the articles say about Netanyahu?" or a timeline of "Macron" over articles that never name
them still finds the nearest passages, on other people; a brief or a timeline of those would answer
a question nobody asked. The topic's names (its first word included: a topic opens with no question
word) and its specific terms (``terms``) must be written by the passages found or their articles.

A topic is not a question: no search for a name's other-language forms precedes it. So a name
counts only when one of its words is written alike in French and English (``rarity.language_of``:
"Jacinda Ardern", "Netanyahu", "Union européenne" by "union"); one whose every word belongs to one
language ("Gouvernement d'union nationale", "Ligue arabe") may be written otherwise by the
articles ("Government of National Accord") and is not checked.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chatbot.answering.question import unknown_names
from chatbot.answering.terms import specific_terms, unknown_terms
from chatbot.text.names import names_in
from chatbot.text.rarity import language_of


@lru_cache(maxsize=256)
def _named(topic: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names = [name for name in names_in(topic, topic=True)
             if any(language_of(word.lower()) is None for word in re.findall(r"\w+", name))]
    return tuple(names), specific_terms(topic, topic=True)


def named_count(topic: str) -> int:
    """How many names and specific terms ``topic`` holds."""
    names, terms = _named(topic)
    return len(names) + len(terms)


def unmentioned(topic: str, text: str) -> list[str]:
    """The names and specific terms of ``topic`` that ``text`` never writes."""
    names, terms = _named(topic)
    return [*unknown_names(names, text), *unknown_terms(terms, text)]
