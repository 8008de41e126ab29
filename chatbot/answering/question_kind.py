"""What kind of short answer a question asks for: a person, a place, a date, a number, a name.

Read from the question word ("qui", "where", "combien", "how many") and, for "quel X" / "which X",
from the noun X through the lists of ``short_answer.toml`` ("quel est le dernier bilan": a toll,
a number). None for "why", "how", yes-no questions and summaries, and for "Who is X?", which a
description answers, not another name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chatbot.answering.spans import person_nouns, spans_data
from chatbot.text.entities import honorifics
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold

COPULAS = {"is", "was", "are", "were", "est", "etait", "fut", "sont", "etaient", "furent"}
_PARTICLES = {"al", "el", "de", "du", "d", "la", "le", "of", "ibn", "ben", "bin", "and", "et"}


@dataclass
class Need:
    """The kind of short answer a question wants, and whether it wants several."""

    kind: str
    plural: bool = False
    noun: str = ""  # "which X" / "quel X": X, folded (the answer's own name may hold it)


@lru_cache(maxsize=1)
def _noun_kinds() -> dict[str, str]:
    return {fold(word): kind for kind, words in spans_data()["nouns"].items() for word in words}


@lru_cache(maxsize=1)
def which_words() -> frozenset[str]:
    """The words of "quel X" / "which X" questions (``short_answer.toml``), folded."""
    return frozenset(fold(w) for w in spans_data()["which_words"]["words"])


@lru_cache(maxsize=1)
def person_words() -> frozenset[str]:
    """The question words that ask for a person ("qui", "who"), folded."""
    return frozenset(fold(w) for w, kind in spans_data()["question_words"].items() if kind == "person")


def question_need(question: str, lang: str) -> Need | None:
    """What the question asks for (None for why/how/yes-no questions and summaries)."""
    data = spans_data()
    doc = parse(question.strip(), lang)
    words = [t for t in doc if not t.is_punct]
    folded = [fold(t.text) for t in words]
    which = which_words()
    for i, word in enumerate(folded[:6]):  # the question word opens the question or follows a preposition
        pair = f"{word} {folded[i + 1]}" if i + 1 < len(folded) else ""
        if pair in data["question_pairs"]:
            return Need(data["question_pairs"][pair], _plural(words[i + 1:i + 3]))
        if word in data["question_words"]:
            if asks_identity(words[i + 1:]):
                return None  # "Who is Micah Zenko?": a description answers, not another name
            return Need(data["question_words"][word], _plural([words[i]]))
        if word in which:
            # the noun "which" qualifies, not one after a verb other than "to be": "What did the
            # Justice Department say?" asks for a statement, not for a justice
            noun = None
            for t in words[i + 1:i + 5]:  # "quel est le dernier bilan": past the copula, article, adjective
                if t.pos_ in ("NOUN", "PROPN"):
                    noun = t
                    while noun.dep_ == "compound" and noun.head.pos_ == "NOUN" and noun.head.i > noun.i:
                        noun = noun.head  # "the latest death toll": a toll, not a death
                    break
                if t.pos_ in ("AUX", "VERB") and fold(t.text) not in COPULAS:  # "quelle est la ville"
                    break
            if noun is None:
                return None  # "what is ...", "que ..." : not a request for a name
            # a title or rank is a person's too: "which professor", "quel juge" (the titles' list)
            role = any(is_role(w) for w in (noun.lemma_ or noun.text, re.sub(r"s$", "", noun.text)))
            kind = _noun_kinds().get(fold(noun.text)) or ("person" if role else "name")
            return Need(kind, _plural([words[i], noun]), fold(noun.text))
    return None


def asks_identity(rest: list[Any]) -> bool:
    """Whether what follows the question word is a copula and a bare proper name ("is Micah Zenko",
    "est Fayez al-Serraj"): the question asks who someone is, which a name cannot answer."""
    if len(rest) < 2 or fold(rest[0].text) not in COPULAS:
        return False
    return all(t.text[:1].isupper() or fold(t.text) in _PARTICLES for t in rest[1:])


def _plural(tokens: list[Any]) -> bool:
    return any("Plur" in t.morph.get("Number") or t.tag_ in ("NNS", "NNPS") for t in tokens)


def is_role(word: str) -> bool:
    """A word naming a person by what they do ("director", "chef", "porte-parole")."""
    return fold(word) in person_nouns() or any(fold(word) in honorifics(lang) for lang in ("fr", "en"))


def asks_for_someone(question: str, lang: str) -> bool:
    """The question asks for a person or a body ("Qui ...", "Who ...", "Quel ministre ...")."""
    try:
        need = question_need(question, lang)
    except NlpUnavailable:
        return False
    return need is not None and need.kind in ("person", "org")
