"""Increments beside totals: "another four refugees died, bringing the 2017 death toll to 525".

A sentence that states a total (a count stated of a toll, a number, a tally:
``numbers.counted_before``) often gives the latest increment beside it. Asked "how many", the total
answers; the increment ("another four", "20 more", "500 soldats supplémentaires": the words of
``short_answer.toml`` ``[increments]``) does only when the question asks for an increment itself
("how many more"). Outside such sentences an increment may be the very figure asked ("another $2.6
billion for border infrastructure" next to "$1 billion in its supplemental"): it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

from chatbot.answering.spans import Candidate, spans_data
from chatbot.text.numbers import counted_before
from chatbot.text.words import fold

C = TypeVar("C", bound=Candidate)


@lru_cache(maxsize=1)
def _increments() -> re.Pattern[str]:
    words = sorted(spans_data()["increments"]["words"], key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(re.escape(w) for w in words)})\b")


def _increment(text: str) -> bool:
    """Whether ``text`` holds a word making a count an increment (``[increments]``)."""
    return bool(_increments().search(re.sub(r"\bmore than\b", " ", fold(text))))


def _around(sentence: str, cand: Candidate) -> str:
    """The count's span with the word before and the one after it: "another four", "20 more"."""
    before = re.search(r"\S+\s*$", sentence[:cand.start])
    after = re.match(r"\s*\S+", sentence[cand.end:])
    return f"{before.group(0) if before else ''}{sentence[cand.start:cand.end]}{after.group(0) if after else ''}"


def not_increments(question: str, sentence: str, counts: Sequence[C]) -> list[C]:
    """``counts`` (candidate spans of ``sentence``) without the increments, when the sentence states a
    total and the question asks for no increment; all of them otherwise or when none is left."""
    if _increment(question) or not counted_before(sentence):
        return list(counts)
    return [c for c in counts if not _increment(_around(sentence, c))] or list(counts)
