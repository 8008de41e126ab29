"""Near-duplicate passages dropped, and one article kept from crowding out the others.

Two candidates are near-duplicates when they are overlapping chunks of one article (more than 60%
of the shorter one shared) or, across articles, when their word 3-grams have a Jaccard index of at
least ``DUPLICATE_JACCARD`` (the same wire story in two outlets, not linked as copies). The first,
best-ranked, is kept.

Then a per-article decay orders the rest: an article's n-th passage past its first
``SAME_DOC_FREE`` counts ``SAME_DOC_DECAY`` to the power of how many of its passages are placed
already. Every candidate is placed (later steps read the whole list), so the ordering is a greedy
choice of the best decayed score, one article's next passage at a time.

Both run on every search over every candidate (dense, per-language and BM25 ones: about 80 at
100k chunks in two languages). Compared pair by pair with the candidates' metadata read again
each time, and with the greedy choice rescoring every remaining candidate at each step, they took
about 8 ms of a 36 ms search with the question's vector kept (profiled on the news index); each
candidate's facts are now read once, only candidates of the same article or of a close 3-gram count
are compared, and the greedy choice keeps one entry per article in a heap, whose order is the same
(ties go to the earlier candidate, as before).
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from chatbot.text.words import fold

SAME_DOC_DECAY = 0.8
# passages of one article before the diversity decay starts: with 2, the passage holding the
# answer was often the third relevant one of its article and fell out of the top 5 behind
# same-topic passages of other articles (hit@5 with 300 news distractors 92% -> 98% with 3)
SAME_DOC_FREE = 3
DUPLICATE_JACCARD = 0.8
SAME_ARTICLE_OVERLAP = 0.6


class Ranked(Protocol):
    """A ranked candidate: its text, metadata (doc_id, start, end) and fused score."""

    text: str
    meta: dict[str, Any]
    fused: float


C = TypeVar("C", bound=Ranked)


@lru_cache(maxsize=4096)
def shingles(text: str) -> frozenset[str]:
    """Word 3-grams of a passage, cached: every pair of candidates compares them."""
    words = re.findall(r"\w+", fold(text))
    return frozenset(" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2)))


@dataclass(frozen=True)
class _Facts:
    """What the duplicate test reads of one candidate, read once."""

    doc: str
    start: int
    end: int
    length: int
    grams: frozenset[str]

    @classmethod
    def of(cls, cand: Ranked) -> _Facts:
        m = cand.meta
        return cls(str(m.get("doc_id", "")), int(m.get("start", 0)), int(m.get("end", 0)), len(cand.text),
                   shingles(cand.text))


def _near_duplicate(a: _Facts, b: _Facts) -> bool:
    if a.doc == b.doc:
        shorter = min(a.length, b.length) or 1
        return min(a.end, b.end) - max(a.start, b.start) > SAME_ARTICLE_OVERLAP * shorter
    small, large = sorted((len(a.grams), len(b.grams)))
    if not small or small < DUPLICATE_JACCARD * large:  # the Jaccard index cannot reach the bar
        return False
    common = len(a.grams & b.grams)  # |a | b| = |a| + |b| - |a & b|, without building the union
    return common >= DUPLICATE_JACCARD * (small + large - common)


def _duplicate(own: _Facts, same_doc: Sequence[int], sizes: list[tuple[int, int]], facts: list[_Facts]) -> bool:
    """Whether ``own`` repeats a kept candidate (``facts``): any of its own article's (indexes
    ``same_doc``), or of another article whose 3-gram count is close enough for the Jaccard bar (found
    by bisection, not by a scan)."""
    if any(_near_duplicate(own, facts[i]) for i in same_doc):
        return True
    n = len(own.grams)
    lo = bisect.bisect_left(sizes, (math.floor(DUPLICATE_JACCARD * n), -1))
    hi = bisect.bisect_right(sizes, (math.ceil(n / DUPLICATE_JACCARD), len(facts)))
    return any(facts[i].doc != own.doc and _near_duplicate(own, facts[i]) for _, i in sizes[lo:hi])


def dedupe_and_diversify(ranked: Sequence[C]) -> list[C]:
    """``ranked`` (best first) without near-duplicates, reordered by the per-article decay."""
    kept: list[C] = []
    facts: list[_Facts] = []
    by_doc: dict[str, deque[int]] = {}  # each article's kept candidates (indexes), best first
    sizes: list[tuple[int, int]] = []  # (3-gram count, index in facts), sorted
    for cand in ranked:
        own = _Facts.of(cand)
        if _duplicate(own, by_doc.get(own.doc, ()), sizes, facts):
            continue
        bisect.insort(sizes, (len(own.grams), len(facts)))
        by_doc.setdefault(own.doc, deque()).append(len(facts))
        kept.append(cand)
        facts.append(own)
    # one entry per article: its best remaining candidate, on its decayed score (the decay depends
    # only on how many of that article's passages are placed, so no other entry changes)
    heap = [(-kept[q[0]].fused, q[0], doc) for doc, q in by_doc.items()]
    heapq.heapify(heap)
    placed: dict[str, int] = {}
    chosen: list[C] = []
    while heap:
        _, i, doc = heapq.heappop(heap)
        chosen.append(kept[i])
        placed[doc] = placed.get(doc, 0) + 1
        queue = by_doc[doc]
        queue.popleft()
        if queue:
            nxt = queue[0]
            score = kept[nxt].fused * SAME_DOC_DECAY ** max(0, placed[doc] - SAME_DOC_FREE + 1)
            heapq.heappush(heap, (-score, nxt, doc))
    return chosen
