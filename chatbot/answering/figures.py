"""Different figures for the same thing from differently dated articles or outlets.

A toll, a count or an amount changes as a story unfolds and differs between outlets: 20 dead on
3 March per one outlet, 25 on 5 March per another. Quoting one of them as *the* answer would hide
the other, so when the question asks for a figure and the quoted sentences of two articles (of
different dates or outlets) give different figures for it, the answer states each with its date
and outlet, oldest first.

"The same thing" is what the question asks for: each sentence's figure is the one the short-answer
finder picks for the question (chatbot.answering.short_answer), so a sentence's other numbers (a
year, a street number) do not count; and the figures must count the same thing, the word after
each ("20 people" / "25 people", not "0 stories" / "64 civilians"), or the word a count is stated
of before it ("the death toll ... climbed to 113", ``numbers.counted_before``), compared on its
first COUNTED_PREFIX letters, accents folded; words stating what the question says befell them are
one thing ("death" / "dead" for "How many people died?", ``lexicon`` predicates). Counted by a
noun, the figures must also be of the same deed when their sentences share a language: the verb
each figure belongs to, by its lemma or the predicate it states ("some 1,500 migrants were rescued"
and "some 16,000 migrants have arrived" count migrants, but not the same migrants). A figure with
no such word is not compared.

Each figure is dated by the day its sentence tells of (``event_dates.sentence_day``), so one
report's "a previous tally of 72 dead on Tuesday" and "climbed to 113 on Wednesday" are two
figures of two days: a toll that rose is shown rising.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chatbot.answering.event_dates import sentence_day
from chatbot.answering.facts import numbers
from chatbot.answering.lexicon import Predicate, all_predicates, predicates_in
from chatbot.answering.short_answer import short_answer
from chatbot.schemas import Passage
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.numbers import counted_before
from chatbot.text.words import fold, squeeze

COUNTED_PREFIX = 4
_COUNTED = re.compile(r"^\s+(?:(?:of|de|d'|d’)\s*)?([^\W\d_]{3,})")


class Quoted(Protocol):
    passage: Passage
    start: int
    text: str


@dataclass(frozen=True)
class DatedFigure:
    index: int  # position of the quote among the answer's quotes (0-based)
    figure: str  # the figure as the sentence writes it
    counted: str  # what it counts: the folded prefix of the word after it
    deed: str | None  # the verb it belongs to, compared when ``counted`` is a noun's prefix
    lang: str | None
    date: str | None  # the day the sentence tells of (ISO)
    source: str | None


def _value(figure: str) -> str:
    """A figure compared by its digits ("1,5" = "1.5"), else by its folded words ("vingt")."""
    found = numbers(figure)
    return ",".join(sorted(found)) if found else squeeze(fold(figure))


def figure_of(question: str, question_lang: str, quote: Quoted) -> tuple[str, str, str | None] | None:
    """The figure ``quote`` gives for what ``question`` asks, what it counts and the deed it is of;
    None when it gives none or nothing names what it counts."""
    found = short_answer(question, question_lang, [(1, quote.text, quote.passage.lang, quote.start)])
    if found is None or not re.search(r"\w", found.text):
        return None
    counted = _COUNTED.match(quote.text[found.end - quote.start:])
    words = [counted.group(1)] if counted else counted_before(quote.text)
    if not words:
        return None
    kind = _stated([words[0]], predicates_in(question)) or fold(words[0])[:COUNTED_PREFIX]
    deed = None if kind.startswith("=") else _deed(quote, found.start - quote.start)
    return found.text, kind, deed


def _stated(words: list[str], predicates: Sequence[Predicate]) -> str | None:
    """``=name`` of the first of ``predicates`` one of ``words`` states ("dead", "death": killed)."""
    return next((f"={p.name}" for w in words for p in predicates if p.stated_in(fold(w))), None)


def _deed(quote: Quoted, offset: int) -> str | None:
    """The deed the figure at ``offset`` of ``quote`` counts: the predicate its verb (read up the
    parse) or the words a count is stated of state, else the verb's lemma; None when none is found."""
    try:
        doc = parse(quote.text, quote.passage.lang or "en")
    except NlpUnavailable:
        return None
    token = next((t for t in doc if t.idx <= offset < t.idx + len(t.text)), None)
    while token is not None and token.pos_ != "VERB" and token.head.i != token.i:
        token = token.head
    verb = token if token is not None and token.pos_ == "VERB" else None
    # "the death toll rose to 25": a count of deaths, whatever rose
    stated = _stated([*([verb.text] if verb else []), *counted_before(quote.text)], all_predicates())
    return stated or (fold(verb.lemma_ or verb.text) if verb else None)


def _figures(question: str, question_lang: str, quotes: Sequence[Quoted], first: int = 0) -> list[DatedFigure]:
    """The figure of each quote that gives one, dated by the day its sentence tells of; ``first``:
    the position of ``quotes[0]`` among the answer's quotes."""
    found = []
    for index, quote in enumerate(quotes, start=first):
        figure = figure_of(question, question_lang, quote)
        if figure is not None:
            found.append(DatedFigure(index=index, figure=figure[0], counted=figure[1], deed=figure[2],
                                     date=sentence_day(quote.text, quote.passage), source=quote.passage.source,
                                     lang=quote.passage.lang))
    return found


def _differing(found: list[DatedFigure]) -> list[DatedFigure]:
    """``found``, oldest first, when figures of the same thing from different days or outlets
    differ; empty otherwise."""
    if len({f.counted for f in found}) > 1:
        return []  # not figures of the same thing
    if len({f.lang for f in found}) == 1 and len({f.deed for f in found if f.deed}) > 1:
        return []  # ... nor of the same deed
    values = {_value(f.figure) for f in found}
    origins = {(f.date, f.source) for f in found}  # two days of one report are two origins
    if len(values) < 2 or len(origins) < 2:
        return []
    return sorted(found, key=lambda f: (f.date is None, f.date or "", f.index))


def disagreement(question: str, question_lang: str, quotes: list[Quoted]) -> list[DatedFigure]:
    """The quotes' figures, oldest first, when quotes of different days or outlets give different
    ones; empty otherwise (agreeing figures need no comment)."""
    return _differing(_figures(question, question_lang, quotes))


def differing_quote(question: str, question_lang: str, chosen: list[Quoted], pool: list[Quoted]) -> Quoted | None:
    """A sentence of ``pool`` (candidates as good as the chosen ones) from another article, or of
    another day of the same one ("a previous tally of 72 dead on Tuesday"), whose figure differs from
    the chosen quotes' figures: it must be quoted too. Each quote's figure is read once."""
    mine = _figures(question, question_lang, chosen)
    if not mine or _differing(mine):
        return None
    values = {_value(f.figure) for f in mine}
    taken = {(q.passage.doc_id, sentence_day(q.text, q.passage)) for q in chosen}
    for cand in pool:
        if (cand.passage.doc_id, sentence_day(cand.text, cand.passage)) in taken:
            continue
        theirs = _figures(question, question_lang, [cand], first=len(chosen))
        if theirs and _value(theirs[0].figure) not in values and _differing([*mine, *theirs]):
            return cand
    return None
