"""Whether looking for the question's names in the other language can change the answer.

Finding a name's other-language forms (``name_meaning``) costs encoder calls: up to six, a few
hundred milliseconds on two cores, for a question whose names no passage spells. Most such
questions are refused whatever the forms: on the checks that do not read names (a start date, a
figure, a year, the threshold), no sentence passes. These two tests say when the search is worth its
cost; skipping it never changes an answer (``tests/test_name_search.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from chatbot.answering.question import EveryName
from chatbot.answering.quoting import ScoredSentence
from chatbot.answering.referents import ArticleText
from chatbot.answering.specificity import Constraints, candidate, holds


def aliases_may_matter(ranked: list[ScoredSentence], scored: list[ScoredSentence], missing: Sequence[str],
                       qlang: str, margin: float) -> bool:
    """Whether the names' other-language forms could change the answer checked without them: the
    answer is refused, or the passages do not name the question's names as it spells them, or a
    sentence in another language that the checks left out scores within ``margin`` of the best one
    kept (it could be quoted if its article names them in its own language). Otherwise every
    sentence that could be quoted is already in. ``missing``: the question's names that no passage
    spells."""
    if not ranked or missing:
        return True
    floor = ranked[0].score - margin
    kept = {id(s) for s in ranked}
    for s in scored:  # best first
        if s.score < floor:
            return False
        if s.fits and id(s) not in kept and (s.passage.lang or "und") not in (qlang, "und"):
            return True
    return False


def may_pass_with_names(scored: list[ScoredSentence], spec: Constraints, threshold: float,
                        article_text: ArticleText | None) -> bool:
    """Whether a sentence scoring at least ``threshold`` would pass the checks if every name the
    question relies on were found under some other-language form (``EveryName``): when none would,
    the answer is a refusal whatever ``name_meaning`` finds."""
    article = article_text or (lambda doc_id: None)
    bound = replace(spec, aliases=EveryName())
    for s in scored:  # best first
        if s.score < threshold:
            return False
        if s.fits and (not spec or holds(bound, candidate(s.passage, s.start, s.end, s.text,
                                                           article(s.passage.doc_id)))):
            return True
    return False
