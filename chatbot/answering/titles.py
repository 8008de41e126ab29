"""The person a role question asks for, recognised by the title news copy writes before the name.

"Qui est le procureur général d'Hawaï ?" and "Quel correspondant de CNN a commenté la décision ?"
ask for a person by what they are. News copy writes that next to the name: "Hawaii Attorney General
Douglas Chin said", "says CNN correspondent Jessica Schneider", "Douglas Chin, Hawaii's attorney
general,". The best quoted sentence may name someone else ("University of Richmond Law School
professor Carl Tobias said Hawaii's complaint ..."), and across languages the short answer's
choice cannot lean on shared words, so the person nearest the question's other words won.

Here the role asked ("procureur général d'Hawaï") is compared by meaning with the title written
next to each person of the quoted sentences (each encoded alone, as a query, and cached). A title
that means the role (``TITLE_SIMILARITY``) and means it clearly better than any other person's
title (``TITLE_MARGIN``: two judges' "Judge" decide nothing) names the answer. Measured on the
titles of the tuning questions: a role and its title in the other language scored 0.64-0.92
("chef d'état-major interarmées" / "Joint Chiefs of Staff Chairman Gen."; "correspondant de CNN" /
"CNN correspondent"), other people's titles at most 0.45 ("DHS press secretary"), a neighbouring
title of the same place 0.72 ("Maryland Gov." against 0.85 for "Maryland Attorney General").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chatbot.answering.question_kind import COPULAS, asks_identity, is_role, person_words, question_need, which_words
from chatbot.answering.spans import LABELS
from chatbot.encoder.base import Embedder
from chatbot.encoder.vector_cache import VectorCache
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold

TITLE_SIMILARITY = 0.6
TITLE_MARGIN = 0.1
_CACHE_SIZE = 2048
# words a title runs through between its nouns: "Secretary of State", "ministre des Affaires étrangères"
_LINKS = {"of", "for", "de", "du", "des", "d'", "d’", "'s", "’s", "la", "l'", "l’"}
_TITLE_POS = {"NOUN", "PROPN", "ADJ"}
_MAX_TITLE = 8  # tokens


@dataclass(frozen=True)
class Titled:
    """A person of a quoted sentence whose title means the role asked: citation ``n``, offsets in
    the sentence."""

    n: int
    start: int
    end: int


def asked_role(question: str, lang: str) -> str | None:
    """The role a question asks a person for ("le procureur général d'Hawaï", "correspondant de
    CNN"), or None when it asks for someone by what they did ("Who heads the GNA?") or for no person.
    A "quel X" whose X the lists do not know (a name is asked for) may ask for a person too: only a
    person's title that means X makes the answer, and a title says what a person is."""
    found = _asked(question, lang)
    return found[0] if found else None


def holder_asked(question: str, lang: str) -> str | None:
    """The role of "Who is the mayor of Misrata?", "Qui est le porte-parole du Pentagone ?": a
    question that asks only who holds a role, so that a sentence naming someone without saying they
    hold it does not answer (see ``role_holders``). "Quel juge a bloqué le décret ?" asks for a
    person by a deed as well, and is left to the title's choice of person alone."""
    found = _asked(question, lang)
    return found[0] if found and found[1] else None


def _asked(question: str, lang: str) -> tuple[str, bool] | None:
    """(the role asked, whether it follows "who is"/"qui est") or None."""
    try:
        need = question_need(question, lang)
        doc = parse(question.strip(), lang)
    except NlpUnavailable:
        return None
    if need is None or need.kind not in ("person", "name"):
        return None
    words = [t for t in doc if not t.is_punct]
    for i, token in enumerate(words[:4]):
        word = fold(token.text)
        if word in person_words():  # "qui est le procureur ...": what follows the copula, when it is no name
            rest = words[i + 1:]
            if need.kind != "person" or len(rest) < 2 or fold(rest[0].text) not in COPULAS or asks_identity(rest):
                return None
            if not any(is_role(t.lemma_ or t.text) or is_role(t.text) for t in rest[1:]):
                return None
            return _text(rest[1:]), True
        if word in which_words():  # "quel correspondant de CNN": the role noun and its complements
            # a role noun, or one the lists do not know ("quel correspondant"): the title decides
            noun = next((t for t in words[i + 1:i + 4] if t.pos_ in ("NOUN", "PROPN")), None)
            if noun is None:
                return None
            span = [t for t in noun.subtree if t.i > token.i and not t.is_punct]
            return (_text(span), False) if span else None
    return None


def _text(tokens: Sequence[Any]) -> str:
    return "".join(t.text_with_ws for t in tokens).strip(" ?")


def person_spans(doc: Any) -> list[Any]:
    """The people the pipeline names in ``doc``."""
    return [ent for ent in doc.ents if LABELS.get(ent.label_) == "person"]


def title_of(person: Any) -> str:
    """The title written next to ``person`` (a spaCy span): the nouns just before the name ("Hawaii
    Attorney General", "CNN correspondent", "le procureur général d'Hawaï," before a comma), else an
    apposition after it ("Douglas Chin, Hawaii's attorney general,"); empty when there is none."""
    doc = person.doc
    i = person.start - 1
    if i >= 0 and doc[i].text == ",":
        i -= 1  # "le procureur général d'Hawaï, Douglas Chin"
    taken: list[Any] = []
    while i >= 0 and len(taken) < _MAX_TITLE:
        token = doc[i]
        if token.ent_type_ and LABELS.get(token.ent_type_) == "person":
            break  # another person's name
        if token.pos_ in _TITLE_POS or (taken and fold(token.text) in _LINKS):
            taken.append(token)
            i -= 1
            continue
        break
    while taken and fold(taken[-1].text) in _LINKS:
        taken.pop()  # a title starts with a noun, not with "of"
    if any(t.pos_ == "NOUN" or is_role(t.text) for t in taken):
        return _text(list(reversed(taken)))
    for token in doc[person.end:person.end + _MAX_TITLE]:
        if token.dep_ == "appos" and person.start <= token.head.i < person.end:
            return _text([t for t in token.subtree if not t.is_punct])
    return ""


class TitleMeaning:
    """Compares the role a question asks for with the titles of people in quoted sentences, by
    meaning (vectors shared across requests)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: VectorCache[str] = VectorCache(_CACHE_SIZE)

    def similarities(self, role: str, titles: list[str]) -> list[float]:
        texts = [role, *titles]
        # each text alone: a batch's other texts move an int8 encoder's vectors a little
        vectors = self._cache.vectors([t.lower() for t in texts], texts, self.embedder.embed_queries)
        return [float(vectors[0] @ v) for v in vectors[1:]]

    def titled(self, question: str, question_lang: str, sentences: Sequence[tuple[int, str, str]]) -> Titled | None:
        """The person of ``sentences`` ((citation n, text, language), best first) whose title means
        the role ``question`` asks for, clearly better than any other person's title; None otherwise."""
        role = asked_role(question, question_lang)
        if role is None or not re.search(r"\w{3,}", role):
            return None
        found: list[tuple[str, Titled, str]] = []  # (person folded, where, title)
        for n, text, lang in sentences:
            try:
                doc = parse(text, lang)
            except NlpUnavailable:
                continue
            for person in person_spans(doc):
                title = title_of(person)
                if title and fold(person.text) not in fold(question):
                    found.append((fold(person.text), Titled(n, person.start_char, person.end_char), title))
        if not found:
            return None
        sims = self.similarities(role, [title for *_, title in found])
        order = sorted(range(len(found)), key=lambda k: -sims[k])
        best = order[0]
        if sims[best] < TITLE_SIMILARITY:
            return None
        others = [sims[k] for k in order[1:] if found[k][0] != found[best][0]]
        if others and others[0] > sims[best] - TITLE_MARGIN:
            return None
        return found[best][1]
