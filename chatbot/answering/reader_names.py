"""A short answer read from an article in one language, named in the reader's language.

"Which countries support Haftar?" is answered from a French sentence by the span "égyptien,
saoudien et émirati": verbatim and verifiable, but French adjectives for an English reader. When
every item of the span is a place or body the bilingual lexicon knows (``lexicon.toml``'s
``[places]``), the reader's names for them come from ``place_names.toml``: "Egypt, Saudi Arabia and
the United Arab Emirates". The verbatim span stays the short answer's ``text`` with its offsets;
this rendering is only ever shown beside it. Anything else (a person, a number, a town the lexicon
does not know) has no rendering: names are not translated by guess. An item must be the place
itself, not something of it: "Banque centrale égyptienne" is not Egypt.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatbot.answering.lexicon import place_forms, place_key
from chatbot.text.words import fold

DATA = Path(__file__).with_name("place_names.toml")
_ARTICLES = {"le", "la", "les", "l", "the", "de", "du", "des", "d"}


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads(DATA.read_text("utf-8"))


def in_reader_language(items: list[str], reader_lang: str, article_lang: str) -> str | None:
    """The reader's names for ``items`` joined as a list, or None when the article is in the
    reader's language, or when any item is not a known place or body."""
    if not items or reader_lang == article_lang:
        return None
    names: list[str] = []
    for item in items:
        city = _city(item)
        if city is not None:
            name = city.get(reader_lang)
        else:
            key = place_key(item) if _only_place(item) else None
            name = _data()["places"].get(key, {}).get(reader_lang) if key else None
        if name is None:
            return None
        if name not in names:  # "Abou Dhabi" and "émirati" in one list name the same country
            names.append(name)
    if [fold(n) for n in names] == [fold(i) for i in items]:
        return None  # "Paris" is "Paris" in both languages: nothing to add
    join = _data()["joiners"].get(reader_lang, _data()["joiners"]["en"])
    if len(names) == 1:
        listed = names[0]
    else:
        listed = join["comma"].join(names[:-1]) + join["last"] + names[-1]
    return listed[:1].upper() + listed[1:]


def _only_place(item: str) -> bool:
    """Whether every word of ``item`` belongs to a form of its place (or is an article)."""
    folded = fold(item)
    patterns = place_forms(item) or ()
    covered = [False] * len(folded)
    for pattern in patterns:
        for match in pattern.finditer(folded):
            for i in range(match.start(), match.end()):
                covered[i] = True
    for word in re.finditer(r"\w+", folded):
        if word.group() not in _ARTICLES and not covered[word.start()]:
            return False
    return True


def _city(item: str) -> dict[str, Any] | None:
    """The ``[cities]`` entry ``item`` names ("Abou Dhabi"), articles aside, or None."""
    words = [w for w in re.findall(r"[\w']+", fold(item)) if w not in _ARTICLES]
    folded = " ".join(words)
    for city in _data()["cities"].values():
        if folded in city["forms"] or fold(item) in city["forms"]:
            return city
    return None
