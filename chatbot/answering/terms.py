"""The specific terms of a question (a tool, a product, a word no other text shares) and whether the
passages write them.

Names written with a capital are checked by ``question.unknown_names``. Technical questions name
what they are about in lower case: "avec firewalld", "avec ssh-keygen", "resize2fs", "ufw". A
question's term is specific when the language at large rarely uses it and it belongs to neither
language (``chatbot.text.rarity``); when no retrieved passage nor its article writes it, the
passages are about something else and the question is refused, saying which term they lack.

A term is written when the text has it as a word or the start of one ("iptables" in
"iptables-save"), or spelt within one letter of it (two for long words): a typo in the question
("Wich") or a transliteration ("Serraj", "Sarraj") is still the same word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from chatbot.text.names import folded_function_words
from chatbot.text.rarity import language_of, rare
from chatbot.text.words import fold

# a word, its hyphens, dots and apostrophes included ("ssh-keygen", "apt.conf", "aujourd'hui")
_UNIT = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.I)
_SUFFIX = 3  # letters a word may add to a term and still write it ("dockers", "gpgv")


def specific_terms(question: str, *, topic: bool = False) -> tuple[str, ...]:
    """The question's rare lower-case words written the same in both languages, as written, in order:
    what it hinges on besides names. A word of one language ("détectent", rare as a form of the
    common "détecter"; "interarmées", which English writes otherwise) may be worded differently
    in the passages, so its absence says nothing."""
    found: list[str] = []
    for i, match in enumerate(_UNIT.finditer(question)):
        word = _ELISION.sub("", match.group(0))
        if (i == 0 and not topic) or not word[:1].islower() or word.isdigit() or len(word) < 3:
            continue  # the first word opens a question (not a ``topic``); capitalised words are names
        lowered = word.lower()  # accents kept: folded, "générer" looks rare
        if fold(word) in folded_function_words() or not rare(lowered) or language_of(lowered) is not None:
            continue
        found.append(word)
    return tuple(dict.fromkeys(found))


def vocabulary(text: str, *, folded: bool = False) -> set[str]:
    """The folded words of ``text`` (already ``folded`` or not), each whole ("ssh-keygen") and in
    its parts ("ssh", "keygen")."""
    words: set[str] = set()
    for unit in _UNIT.findall(text if folded else fold(text)):
        words.add(unit)
        words.update(re.findall(r"[^\W_]+", unit))
    return words


def _longer(term: str) -> int:
    """The letters a word may add to ``term`` and still write it."""
    return max(_SUFFIX, len(term) // 2)


def written_plainly(term: str, folded_text: str) -> bool:
    """Whether the folded text has ``term`` (folded) as a word or the start of one (a regular
    expression over the text: the common case, without building its vocabulary)."""
    return re.search(rf"(?<![^\W_]){re.escape(term)}[^\W_]{{0,{_longer(term)}}}(?![^\W_])", folded_text) is not None


def written(term: str, words: set[str]) -> bool:
    """Whether ``words`` (see ``vocabulary``) write ``term`` (folded): as it is, with a short ending,
    or within a letter or two of it."""
    if term in words:
        return True
    longer = _longer(term)
    if any(w.startswith(term) and len(w) - len(term) <= longer for w in words):
        return True
    allowed = 0 if len(term) < 5 else 1 if len(term) < 8 else 2
    return bool(allowed) and process.extractOne(term, words, scorer=Levenshtein.distance,
                                                score_cutoff=allowed) is not None


def unknown_terms(terms: Sequence[str], text: str) -> list[str]:
    """The terms ``text`` does not write (see ``written``)."""
    if not terms:
        return []
    folded = fold(text)
    left = [term for term in terms if not written_plainly(fold(term), folded)]
    if not left:
        return []
    words = vocabulary(folded, folded=True)
    return [term for term in left if not written(fold(term), words)]
