"""Figures written in words, from one list of both languages (``data/number_words.toml``).

The checks that a sentence gives the figure a question asks for (``answering.question``,
``answering.specificity``) and the reader of counted nouns all take their number words from here,
so a word added holds everywhere. "un", "une" and "one" are kept apart: they count only where a
word is known to qualify a counted noun.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from chatbot.text.nlp import NlpUnavailable, parse

DATA = Path(__file__).parent / "data" / "number_words.toml"
# a year of news (1800-2099) written in digits, not part of a longer number, a decimal or a date
YEAR = re.compile(r"(?<![\d.,/-])(1[89]\d\d|20\d\d)(?![\d.,/-]?\d)")


@lru_cache(maxsize=1)
def _table() -> dict[str, list[str]]:
    return tomllib.loads(DATA.read_text("utf-8"))


def alternation(with_one: bool = False, vague: bool = False) -> str:
    """The number words as a regular-expression alternation (plural forms as ``s?``); ``vague``:
    with the crowds ("thousands", "des milliers")."""
    table = _table()
    return "|".join([*(table["one"] if with_one else []), *table["words"], *(table["vague"] if vague else [])])


@lru_cache(maxsize=2)
def figure(with_one: bool = False) -> re.Pattern[str]:
    """A digit, or a whole number word (case-insensitive); ``with_one``: "un", "une", "one" too."""
    return re.compile(rf"\d|\b(?:{alternation(with_one)})\b", re.I)


@lru_cache(maxsize=1)
def number_word() -> re.Pattern[str]:
    """A whole number word other than "un", "une", "one", or a crowd ("thousands"): a sentence that
    speaks in figures (digits are read apart)."""
    return re.compile(rf"\b(?:{alternation(vague=True)})\b", re.I)


def currency_words() -> str:
    """The currency words as a regular-expression alternation ("dollars?", "euros?")."""
    return "|".join(_table()["currencies"])


@lru_cache(maxsize=1)
def money() -> re.Pattern[str]:
    """A sum of money: a currency sign before a figure, or a figure (with its magnitude) before a
    currency word ("$16.2m", "71 dollars", "2 milliards d'euros")."""
    currencies = currency_words()
    return re.compile(r"[$€£]\s?\d[\d.,]*(?:\s?(?:k|m|bn|million|billion|milliards?))?"
                      rf"|\d[\d.,]*\s*(?:k|m|bn|million|billion|milliards?|millions?)?\s*(?:d['’]\s*)?"
                      rf"(?:{currencies})\b", re.I)


# a share, not a count: "30%", "30 percent", "30 per cent", "30 pour cent" (after the number)
PERCENT = r"(?:%|per\s*cent|pour\s*cent|percent)"
COUNT_GAP = 12  # words at most between what is counted and its number ("le nombre de morts de l'attentat contre le
# palais du gouverneur de Kandahar s'élève désormais à 27")
_WORD = r"[^\W\d_][\w'’-]*"
# "a number of", "a large number of", "un certain nombre de", "un grand nombre de": several, no count
_SEVERAL = re.compile(r"\b(?:a|an|un|une)\s+(?:(?:certain|grand|petit|large|small|great|growing|record)\s+)?$",
                      re.I)


@lru_cache(maxsize=1)
def _counted_before() -> tuple[re.Pattern[str], re.Pattern[str]]:
    table = _table()
    # the number: digits or a number word, not a year ("fell in 2016") nor a share ("rose by 30%")
    number = (rf"(?:(?!(?:1[89]|20)\d\d\b)\d+(?:[.,]\d+)*(?!\d)|\b(?:{alternation()})\b)"
              rf"(?!\s*{PERCENT})")
    gap = rf"(?:\s+(?:{_WORD}|\d+)[,;]?){{0,{COUNT_GAP}}}?\s+"
    of = re.compile(rf"\b(?:{'|'.join(table['heads_of'])})\s+(?:of|for|de|des|du|d['’])\s*"
                    rf"(?P<what>{_WORD}(?:\s+{_WORD})?){gap}{number}", re.I)
    after = re.compile(rf"\b(?P<what>{_WORD})\s+(?:{'|'.join(table['heads_after'])}){gap}{number}", re.I)
    return of, after


def counted_before(text: str) -> list[str]:
    """The words naming what a number of ``text`` counts when they come before it: "the official
    number of those arrested at 500" counts "those arrested", "le nombre de morts s'élève à 30"
    counts "morts", "the death toll has risen to 30" counts "death". The words are as written
    (function words included); callers compare them as they compare the words after a number."""
    found: list[str] = []
    for pattern in _counted_before():
        for match in pattern.finditer(text):
            if _SEVERAL.search(text[:match.start()]):
                continue  # "a number of people were killed when 3 bombs exploded": 3 counts bombs
            found += [w for w in re.findall(_WORD, match.group("what")) if w not in found]
    return found or _stated_far(text)


@lru_cache(maxsize=1)
def _heads() -> re.Pattern[str]:
    table = _table()
    return re.compile(rf"\b(?:{'|'.join([*table['heads_of'], *table['heads_after']])})\b", re.I)


def _stated_far(text: str) -> list[str]:
    """``counted_before`` read from the parse when the head noun and its number lie more than
    COUNT_GAP words apart: "The death toll from a massive landslide at Ethiopia's largest rubbish dump
    near the capital Addis Ababa climbed to 113" (16 words). The head must be the subject of the verb
    whose object ("reached 119") or whose preposition's object ("climbed to 113") is the number, so
    a number elsewhere in the sentence does not count; the words are the head's own modifiers
    ("death", "civilian") or what it is the number of. Parsed by the English pipeline, the language
    of ``heads_after``; only sentences holding a head word and a figure are parsed."""
    if not (_heads().search(text) and re.search(r"\d", text)):
        return []
    try:
        doc = parse(text, "en")
    except NlpUnavailable:
        return []
    table = _table()
    heads = {*table["heads_of"], *table["heads_after"]}
    found: list[str] = []
    for token in doc:
        if token.lower_ not in heads or not token.dep_.startswith("nsubj"):
            continue
        verb = token.head
        objects = [c for c in verb.children if c.dep_ in ("dobj", "attr")]
        objects += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "at") for g in c.children
                    if g.dep_ == "pobj"]
        if not any(o.like_num and not YEAR.fullmatch(o.text) for o in objects):
            continue
        if token.lower_ in table["heads_after"]:
            words = [c.text for c in token.lefts if c.dep_ in ("compound", "amod")]
        else:
            words = [w.text for c in token.rights if c.dep_ == "prep" and c.lower_ in ("of", "de")
                     for g in c.children if g.dep_ == "pobj" for w in g.subtree]
        found += [w for w in words if re.fullmatch(_WORD, w) and w not in found]
    return found
