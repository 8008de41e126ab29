"""A count of someone's soldiers is no answer about another country's: the nationality of what is
counted, when the question gives it.

"Combien de soldats américains sont déployés en Libye ?" was answered by "a few dozen armed staff
members of a Russian security firm": the noun check (``counted``) found soldiers in "armed staff
members", the topic check found Libya, and nothing looked at whose they were. When the question puts
a nationality or a country right beside its counted noun ("soldats américains", "American
soldiers", "US troops"), a sentence whose counts all name another country within a few words after
the number, and never the asked one, is left out. A count that names no country is kept: the
country may be said elsewhere in the sentence or the article.

Countries are the places of the bilingual lexicon (``lexicon.toml``), so "américains", "American",
"US" and "Washington" are one, in both languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatbot.answering.lexicon import place_key
from chatbot.answering.question import number_token
from chatbot.text.numbers import YEAR
from chatbot.text.words import fold

WINDOW = 8  # words after a number that say what it counts: "a few dozen armed staff members of a Russian firm"
_WORD = re.compile(r"[^\W\d_][\w’'-]*(?:\.[^\W\d_][\w’'-]*)*\.?|\d+(?:[.,]\d+)*")  # "U.S." is one word


def asked_origin(question: str, forms: Sequence[str]) -> str | None:
    """The lexicon's key of the country written right before or after the counted noun."""
    words = [m.group(0) for m in _WORD.finditer(question)]
    folded = [fold(w) for w in words]
    for form in forms:
        head = fold(form.split()[0]) if form.strip() else ""
        for i, word in enumerate(folded):
            if word != head:
                continue
            size = len(form.split())
            for j in (i - 1, i + size):
                if 0 <= j < len(words) and not words[j][0].isdigit():
                    key = place_key(words[j])
                    if key is not None:
                        return key
    return None


def counts_of_origin(text: str, origin: str) -> bool:
    """False when every count of ``text`` names a country within WINDOW words and none names
    ``origin``; True when one names ``origin``, one names none, or the text counts nothing."""
    words = [m.group(0) for m in _WORD.finditer(text)]
    counts = unnamed = 0
    for i, word in enumerate(words):
        if YEAR.fullmatch(word) or not (word[0].isdigit() or number_token(word)):
            continue
        counts += 1
        keys = {key for w in words[i + 1:i + 1 + WINDOW] if not w[0].isdigit() for key in [place_key(w)] if key}
        if origin in keys:
            return True
        unnamed += not keys
    return not counts or unnamed > 0
