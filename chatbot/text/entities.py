"""Named people, organisations and places in one article: spaCy's entity recogniser, tidied.

Each article is read once, at indexing, and what it names is kept with its record as compact JSON
(:func:`encode`), so the list of entities across the corpus is an aggregation of stored data, never
a second pass over the texts. Only spaCy's ``ner`` component runs (both pipelines give it its own
token vectors), which costs about a third of a full parse.

A mention is tidied so that the forms of one name compare equal: a leading article or elision
("l'Algérie", "the United Nations") and, for people, leading titles ("maréchal Haftar",
"Mr Kobler"; ``data/honorifics_{lang}.txt``) are dropped, as is an English possessive
("Haftar's"), as is what follows a spaced dash ("Vladimir Putin - TASS": a byline). A long form followed by an acronym in parentheses ("Gouvernement d'union nationale
(GNA)") is recorded as a definition: the text itself says the two name one thing. French ``MISC``
mentions are kept as ``misc``: they join an entity when a definition or an equal name links them
(spaCy labels "GNA" ``MISC`` in the seed article), and are dropped otherwise. A word in capitals
before a colon ("TARGET: ... ATTACKER: ...") labels a list, it names no one.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from chatbot.text import nlp
from chatbot.text.words import DATA, fold, function_words

log = logging.getLogger(__name__)

KINDS = ("person", "organisation", "place")
# spaCy labels (French and English pipelines) -> kind; labels not listed are not kept
_LABELS = {"PER": "person", "PERSON": "person", "ORG": "organisation", "LOC": "place", "GPE": "place",
           "MISC": "misc"}
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z0-9]*[A-Z0-9](?:-[A-Z0-9]+)?)\s*\)")
_LEADING_ELISION = re.compile(r"^(?:[ldLD]|qu|Qu)['’]\s*")
_POSSESSIVE = re.compile(r"['’]s?$")
_EDGE = re.compile(r"^[\s\"'“”«»‘’()\[\],.;:!?/|&–—-]+|[\s\"'“”«»‘’()\[\],.;:!?/|&–—-]+$")
_SPACED_DASH = re.compile(r"\s[–—-]\s")  # "Vladimir Putin - TASS": a name and a byline, not one name
_LABEL_LETTERS = 6  # an all-capitals word this long followed by a colon is a layout label ("ATTACKER:")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
MAX_NAME_WORDS = 8


@dataclass
class Mentions:
    """What one article names: (name, kind) -> times named, and acronyms defined in it."""

    names: Counter[tuple[str, str]] = field(default_factory=Counter)
    acronyms: set[tuple[str, str]] = field(default_factory=set)  # (long form, acronym)


def encode(mentions: Mentions) -> str:
    """Compact JSON, storable as Chroma metadata: ``{"m": [[name, kind, n]...], "a": [[long, acro]...]}``."""
    names = sorted(mentions.names.items(), key=lambda item: (-item[1], item[0]))
    return json.dumps({"m": [[n, k, c] for (n, k), c in names], "a": sorted(map(list, mentions.acronyms))},
                      ensure_ascii=False, separators=(",", ":"))


def decode(text: str | None) -> Mentions | None:
    """The mentions stored by :func:`encode`; None when absent or unreadable (then read them again)."""
    if not text:
        return None
    try:
        data = json.loads(text)
        names = Counter({(str(n), str(k)): int(c) for n, k, c in data.get("m", [])})
        acronyms = {(str(a), str(b)) for a, b in data.get("a", [])}
    except (ValueError, TypeError, AttributeError):
        return None
    return Mentions(names, acronyms)


@lru_cache(maxsize=8)
def honorifics(lang: str) -> frozenset[str]:
    """Folded titles of ``lang`` (``data/honorifics_{lang}.txt``) with English ones for other languages."""
    path = DATA / f"honorifics_{lang if lang in ('fr', 'en') else 'en'}.txt"
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return frozenset(fold(line) for line in lines if line)


@lru_cache(maxsize=8)
def _leading_words(lang: str) -> frozenset[str]:
    """Folded function words that may open a mention without being part of the name."""
    return frozenset(fold(w) for w in function_words(lang if lang in ("fr", "en") else "en"))


def trimmed(surface: str) -> str:
    """``surface`` without outer punctuation and symbols, nor what follows a spaced dash; also applied
    to the names stored by earlier versions when they are merged (chatbot.text.entity_merge)."""
    return _SPACE.sub(" ", _EDGE.sub("", _SPACED_DASH.split(surface)[0]))


def tidy(surface: str, kind: str, lang: str) -> str:
    """The name a mention stands for: outer punctuation, a leading article or elision, a possessive
    and (for a person) leading titles removed; empty when nothing name-like is left."""
    text = trimmed(surface)
    text = _POSSESSIVE.sub("", text) if lang != "fr" else text
    titles = honorifics(lang) | honorifics("en") if kind == "person" else frozenset()
    while text:
        text = _LEADING_ELISION.sub("", text)
        first, _, rest = text.partition(" ")
        folded = fold(first.rstrip("."))
        if rest and (folded in _leading_words(lang) or folded in titles):
            text = rest
            continue
        break
    text = _EDGE.sub("", text)
    words = _WORD.findall(text)
    if not words or len(words) > MAX_NAME_WORDS or not any(c.isupper() for c in text):
        return ""
    if len(words) == 1 and (len(text) < 2 or fold(text) in _leading_words(lang) or fold(text) in titles):
        return ""
    return text


def warm(lang: str) -> None:
    """Load the pipeline ``extract`` uses for ``lang`` now (NlpUnavailable if none is installed)."""
    nlp.pipeline_for(lang if lang in nlp.PIPELINES else "en")


def extract(text: str, lang: str) -> Mentions:
    """The people, organisations and places ``text`` names (spaCy ``ner`` of ``lang``'s pipeline)."""
    found = Mentions()
    if not text.strip():
        return found
    lang = lang if lang in nlp.PIPELINES else "en"
    for span_text, label, end in nlp.entities(text, lang):
        kind = _LABELS.get(label)
        if kind is None or _is_label(span_text, text, end):
            continue
        name = tidy(span_text, kind, lang)
        if not name:
            continue
        found.names[(name, kind)] += 1
        after = _ACRONYM_AFTER.match(text, end)
        if after and after.group(1) != name and _could_abbreviate(after.group(1), name):
            found.acronyms.add((name, after.group(1)))
    return found


def _is_label(surface: str, text: str, end: int) -> bool:
    """Whether a mention is a label of the article's layout ("TARGET: ... ATTACKER: ..."): one word
    in capitals, of at least _LABEL_LETTERS letters (acronyms are shorter), right before a colon."""
    word = surface.strip()
    return (" " not in word and len(word) >= _LABEL_LETTERS and word.isupper()
            and text[end:end + 2].lstrip().startswith(":"))


def _could_abbreviate(acronym: str, name: str) -> bool:
    """Whether a capitalised word in parentheses after ``name`` may be its acronym: 2 to 8
    letters, each found in ``name`` in order, the first at the start of its first content word
    (after Schwartz and Hearst's rule for abbreviations in text). Translated long forms keep the
    other language's initials and still pass ("Gouvernement d'union nationale (GNA)"); a
    dateline does not ("Costa Rica (CNN)", "Washington (AP)")."""
    letters = fold(re.sub(r"[^A-Za-z]", "", acronym))
    parts = content_words(name)
    if not 2 <= len(letters) <= 8 or sum(c.isupper() for c in acronym) < 2 or len(parts) < 2:
        return False
    if parts[0][0] != letters[0]:
        return False
    rest, at = " ".join(parts)[1:], 0
    for letter in letters[1:]:
        at = rest.find(letter, at) + 1
        if at == 0:
            return False
    return True


def untitled(name: str) -> str:
    """``name`` as someone may type it, without leading titles or articles in either language
    ("maréchal Haftar" -> "Haftar"), for looking an entity up."""
    drop = honorifics("fr") | honorifics("en") | _leading_words("fr") | _leading_words("en")
    parts = _SPACE.sub(" ", _LEADING_ELISION.sub("", name.strip())).split(" ")
    while len(parts) > 1 and fold(parts[0].rstrip(".")) in drop:
        parts = parts[1:]
    return " ".join(parts)


def words(name: str) -> list[str]:
    """The folded words of a name."""
    return [fold(w) for w in _WORD.findall(name.replace("-", " "))]


def content_words(name: str) -> list[str]:
    """The folded words of a name without function words (French or English): what initials use."""
    stop = _leading_words("fr") | _leading_words("en")
    out = []
    for word in _WORD.findall(_LEADING_ELISION.sub("", name)):
        for part in re.split(r"['’-]", word):
            part = _LEADING_ELISION.sub("", part)
            if len(part) > 1 and fold(part) not in stop:
                out.append(fold(part))
    return out


def is_acronym(name: str) -> bool:
    """An all-capitals word of 2 to 8 letters ("GNA", "UN", "OTAN")."""
    letters = re.sub(r"[^A-Za-z]", "", name)
    return " " not in name and 2 <= len(letters) <= 8 and letters.isupper()
