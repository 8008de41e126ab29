"""Across languages, a count answers "how many X" only when what it counts means X.

In the question's language the counted noun is checked by its spelling (``question._counts``:
"combien de soldats" needs a number followed by "soldats"). Across languages the spelling says
nothing ("barils"/"barrels"), and any number used to stand for the noun, so "Combien d'enfants les
garde-côtes ont-ils secourus ?" was answered by "roughly 970 migrants", and "Combien de soldats
ont été tués ?" by "One killed in knife attack". Here the words just after each number of the
sentence are compared with the counted noun by the encoder's meaning: a word and its translation
are close, two different nouns of the same field are not.

The words are encoded alone, as queries, and kept in a small cache (a question's candidates share
most of their numbers' nouns, and questions come back). The comparison runs only on sentences in
another language than the question, and only for a "how many" of things. A noun that counts people
without saying which ("personnes", "people": ``lexicon.toml``, ``[units] people``) is met by any
count, as before: "Combien de personnes ont été secourues ?" is answered by "970 migrants".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

import numpy as np

from chatbot.answering.lexicon import people_words
from chatbot.answering.question import number_token
from chatbot.encoder.base import Embedder
from chatbot.encoder.vector_cache import VectorCache
from chatbot.text.numbers import counted_before
from chatbot.text.words import fold, function_words

# Cosine of two single words encoded as queries (EmbeddingGemma), measured on French/English pairs
# of the tuning questions' nouns: a noun and its translation scored 0.67 (barils/barrels) to 0.93
# (véhicules/vehicles); a noun and another noun of the same field at most 0.60 (enfants/people,
# véhicules/boats). The threshold sits between the two.
COUNTED_SIMILARITY = 0.63
WORDS_AFTER = 3  # "970 migrants", "650,000 barrels per day", "1,500 of the migrants": within 3 words
CHECKED_AT_ONCE = 6  # sentences whose words are asked of the encoder at once (each word its own run)
_CACHE_SIZE = 4096
_NUMBER = re.compile(r"^(?:\d[\d.,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                     r"thirty|hundreds?|thousands?|millions?|billions?|dozens?|un|une|deux|trois|quatre|cinq|"
                     r"sept|huit|neuf|dix|douze|vingt|trente|cent|mille|dizaines?|centaines?|milliers?|"
                     r"milliards?)$")
_WORD = re.compile(r"[^\W\d_][\w’'-]*|\d[\d.,]*")


class _Passage(Protocol):
    lang: str | None


class _Scored(Protocol):
    passage: _Passage
    text: str
    score: float


S = TypeVar("S", bound=_Scored)


def _is_number(word: str) -> bool:
    return bool(_NUMBER.match(fold(word)) or number_token(word))


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return frozenset(function_words("en") | function_words("fr"))


def _content(word: str) -> bool:
    """A word that may name what is counted (not a number, a function word or a symbol)."""
    return not (_is_number(word) or fold(word) in _function_words() or len(word) < 3 or not word[0].isalpha())


def counted_words(text: str) -> list[str]:
    """The content words (lower case) within ``WORDS_AFTER`` words after each number of ``text``,
    and those a count is stated of before its number ("the number of those arrested at 500")."""
    tokens = [t.lower() for t in _WORD.findall(text)]
    found: list[str] = [w for w in (w.lower() for w in counted_before(text)) if _content(w)]
    for i, token in enumerate(tokens):
        if not _is_number(token):
            continue
        for word in tokens[i + 1:i + 1 + WORDS_AFTER]:
            if _content(word) and word not in found:
                found.append(word)
    return found


def words_after(text: str) -> list[str]:
    """What a number counts, read from the text right after it: the content words among its next
    ``WORDS_AFTER`` words, up to another number ("35 injured in two attacks": "injured")."""
    found: list[str] = []
    for token in (t.lower() for t in _WORD.findall(text)[:WORDS_AFTER]):
        if _is_number(token):
            break
        if _content(token):
            found.append(token)
    return found


class CountedMeaning:
    """Compares a counted noun with the words numbers count, by meaning (shared across requests)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: VectorCache[str] = VectorCache(_CACHE_SIZE)

    def _vectors(self, words: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(words))
        return dict(zip(wanted, self._cache.vectors(wanted, wanted, self.embedder.embed_queries), strict=True))

    def counting(self, nouns: str | Sequence[str], texts: list[str]) -> list[bool]:
        """For each text, whether one of its numbers counts something that means one of ``nouns`` (a
        word, or a noun with its complement: "demandeurs d'asile" means "asylum" more than
        "demandeurs" means "seekers"; a noun with its type name, "hélicoptères Apache" for "three
        Apaches"); a noun counting people without saying which ("personnes", "people") is met by
        any count."""
        forms = [nouns] if isinstance(nouns, str) else list(nouns)
        return self._meaning(forms, texts, counted_words)

    def _meaning(self, forms: list[str], texts: list[str], read: Callable[[str], list[str]]) -> list[bool]:
        """For each text, whether a word ``read`` takes from it means one of ``forms`` (always,
        for a noun counting people without saying which)."""
        if any(fold(f.split()[0]) in people_words() for f in forms):
            return [True] * len(texts)
        words = [read(t) for t in texts]
        # each form alone: a batch's other texts move an int8 encoder's vectors by about 0.01
        asked = [self._vectors([f.lower()])[f.lower()] for f in forms]
        vectors = self._vectors(w for ws in words for w in ws)
        return [any(float(vectors[w] @ a) >= COUNTED_SIMILARITY for w in ws for a in asked) for ws in words]

    def counts_after(self, nouns: Sequence[str], text_after: str) -> bool:
        """Whether the number that ``text_after`` follows counts one of ``nouns`` (see ``counting``):
        of a sentence's numbers, the one to give as the short answer ("At least one person has been
        killed and 35 injured": 35 for "combien de blessés")."""
        return self._meaning(list(nouns), [text_after], words_after)[0]

    def keep(self, noun: str | Sequence[str], question_lang: str, ranked: list[S], margin: float) -> list[S]:
        """The ranked sentences that may answer "how many ``noun``": same-language ones as they are
        (their noun was checked by spelling), others when they count it. Checked best first, a few
        at a time (each word costs an encoding), and only down to ``margin`` below the best one kept:
        no sentence further down is ever quoted."""
        kept: list[S] = []
        for i in range(0, len(ranked), CHECKED_AT_ONCE):
            chunk = ranked[i:i + CHECKED_AT_ONCE]
            cross = [s for s in chunk if s.passage.lang not in (question_lang, "und")]
            ok = dict(zip(map(id, cross), self.counting(noun, [s.text for s in cross]), strict=True))
            kept += [s for s in chunk if ok.get(id(s), True)]
            rest = ranked[i + CHECKED_AT_ONCE:]
            if kept and (not rest or rest[0].score < kept[0].score - margin):
                return kept
        return kept
