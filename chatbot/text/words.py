"""Words: accent folding, elision splitting, function words and Snowball stems, per language.

The one tokeniser of the package: the lexical index, the answerers and the question analysis all
see the same words, so a stem matched at indexing time is the stem matched at question time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

STEMMERS = {"fr": "french", "en": "english", "de": "german", "es": "spanish", "it": "italian",
            "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norwegian",
            "ru": "russian", "tr": "turkish"}
_STOPWORD_SETS = {"fr": "STOPWORDS_FRENCH", "en": "STOPWORDS_EN_PLUS", "de": "STOPWORDS_GERMAN",
                  "es": "STOPWORDS_SPANISH", "it": "STOPWORDS_ITALIAN", "pt": "STOPWORDS_PORTUGUESE",
                  "nl": "STOPWORDS_DUTCH", "sv": "STOPWORDS_SWEDISH", "da": "STOPWORDS_DANISH",
                  "no": "STOPWORDS_NORWEGIAN", "ru": "STOPWORDS_RUSSIAN", "tr": "STOPWORDS_TURKISH"}
DATA = Path(__file__).parent / "data"
_WORD = re.compile(r"\w+", re.UNICODE)
_ELISION = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.I)


# the combining accents of Latin script, as NFD writes them apart ("é" -> "e" + U+0301): removed by one
# regular expression, about twice as fast as testing every character's category. Every other
# combining mark (category Mn) lies at U+0483 or above; only a text holding such characters (curly
# quotes too) is read character by character, so the result is the same as removing every Mn.
_ACCENTS = re.compile("[\u0300-\u036f]+")
_FIRST_OTHER_MARK = "\u0483"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character lower-cased without its accent, apostrophes made straight: one character
    out for one in, so offsets in the folded text are offsets in the original."""
    if ch in "’`´":
        return "'"
    base = unicodedata.normalize("NFD", ch.lower())[:1]
    return base if len(base) == 1 else ch


def fold_same_length(text: str) -> str:
    """``text`` folded character by character (see ``_fold_char``): offsets stay those of ``text``."""
    if text.isascii():  # most English text: lower case is all there is to do (and keeps the length)
        return text.lower().replace("`", "'")
    return "".join(_fold_char(c) for c in text)


def squeeze(text: str) -> str:
    """``text`` with each run of white space one space, trimmed: a quote compared across articles
    whatever their line breaks."""
    return re.sub(r"\s+", " ", text).strip()


def fold(word: str) -> str:
    """Lower case without accents (é -> e, œ -> oe)."""
    if word.isascii():  # most English text: nothing to decompose (100 times faster on a passage)
        return word.lower()
    word = word.lower().replace("œ", "oe").replace("æ", "ae")
    folded = _ACCENTS.sub("", unicodedata.normalize("NFD", word))
    if folded.isascii() or max(folded) < _FIRST_OTHER_MARK:
        return folded
    return "".join(c for c in folded if c < _FIRST_OTHER_MARK or unicodedata.category(c) != "Mn")


def word_file(name: str) -> frozenset[str]:
    """Words (or phrases) of a file under text/data/, lower case: one a line, ``#`` starts a comment."""
    path = DATA / name
    if not path.is_file():
        return frozenset()
    lines = (line.split("#", 1)[0].strip().lower() for line in path.read_text("utf-8").splitlines())
    return frozenset(line for line in lines if line)


@lru_cache(maxsize=32)
def function_words(lang: str) -> frozenset[str]:
    """The one function-word list of ``lang`` (lower case, accents kept): bm25s's stop words plus
    ``text/data/function_words_{lang}.txt``. Tokenising, language guessing, follow-up detection
    and name spotting all use it."""
    from bm25s import stopwords

    words = getattr(stopwords, _STOPWORD_SETS.get(lang, ""), ())
    return frozenset(w.lower() for w in words) | word_file(f"function_words_{lang}.txt")


@lru_cache(maxsize=1)
def frame_words() -> frozenset[str]:
    """Words that frame a question (``date``, ``lieu``, ``time``...), French and English."""
    return word_file("frame_words.txt")


@lru_cache(maxsize=32)
def stop_words(lang: str) -> frozenset[str]:
    """``function_words(lang)`` accent-folded, as tokens are compared; empty for an unknown language."""
    return frozenset(fold(w) for w in function_words(lang))


@lru_cache(maxsize=32)
def _stemmer(lang: str):  # noqa: ANN202 - PyStemmer has no type stubs
    import Stemmer

    name = STEMMERS.get(lang)
    return Stemmer.Stemmer(name) if name else None


def prose_language(text: str, declared: str, other: str) -> str:
    """``other`` when the text's running prose is made of its function words, else ``declared``.

    Statistical identifiers read technical text (commands, paths, option names, English product
    names) as English even when the sentences around it are French; function words ("le", "des",
    "pour" against "the", "of", "for") are what those sentences are made of. ``other`` wins only
    with clear evidence: at least 5 of its function words and more than twice as many as
    ``declared`` has.
    """
    words = [fold(w) for w in _WORD.findall(text.lower())]
    theirs = sum(w in stop_words(other) for w in words)
    ours = sum(w in stop_words(declared) for w in words)
    return other if theirs >= 5 and theirs > 2 * ours else declared


def tokenize(text: str, lang: str, also_stop: frozenset[str] = frozenset()) -> list[str]:
    """Content-word stems of ``text`` as the index of language ``lang`` holds them.

    ``also_stop``: more words (accent-folded) to drop, e.g. the function words of the language a
    query is written in when it is tokenised for another language's documents.
    """
    words = [w.lower() for w in _WORD.findall(_ELISION.sub(" ", text))]
    stop = stop_words(lang)
    words = [w for w in words
             if (f := fold(w)) not in stop and f not in also_stop and (len(w) > 1 or w.isdigit())]
    stemmer = _stemmer(lang)
    stems = stemmer.stemWords(words) if stemmer else words
    return [fold(s) for s in stems]
