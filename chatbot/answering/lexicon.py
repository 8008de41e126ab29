"""Bilingual word lists (``lexicon.toml``): place names in both languages, event predicates, time units.

Kept as data next to the code so that adding a country or a predicate is an edit to a list, not to
the logic in ``question.py``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatbot.text.words import fold

LEXICON = Path(__file__).with_name("lexicon.toml")


@dataclass(frozen=True)
class Predicate:
    """An event or stance a question asks about, and the wording that states it."""

    name: str
    question: tuple[re.Pattern[str], ...]
    answer: tuple[re.Pattern[str], ...]
    subject: bool = False  # the answering sentence must also name what the question names
    # wordings (on the question as written) in which the question's word means something else
    destination: tuple[re.Pattern[str], ...] = ()

    def asked_in(self, folded_question: str) -> bool:
        return any(p.search(folded_question) for p in self.question)

    def stated_in(self, folded_sentence: str) -> bool:
        return any(p.search(folded_sentence) for p in self.answer)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    """``lexicon.toml``, read once for every table below."""
    return tomllib.loads(LEXICON.read_text("utf-8"))


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, tuple[re.Pattern[str], ...]], tuple[Predicate, ...]]:
    data = _data()
    places = {key: tuple(re.compile(p) for p in patterns) for key, patterns in data.get("places", {}).items()}
    predicates = tuple(
        Predicate(name, tuple(re.compile(p) for p in spec["question"]),
                  tuple(re.compile(p) for p in spec["answer"]), bool(spec.get("subject", False)),
                  tuple(re.compile(p) for p in spec.get("destination", [])))
        for name, spec in data.get("predicates", {}).items())
    return places, predicates


@lru_cache(maxsize=1)
def _units() -> dict[str, list[str]]:
    """The ``[units]`` table."""
    return _data().get("units", {})


@lru_cache(maxsize=1)
def time_units() -> frozenset[str]:
    """Units of time, singular and plural, accent-folded (``[units] time``)."""
    return frozenset(_units().get("time", []))


@lru_cache(maxsize=1)
def generic_quantities() -> frozenset[str]:
    """What a "how many" asks about when it wants a plain number: units of time, "fois", "much"..."""
    return time_units() | frozenset(_units().get("generic", []))


@lru_cache(maxsize=1)
def measure_units() -> frozenset[str]:
    """Units of weight, volume and length (accent-folded): what a number before them measures."""
    return frozenset(_units().get("measure", []))


def count_qualifiers() -> frozenset[str]:
    """Words between "how many" and the counted noun that do not name it ("autres", "more")."""
    return frozenset(_units().get("qualifiers", []))


@lru_cache(maxsize=1)
def age_durations() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words before and after "N ans" that make it a length of time, not an age (``[ages]``),
    accent-folded."""
    ages = _data().get("ages", {})
    return tuple(ages.get("duration_before", [])), tuple(ages.get("duration_after", []))


@lru_cache(maxsize=1)
def people_words() -> frozenset[str]:
    """Nouns that count people without saying which ("personnes", "people"), accent-folded."""
    return frozenset(_units().get("people", []))


def place_forms(name: str) -> tuple[re.Pattern[str], ...] | None:
    """Every form of the place or body ``name`` refers to, or None when it is not in the list."""
    key = place_key(name)
    return _load()[0][key] if key is not None else None


def all_predicates() -> tuple[Predicate, ...]:
    """Every event and stance predicate of ``lexicon.toml``."""
    return _load()[1]


def predicates_in(question: str) -> list[Predicate]:
    """The event and stance predicates ``question`` asks about."""
    folded = fold(question)
    return [p for p in _load()[1] if p.asked_in(folded) and not any(d.search(question) for d in p.destination)]


@lru_cache(maxsize=4096)  # every name check asks it, for the same few names
def place_key(name: str) -> str | None:
    """The key of the place or body ``name`` refers to in ``[places]`` ("égyptien" -> "egypt"),
    or None when it is not in the list; ``place_names.toml`` names each key in each language."""
    folded = fold(name)
    for key, patterns in _load()[0].items():
        if any(p.search(folded) for p in patterns):
            return key
    return None
