"""The names and numbers a text states, compared across French and English.

Two checks rely on this: a translation of a quote must carry exactly the quote's names and numbers,
and a sentence written by a language model must not name anyone or anything its cited evidence does
not. Meaning vectors are blind to these details ("Soudan" and "saoudien" sit close together), so
they are compared as words:

* numbers: digit groups, with decimal commas and thousands spaces normalised ("1,5" = "1.5",
  "300 000" = "300000");
* names: capitalised words (acronyms, places, people, organisations). A sentence's first word counts
  only when it is clearly a name (an acronym, followed by another capitalised word, capitalised
  again later, or a country name), so "Several" or "Plusieurs" opening a sentence is not one.

Two names match when, accents folded, they are spelled alike (edit-distance ratio, or a common
prefix of four letters: "Libye"/"Libya", "égyptien"/"Egyptian"), are the same acronym in another
word order ("ANL"/"LNA", "ONU"/"UN"), or name the same country in French and English according to
pycountry's ISO 3166 names and their French translations ("Allemagne"/"Germany"), or are listed
as a pair in ``name_pairs.toml`` ("Ouest"/"West", "État"/"State").
"""

from __future__ import annotations

import gettext
import re
import tomllib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from chatbot.text.words import fold, tokenize

SPELLING_RATIO = 75  # rapidfuzz ratio (0-100) above which two folded words are the same name
SHORT_RATIO = 88  # words under five letters: "Arab"/"arabe", not "Iran"/"tirant"
COMMON_PREFIX = 4
PARTIAL_RATIO = 85  # "Chadian" within "tchadiennes"; only for words of five letters or more
MAX_COUNTRIES_PER_WORD = 2
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]\s+|\n|[\"«“(]\s*)$")
_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?")


def numbers(text: str) -> set[str]:
    """The numbers written in digits, normalised ("1,5" -> "1.5", "300 000" -> "300000")."""
    out = set()
    for match in _NUMBER.findall(text):
        value = re.sub(r"[ \u00a0\u202f]", "", match).replace(",", ".")
        out.add(value)
    return out


@lru_cache(maxsize=1)
def _country_words() -> dict[str, frozenset[str]]:
    """Folded words of country names (English and French) -> the countries they belong to; only
    words of at most two countries count ("Republic", "Sud", "United" identify none)."""
    import pycountry

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    owners: dict[str, set[str]] = defaultdict(set)
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", None) or country.name,
                 getattr(country, "official_name", None) or country.name}
        names |= {french.gettext(n) for n in list(names)}
        for name in names:
            for word in _WORD.findall(name):
                if len(word) >= 4:
                    owners[fold(word)].add(country.alpha_2)
    return {w: frozenset(c) for w, c in owners.items() if len(c) <= MAX_COUNTRIES_PER_WORD}


@lru_cache(maxsize=1)
def _pairs() -> dict[str, frozenset[str]]:
    """Folded word -> its renderings in the other language (name_pairs.toml, both directions)."""
    table = tomllib.loads((Path(__file__).parent / "name_pairs.toml").read_text("utf-8"))["fr_en"]
    out: dict[str, set[str]] = defaultdict(set)
    for fr, ens in table.items():
        for en in ens:
            out[fr].add(en)
            out[en].add(fr)
    return {w: frozenset(v) for w, v in out.items()}


def name_renderings(word: str) -> frozenset[str]:
    """How the other language writes the name word ``word`` ("Chambre" -> "house", "chamber"), folded;
    empty when ``name_pairs.toml`` does not list it."""
    return _pairs().get(fold(word), frozenset())


def _is_stopword(word: str) -> bool:
    return not tokenize(word, "fr") or not tokenize(word, "en")


def names(text: str) -> list[str]:
    """Capitalised words that are names (see the module doc for a sentence's first word)."""
    tokens = [(m.group(0), m.start()) for m in _WORD.finditer(text)]
    later_capitalised = {fold(w) for i, (w, pos) in enumerate(tokens)
                         if w[:1].isupper() and not _SENTENCE_START.search(text[:pos])}
    found = []
    for i, (word, pos) in enumerate(tokens):
        if not word[:1].isupper() or word.isdigit():
            continue
        acronym = len(word) >= 2 and word.isupper()
        if _is_stopword(word) and not acronym:
            continue
        if _SENTENCE_START.search(text[:pos]) and not acronym:
            following = tokens[i + 1][0] if i + 1 < len(tokens) else ""
            clearly = (following[:1].isupper() or fold(word) in later_capitalised
                       or fold(word) in _country_words())
            if not clearly:
                continue
        found.append(word)
    return found


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def same_name(a: str, b: str) -> bool:
    """Whether two words can name the same thing across French and English (see module doc)."""
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return True
    if a.isupper() and b.isupper() and 2 <= min(len(a), len(b)):
        short, long_ = sorted((fa, fb), key=len)
        if len(long_) - len(short) <= 1 and all(short.count(c) <= long_.count(c) for c in set(short)):
            return True
    shortest = min(len(fa), len(fb))
    if shortest >= 3 and fuzz.ratio(fa, fb) >= (SPELLING_RATIO if shortest >= 5 else SHORT_RATIO):
        return True
    if min(len(fa), len(fb)) >= 5 and (_common_prefix(fa, fb) >= COMMON_PREFIX
                                        or fuzz.partial_ratio(fa, fb) >= PARTIAL_RATIO):
        return True
    if fb in _pairs().get(fa, ()):
        return True
    countries = _country_words()
    return bool(countries.get(fa, frozenset()) & countries.get(fb, frozenset()))


def _runs(text: str) -> list[list[str]]:
    """Runs of capitalised words separated by single spaces ("War Communication Service")."""
    return [run.split(" ") for run in re.findall(r"\b[A-ZÀ-Ý]\w*(?: [A-ZÀ-Ý]\w*)*", text)]


def missing_names(text: str, reference: str) -> list[str]:
    """Names of ``text`` that no word of ``reference`` (any case) can stand for.

    A word of a multi-word name whose other word is found is tolerated when it is not a country
    ("War" in "War Communication Service" for « Service de communication de guerre »: English
    capitalises every word of a name, French only the first)."""
    words = {w for w in _WORD.findall(reference) if len(w) >= 2 or w.isupper()}
    missing = [name for name in dict.fromkeys(names(text)) if not any(same_name(name, w) for w in words)]
    if not missing:
        return missing
    tolerated = set()
    for run in _runs(text):
        if len(run) > 1 and any(w not in missing and any(same_name(w, r) for r in words) for w in run):
            tolerated |= {w for w in run if fold(w) not in _country_words()}
    return [name for name in missing if name not in tolerated]
