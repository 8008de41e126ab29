"""A question that names someone sees a passage naming them, when the index holds one.

The encoder knows little of rare names: "Who is Micah Zenko?" is about equally close to every
passage quoting an expert, and the one passage that spells "Micah Zenko" ranked 36th, although BM25
ranked it first. The fusion cannot simply trust BM25 more: on corpora where many passages share
the question's words (technical sections that all speak of files and packages) word matches the
encoder ranks far down must not outvote its best passage (see ``Retriever._fuse``). A name is
different from a shared word: a passage that does not spell the name the question relies on cannot
answer it, and the answerer refuses when no passage shown names it.

So after the ranking, each of the question's full names (``chatbot.text.names``, two words or
more: ``MIN_WORDS``) that no passage among the first four spells (the ones the answerer reads; the
first ``k`` when fewer are asked) is looked for among the other candidates (dense and BM25 ones):
the best ranked that spells it, every word of it in its text or its article's title, takes the
fourth place (``NAME_SLOT_INDEX``), provided it also spells every other name of the question that some candidate
spells: the passage must be about what the question names, not only whom. Names that the passages
shown already spell, and names no candidate spells (a translated name: "Allemagne" in a question
about English articles), change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from chatbot.text.names import identifying_words, names_in
from chatbot.text.words import fold

NAME_SLOT_INDEX = 3
NAME_SLOTS = 2
# Only full names ("Micah Zenko") get a place: a single word is a place, a body or a surname the
# encoder weighs already ("Benghazi" brought a siege in Benghazi to a question about a boat that
# left it), and a full name is the handle it knows least and articles spell alike in both languages.
MIN_WORDS = 2


class Ranked(Protocol):
    """A ranked candidate passage: its text and its metadata (title)."""

    text: str
    meta: dict


C = TypeVar("C", bound=Ranked)


def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", fold(text)))


def _spelled(words: list[str], vocabulary: frozenset[str]) -> bool:
    return all(w in vocabulary for w in words)


def spells(name: str, text: str) -> bool:
    """Whether ``text`` holds every word of ``name`` as a whole word (accents and case folded)."""
    return _spelled(identifying_words(name), _vocabulary(text))


def cover_names(question: str, heads: Sequence[C], k: int) -> list[C]:
    """``heads`` with, for each full name of the question that none of the first ``k`` spells, the
    best later candidate spelling it moved to ``NAME_SLOT_INDEX`` (at most ``NAME_SLOTS`` moved).
    A question without a full name costs one look at its words; a text's words are read once, when
    needed."""
    heads = list(heads)
    names = {name: identifying_words(name) for name in names_in(question)}
    if len(heads) <= k or not any(len(words) >= MIN_WORDS for words in names.values()):
        return heads
    read: dict[int, frozenset[str]] = {}

    def text_of(c: C) -> frozenset[str]:
        if id(c) not in read:
            read[id(c)] = _vocabulary(f"{c.meta.get('title', '')}\n{c.text}")
        return read[id(c)]

    # the passage brought in must name everything the question names that some candidate spells:
    # "When did Sigmar Gabriel visit Poland?" does not bring his visit to Moscow
    required: list[list[str]] | None = None
    moved: list[C] = []
    read_first = min(k, NAME_SLOT_INDEX + 1)  # the passages an answer reads: a name spelled further down is not seen
    for words in names.values():
        if len(moved) >= NAME_SLOTS:
            break
        if len(words) < MIN_WORDS or any(_spelled(words, text_of(c)) for c in heads[:read_first]):
            continue
        if required is None:
            required = [w for w in names.values() if any(_spelled(w, text_of(c)) for c in heads)]
        found = next((c for c in heads[read_first:] if all(_spelled(w, text_of(c)) for w in required)), None)
        if found is None or words not in required:
            continue
        heads.remove(found)
        heads.insert(min(NAME_SLOT_INDEX + len(moved), k - 1), found)
        moved.append(found)
    return heads
