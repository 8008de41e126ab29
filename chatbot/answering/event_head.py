"""The event a figure question asks about: "the death toll of *the earthquake* in Italy", "How many
people died in *the earthquake* in Italy?", "Combien de personnes sont mortes dans *le tremblement
de terre* ?".

Among many news articles a toll of another disaster is always near: the migrants' toll of an
article naming Italy answered "How many people died in the earthquake in Italy?", a cyclone's toll
in Madagascar "How many people were killed in the bombing in Madagascar?". The place alone does
not make the answer; the event's own noun must be named around the figure (``specificity``: in the
sentence or the two before it, in the question's language). The noun is read from the question's
parse: what a toll is "of" (or "from", "du"...), or what the counted deed happened "in", "during",
"dans", "pendant", "lors de". A place noun ("in the city", ``short_answer.toml`` place nouns), a
time ("in 2017"), a proper name ("in the Mediterranean") is where or when, not what happened.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from chatbot.answering.spans import spans_data
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold, tokenize

EVENT_PREFIX = 5  # stems compared on their first letters, as in ``support.overlap``
_TOLLS = ("toll", "tally", "bilan")
# "the death toll of the earthquake in Italy", "le bilan du cyclone": the toll is that event's
TOLL_OF = re.compile(rf"\b(?:{'|'.join(_TOLLS)})\s+(?:of|from|in|for|du|de la|de l['’]|des|de)\s*(.+?)\s*\??$", re.I)
_DURING_EN = ("in", "during")
_DURING_FR = ("dans", "pendant", "durant", "lors")


@lru_cache(maxsize=1)
def _not_events() -> frozenset[str]:
    """Nouns that say where or when, not what happened: the place nouns and units of time."""
    data = spans_data()
    return frozenset(fold(w) for w in [*data["nouns"]["place"], *data["nouns"]["country"],
                                       *data["time_words"]["units"]])


def _stem(noun: Any, lang: str) -> str:
    stems = [t[:EVENT_PREFIX] for t in tokenize(noun.text, lang)]
    return stems[0] if stems else ""


def _event_noun(noun: Any) -> bool:
    return noun.pos_ == "NOUN" and fold(noun.text) not in _not_events() and \
        fold(noun.lemma_ or noun.text) not in _not_events()


def event_head(question: str, lang: str, toll: bool) -> str:
    """The stem of the noun of the event ``question`` asks a figure of ("earth" for "the earthquake
    in Italy"), "" when it names none. ``toll``: the question asks for a toll (``TOLL_OF``)."""
    try:
        doc = parse(question, lang)
    except NlpUnavailable:
        return ""
    for token in doc:
        if toll and fold(token.text) in _TOLLS:
            for prep in token.children:
                for noun in prep.children if prep.dep_ in ("prep", "case") else [prep]:
                    if noun.dep_ in ("pobj", "nmod") and _event_noun(noun):
                        return _stem(noun, lang)
        if toll or token.pos_ != "VERB":
            continue
        for child in token.children:  # "died in the earthquake", "tués lors de l'assaut"
            if child.dep_ == "prep" and child.lower_ in _DURING_EN:
                nouns = [g for g in child.children if g.dep_ == "pobj"]
            elif child.lower_ == "lors":
                nouns = [g for g in child.children if g.dep_.startswith("obl")]
            elif child.dep_.startswith("obl"):
                nouns = [child] if any(c.dep_ == "case" and c.lower_ in _DURING_FR for c in child.children) else []
            else:
                nouns = []
            for noun in nouns:
                if _event_noun(noun):
                    return _stem(noun, lang)
    return ""
