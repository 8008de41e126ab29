"""Whether looking for the question's names in the other language can change the answer.

Finding a name's other-language forms (``name_meaning``) costs encoder calls: up to six, a few
hundred milliseconds on two cores, for a question whose names no passage spells. Most such
questions are refused whatever the forms: on the checks that do not read names (a start date, a
figure, a year, the threshold), no sentence passes. ``aliases_may_matter`` says when the search is worth
its cost; skipping it never changes an answer (``tests/test_name_search.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from chatbot.answering.question import EveryName
from chatbot.answering.quoting import ScoredSentence
from chatbot.answering.referents import ArticleText
from chatbot.answering.specificity import Constraints, candidate, holds


def aliases_may_matter(ranked: list[ScoredSentence], scored: list[ScoredSentence], missing: Sequence[str],
                       qlang: str, margin: float, spec: Constraints, threshold: float,
                       article_text: ArticleText | None) -> bool:
    """Whether the names' other-language forms could change the answer checked without them.

    Refused now (no sentence kept, or the passages do not name the question's names as it spells
    them): when some sentence scoring at least ``threshold`` would pass the checks with every name
    found. Answered: when a sentence in another language that the checks left out scores within
    ``margin`` of the best one kept and would pass them with every name found (it could be quoted
    if its article names them in its own language); otherwise every sentence that could be quoted
    is already in. ``missing``: the question's names that no passage spells."""
    bound = _Bound(spec, article_text)
    if not ranked or missing:
        return any(bound.passes(s) for s in _down_to(scored, threshold))
    kept = {id(s) for s in ranked}
    return any(id(s) not in kept and (s.passage.lang or "und") not in (qlang, "und") and bound.passes(s)
               for s in _down_to(scored, ranked[0].score - margin))


def _down_to(scored: list[ScoredSentence], floor: float) -> Iterator[ScoredSentence]:
    for s in scored:  # best first
        if s.score < floor:
            return
        yield s


class _Bound:
    """The checks with every name the question relies on taken as found (``EveryName``): the most
    that other-language forms could ever let through. What fails here fails under any forms."""

    def __init__(self, spec: Constraints, article_text: ArticleText | None) -> None:
        self.spec = replace(spec, aliases=EveryName())
        self.article = article_text or (lambda doc_id: None)

    def passes(self, s: ScoredSentence) -> bool:
        return s.fits and (not self.spec or holds(self.spec, candidate(s.passage, s.start, s.end, s.text,
                                                                       self.article(s.passage.doc_id))))
