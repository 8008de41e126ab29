"""Places among the results shown for the nearest close passages of the corpus's other languages.

BM25 is blind across languages and the encoder leans towards passages in the question's own
language, so a reader asking in English would see English articles on the same topic before the
French article that answers (see ``chatbot.retrieval.retriever.PER_LANGUAGE``). The best passages of
another language, by their rank within it ("dense_lang"), are given places among the first ``k``
when their similarity is close to the best shown passage's.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

# the best passage of another corpus language is shown among the k results (in 4th place at the
# latest) when its similarity is within this much of the best result's
LANGUAGE_SLOT_GAP = 0.10
LANGUAGE_SLOT_INDEX = 3
LANGUAGE_SLOTS = 2


class Ranked(Protocol):
    """A fused candidate: its metadata (language), its similarity and its ranks per list."""

    meta: dict[str, Any]
    dense: float
    ranks: dict[str, int]


C = TypeVar("C", bound=Ranked)


def cover_languages(heads: list[C], k: int, query_lang: str) -> list[C]:
    """Bring the nearest close passages of each other language into the first ``k``.

    "Nearest" is the rank within that language ("dense_lang"); "close" is a similarity within
    LANGUAGE_SLOT_GAP of the best shown passage.
    """
    if k < 3 or len(heads) <= k:
        return heads
    shown = heads[:k]
    best = max(c.dense for c in shown)
    extra: list[C] = []
    by_lang: dict[str, list[C]] = {}
    for cand in heads:
        lang = str(cand.meta.get("lang"))
        if lang != query_lang and "dense_lang" in cand.ranks:
            by_lang.setdefault(lang, []).append(cand)
    for lang in sorted(by_lang):
        nearest = sorted(by_lang[lang], key=lambda c: c.ranks["dense_lang"])[:LANGUAGE_SLOTS]
        extra += [c for c in nearest if c not in shown and c.dense >= best - LANGUAGE_SLOT_GAP]
    extra = extra[:max(1, k // 2)]
    if not extra:
        return heads
    rest = [c for c in heads if c not in extra]
    at = min(LANGUAGE_SLOT_INDEX, k - len(extra))
    return rest[:at] + extra + rest[at:]
