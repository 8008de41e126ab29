"""Recency as a tie-break: a question about the latest state ranks recent evidence first.

News goes stale: "who controls the oil ports now?" is answered by the newest report, not by the
first one that mentioned the ports. Relevance still decides which passages are candidates; among
the passages whose fused score is close to the best one (within RELEVANT_GAP of it), a question
that asks for the latest state (words in recency.toml) puts the newest first. Passages outside the
band keep their place, so a recent but off-topic article never jumps ahead.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatbot.text.words import fold

# fused scores are in units of the query's spread of similarities, median to best (see
# chatbot.retrieval.retriever._fuse): within a quarter of it is a tie as far as relevance can tell
RELEVANT_GAP = 0.25
WORDS_FILE = Path(__file__).with_name("recency.toml")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads(WORDS_FILE.read_text("utf-8"))


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[str, ...], ...]:
    data = _data()
    return tuple(tuple(fold(p).split()) for lang in ("en", "fr") for p in data[lang])


@lru_cache(maxsize=1)
def _units() -> frozenset[str]:
    return frozenset(w for unit in _data()["dating"]["units"] for w in fold(unit).split())


def _dates_something(words: list[str], i: int, n: int) -> bool:
    """Whether the phrase at ``words[i:i + n]`` dates a time unit ("last year", "l'an dernier")."""
    phrase = words[i:i + n]
    if phrase == ["last"]:
        return i + 1 < len(words) and words[i + 1] in _units()
    if n == 1 and phrase[0].startswith("dernier"):  # "dernier", "dernière", "derniers"
        return i > 0 and words[i - 1] in _units()
    return False


def wants_latest(question: str) -> bool:
    """True when the question asks for the latest or current state."""
    words = re.findall(r"\w+", fold(question))
    for phrase in _phrases():
        n = len(phrase)
        if any(tuple(words[i:i + n]) == phrase and not _dates_something(words, i, n)
               for i in range(len(words) - n + 1)):
            return True
    return False


def recent_first(ranked: list[Any], score: Any, day: Any) -> list[Any]:
    """``ranked`` (best first) with the near-best items ordered newest first, undated ones last."""
    if len(ranked) < 2:
        return ranked
    best = score(ranked[0])
    head = [c for c in ranked if score(c) >= best - RELEVANT_GAP]
    rest = [c for c in ranked if score(c) < best - RELEVANT_GAP]
    head.sort(key=lambda c: (day(c) is not None, day(c) or 0), reverse=True)  # stable: ties keep rank
    return head + rest
