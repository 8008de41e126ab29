"""Is what the question names named near the sentence that would answer it?

An article about a ban, a trial or a summit names many people and bodies. "Quelle peine Jacques
Chirac a-t-il reçue en 2007 ?" finds "The charge against Mr Sarkozy, who led France for five years
from 2007, exposes ... to a one-year prison sentence" in an article that names Chirac once, far
from it. The article names everything the question does, so the article-level check lets it
through, and the sentence is quoted as the answer to a question about someone else.

A sentence answers for a name when the name is in it, in the few sentences before it (a report
introduces someone, then goes on with "he" or "the militia"), just after it, in its title or its
article's opening sentences, or when the article is about that name: named in several of its
sentences ("This island town, some 300km north of the capital" in a report on Janjanbureh that
names the town eight times, the last time eight sentences earlier).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from chatbot.answering.question import Aliases, unknown_names
from chatbot.answering.referents import sentence_source
from chatbot.schemas import Passage
from chatbot.text.sentences import article_spans

BEFORE = 3  # sentences read before the one checked
AFTER = 1  # ... and after it
LEAD = 2  # the article's first sentences: what (and where) the whole report is about
TOPIC = 3  # a name in at least this many of an article's sentences is what the article is about


def nearby_text(passage: Passage, start: int, end: int, text: str, article: str | None) -> str:
    """The title, the article's opening sentences and the sentences around ``text`` (at
    ``start``-``end`` in the article; read in the passage when ``article`` is not the text those
    offsets are of: ``referents.sentence_source``)."""
    source, offset = sentence_source(passage, start, end, text, article)
    spans = article_spans(source)
    at = [i for i, (s, e) in enumerate(spans) if s + offset < end and e + offset > start]
    if not at:
        return f"{passage.title}\n{passage.text}"
    first, last = max(0, at[0] - BEFORE), min(len(spans) - 1, at[-1] + AFTER)
    lead = source[spans[0][0]:spans[min(LEAD, len(spans)) - 1][1]] if source is article else ""
    return f"{passage.title}\n{lead}\n{source[spans[first][0]:spans[last][1]]}"


@lru_cache(maxsize=256)
def _topic(name: str, forms: tuple[str, ...], article: str) -> bool:
    """Whether ``name`` (or one of its ``forms``) is in at least TOPIC sentences of ``article``."""
    aliases = {name: forms} if forms else None
    found = 0
    for s, e in article_spans(article):
        if not unknown_names([name], article[s:e], aliases):
            found += 1
            if found >= TOPIC:
                return True
    return False


def names_nearby(names: Sequence[str], passage: Passage, start: int, end: int, text: str, article: str | None,
                 aliases: Aliases | None = None) -> bool:
    """Whether every one of ``names`` is named around the sentence ``text``, or is what its article
    is about (see the module's doc)."""
    if not names:
        return True
    missing = unknown_names(names, nearby_text(passage, start, end, text, article), aliases)
    if not missing or article is None:
        return not missing
    known = aliases or {}
    return all(_topic(name, tuple(known.get(name, ())), article) for name in missing)
