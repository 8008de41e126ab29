"""Words: accent folding, elision splitting, stop words and Snowball stems, per language.

The one tokeniser of the package: the lexical index, the answerers and the question analysis all
see the same words, so a stem matched at indexing time is the stem matched at question time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STEMMERS = {"fr": "french", "en": "english", "de": "german", "es": "spanish", "it": "italian",
            "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norwegian",
            "ru": "russian", "tr": "turkish"}
_STOPWORD_SETS = {"fr": "STOPWORDS_FRENCH", "en": "STOPWORDS_EN_PLUS", "de": "STOPWORDS_GERMAN",
                  "es": "STOPWORDS_SPANISH", "it": "STOPWORDS_ITALIAN", "pt": "STOPWORDS_PORTUGUESE",
                  "nl": "STOPWORDS_DUTCH", "sv": "STOPWORDS_SWEDISH", "da": "STOPWORDS_DANISH",
                  "no": "STOPWORDS_NORWEGIAN", "ru": "STOPWORDS_RUSSIAN", "tr": "STOPWORDS_TURKISH"}
_WORD = re.compile(r"\w+", re.UNICODE)
_ELISION = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.I)


def fold(word: str) -> str:
    """Lower case without accents (é -> e, œ -> oe)."""
    word = word.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=32)
def _stopwords(lang: str) -> frozenset[str]:
    from bm25s import stopwords

    words = getattr(stopwords, _STOPWORD_SETS.get(lang, ""), ())
    return frozenset(fold(w) for w in words)


@lru_cache(maxsize=32)
def _stemmer(lang: str):  # noqa: ANN202 - PyStemmer has no type stubs
    import Stemmer

    name = STEMMERS.get(lang)
    return Stemmer.Stemmer(name) if name else None


def tokenize(text: str, lang: str) -> list[str]:
    """Content-word stems of ``text`` as the index of language ``lang`` holds them."""
    words = [w.lower() for w in _WORD.findall(_ELISION.sub(" ", text))]
    stop = _stopwords(lang)
    words = [w for w in words if fold(w) not in stop and (len(w) > 1 or w.isdigit())]
    stemmer = _stemmer(lang)
    stems = stemmer.stemWords(words) if stemmer else words
    return [fold(s) for s in stems]
