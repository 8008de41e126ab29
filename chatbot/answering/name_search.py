"""Whether looking for the question's names in the other language can change the answer.

Finding a name's other-language forms (``name_meaning``) costs encoder calls: up to six, a few
hundred milliseconds on two cores, for a question whose names no passage spells. Most such
questions are refused whatever the forms: on the checks that do not read names (a start date, a
figure, a year, the threshold), no sentence passes. ``name_search`` says when the search is worth its
cost, and for an answered question which articles a found form must be in to change anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from chatbot.answering.question import EveryName, unknown_names
from chatbot.answering.quoting import ScoredSentence
from chatbot.answering.referents import ArticleText
from chatbot.answering.specificity import Candidate, Constraints, candidate, holds
from chatbot.schemas import Passage


@dataclass(frozen=True)
class Search:
    """A name search worth running, and where what it finds could matter: ``within`` None, anywhere
    (the answer is refused now); else the texts (title, text, outlet) of the articles whose
    sentences a found form could let in: a form none of them holds changes nothing."""

    within: tuple[str, ...] | None = None


def name_search(ranked: list[ScoredSentence], scored: list[ScoredSentence], missing: Sequence[str],
                qlang: str, margin: float, threshold: float, checks: NameChecks) -> Search | None:
    """Whether the names' other-language forms could change the answer checked without them.

    Refused now (no sentence kept, or the passages do not name the question's names as it spells
    them): when some sentence scoring at least ``threshold`` would pass the checks with every name
    found. Answered: when a sentence in another language that the checks left out scores within
    ``margin`` of the best one kept and was held back by a name (it could be quoted if its article
    names them in its own language); a sentence left out by a check that reads no name (its topic,
    what its figure counts) stays out whatever forms are found. ``missing``: the question's names
    that no passage spells."""
    if not ranked or missing:
        return Search() if any(checks.passes(s) for s in _down_to(scored, threshold)) else None
    kept = {id(s) for s in ranked}
    held = [s for s in _down_to(scored, ranked[0].score - margin)
            if id(s) not in kept and (s.passage.lang or "und") not in (qlang, "und") and checks.held_back(s)]
    return Search(tuple(dict.fromkeys(checks.article_of(s) for s in held))) if held else None


def _down_to(scored: list[ScoredSentence], floor: float) -> Iterator[ScoredSentence]:
    for s in scored:  # best first
        if s.score < floor:
            return
        yield s


class NameChecks:
    """The checks that read the question's names, as they stand (``spec``'s aliases) and with every
    name taken as found (``EveryName``): the most that other-language forms could ever let through.
    What fails the second fails under any forms."""

    def __init__(self, spec: Constraints, names: Sequence[str], article_text: ArticleText | None) -> None:
        self.spec = spec
        self.bound = replace(spec, aliases=EveryName())
        self.names = names  # the names the sentence's article must name (``_naming_articles``)
        self.article_text = article_text

    def article_of(self, s: ScoredSentence) -> str:
        """What the checks read of ``s``'s article: its title, its text, its outlet."""
        return f"{naming_text(s.passage, self.article_text)}\n{s.passage.source or ''}"

    def _candidate(self, s: ScoredSentence) -> Candidate:
        article = self.article_text(s.passage.doc_id) if self.article_text else None
        return candidate(s.passage, s.start, s.end, s.text, article)

    def passes(self, s: ScoredSentence, cand: Candidate | None = None) -> bool:
        """Whether ``s`` would pass with every name found (``cand``: its candidate, when built)."""
        return s.fits and (not self.bound or holds(self.bound, cand or self._candidate(s)))

    def held_back(self, s: ScoredSentence) -> bool:
        """Whether ``s`` would pass with every name found but fails a name check as they stand."""
        cand = self._candidate(s) if self.spec else None
        if not self.passes(s, cand):
            return False
        if cand is not None and not holds(self.spec, cand):
            return True
        return bool(unknown_names(self.names, naming_text(s.passage, self.article_text), self.spec.aliases))


def naming_text(passage: Passage, article_text: ArticleText | None) -> str:
    """What the check that a sentence's article names the question's names reads: the article's
    title and stored text (the passage's own text when the article is not stored)."""
    text = (article_text(passage.doc_id) if article_text else None) or passage.text
    return f"{passage.title}\n{text}"
