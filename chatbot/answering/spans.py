"""The spans of a sentence that may answer a question: names, places, numbers with their unit, times.

Read from spaCy's parse (``chatbot.text.nlp``): named entities, runs of proper nouns, places of the
bilingual lexicon (so "égyptien" counts as a country), numbers with the noun they count and time
expressions with their modifiers. ``chatbot.answering.short_answer`` chooses among them; the
question words and nouns that say which kind is asked live in the same data file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatbot.answering.lexicon import place_forms
from chatbot.text import months, numbers
from chatbot.text.words import fold

DATA = Path(__file__).with_name("short_answer.toml")
# spaCy labels of the French (WikiNER) and English (OntoNotes) pipelines -> our kinds
LABELS = {"PER": "person", "PERSON": "person", "ORG": "org", "LOC": "place", "GPE": "place", "FAC": "place",
          "MISC": "name", "NORP": "name", "PRODUCT": "name", "EVENT": "name", "WORK_OF_ART": "name",
          "LAW": "name", "DATE": "date", "TIME": "date", "CARDINAL": "number", "QUANTITY": "number",
          "MONEY": "number", "PERCENT": "number", "LANGUAGE": "name"}
# labels of the English pipeline that name what no person or body is ("the Cold War", a law, a
# film): a "which law" may be answered by one, a "who" never (the French pipeline's MISC may be a
# person it mislabelled, so it is not among them)
THINGS = frozenset({"EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "LANGUAGE"})


@dataclass
class Candidate:
    """A span of a sentence of one kind (person, org, place, name, number, date), and how the
    short answer's choice scored it."""

    start: int  # character offsets in the sentence
    end: int
    kind: str
    tokens: list[Any] = field(default_factory=list)
    known_place: bool = False
    score: float = 0.0
    exact: bool = False  # labelled with the very kind asked for
    attached: bool = False  # tied to a name the question gives (see short_answer._attached_name)
    adjective: bool = False  # a nationality word ("Libyan", "égyptien"): a country's, never a town's
    thing: bool = False  # an event, a work, a law, a product, a language: a name, never a person's or a body's


@lru_cache(maxsize=1)
def spans_data() -> dict[str, Any]:
    """``short_answer.toml``: the question words and nouns of each kind, and the time words."""
    return tomllib.loads(DATA.read_text("utf-8"))


@lru_cache(maxsize=1)
def person_nouns() -> frozenset[str]:
    """Folded nouns naming a person by role ("directeur", "spokesman"): ``[nouns] person``."""
    return frozenset(fold(w) for w in spans_data()["nouns"]["person"])


def _time_word(token: Any) -> bool:
    """A month, a day or a relative day; a bare unit ("mois", "year") only when made specific
    ("la fin de l'année", "l'année prochaine"), not in "depuis des mois"."""
    word = fold(token.text)
    word = word[3:] if word.startswith("mi-") else word
    if token.pos_ not in ("NOUN", "PROPN", "ADV"):
        return False
    if word in _time_units():
        return token.head.pos_ == "NOUN" and token.head.i < token.i or \
            any(c.dep_ in ("amod", "nummod") for c in token.children)
    return word in _time_words()


@lru_cache(maxsize=1)
def _time_units() -> frozenset[str]:
    return frozenset(fold(w) for w in spans_data()["time_words"]["units"])


@lru_cache(maxsize=1)
def _time_words() -> frozenset[str]:
    return frozenset(fold(w) for w in spans_data()["time_words"]["words"]) | frozenset(months.names()) | \
        frozenset(months.weekdays())


@lru_cache(maxsize=1)
def _duration_units() -> frozenset[str]:
    """Units an amount of time is counted in: the time units and the shorter and longer ones."""
    return _time_units() | {"hour", "heure", "minute", "decade", "decennie", "siecle", "century"}


@lru_cache(maxsize=1)
def _amount() -> re.Pattern[str]:
    units = "|".join(sorted(_duration_units(), key=len, reverse=True))
    return re.compile(rf"(?:(?:about|some|nearly|almost|over|more than|at least|up to|environ|pres de|plus de)\s+)?"
                      rf"(?:\d[\d.,]*|{numbers.alternation()})(?:[\s-]+(?P<unit>{units})s?)?(?:[\s-]+old)?", re.I)


def _bare_units(text: str) -> bool:
    """Only units of time, no number nor name of a day ("hours", "weeks", "des mois")."""
    units = _duration_units()
    words = [w for w in re.findall(r"[^\W\d_]+", fold(text)) if w not in ("des", "les", "the", "some", "quelques")]
    return bool(words) and not re.search(r"\d", text) and all(w in units or w.rstrip("s") in units for w in words)


def _amount_in(text: str) -> re.Match[str] | None:
    folded = fold(text.strip())
    return None if numbers.YEAR.fullmatch(folded) else _amount().fullmatch(folded)


def amount_of_time(text: str) -> bool:
    """Whether a span the recogniser calls a date is an amount: a duration ("30 days", "90-day",
    "six months", "trois semaines") or a bare number ("20", an age in "Khalaf, 20,"), not a year
    ("2016") nor a day ("Jan. 28")."""
    return _amount_in(text) is not None


def duration(text: str) -> bool:
    """An amount of time with its unit ("30 days", "90-day"): no answer to a count of something else."""
    found = _amount_in(text)
    return bool(found and found.group("unit"))


def candidates(doc: Any) -> list[Candidate]:
    """Named entities, proper-noun runs, lexicon places, numbers with units and times of ``doc``."""
    found: list[Candidate] = []
    taken: set[int] = set()
    for ent in doc.ents:
        kind = LABELS.get(ent.label_)
        if kind is None:
            continue
        if kind == "date" and amount_of_time(ent.text):
            kind = "number"  # "30 days", "a 90-day ban", an age "20": how many, how long, how old
        if kind == "date" and _bare_units(ent.text):
            continue  # "hours before it was due to begin", "des jours": no time is named
        found.append(Candidate(ent.start_char, ent.end_char, kind, list(ent),
                               known_place=place_forms(ent.text) is not None,
                               adjective=ent.label_ == "NORP" or all(t.pos_ == "ADJ" for t in ent),
                               thing=ent.label_ in THINGS))
        taken.update(t.i for t in ent)
    run: list[Any] = []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.i not in taken and (run or token.text[0].isupper()):
            run.append(token)
            continue
        if run:
            found.append(Candidate(run[0].idx, run[-1].idx + len(run[-1]), "name", run,
                                   known_place=place_forms(" ".join(t.text for t in run)) is not None))
            taken.update(t.i for t in run)
            run = []
    for token in doc:
        if token.i in taken:
            continue
        if token.is_alpha and len(token.text) > 3 and place_forms(token.text) is not None:
            found.append(Candidate(token.idx, token.idx + len(token), "place", [token], known_place=True,
                                   adjective=token.pos_ == "ADJ"))
        elif token.like_num and token.pos_ == "NUM":
            found.append(_number(token))
        elif _time_word(token):
            found.append(_time(token))
    return found


def _number(token: Any) -> Candidate:
    """A number with the noun it counts ("8 minutes"); a year alone is a date."""
    head = token.head
    if head.pos_ == "NOUN" and 0 < head.i - token.i <= 2:
        return Candidate(token.idx, head.idx + len(head), "number", [token, head])
    kind = "date" if re.fullmatch(r"(1[89]|20)\d\d", token.text) else "number"
    return Candidate(token.idx, token.idx + len(token), kind, [token])


def _time(token: Any) -> Candidate:
    """A time word with its modifiers ("mars dernier") or its governing noun ("fin de l'année")."""
    tokens = [token] + [c for c in token.children if c.dep_ in ("amod", "nummod") and c.i > token.i]
    head = token.head
    if fold(token.text) in _time_units() and head.pos_ == "NOUN" and 0 < token.i - head.i <= 3:
        tokens.append(head)
    first, last = min(tokens, key=lambda t: t.i), max(tokens, key=lambda t: t.i)
    return Candidate(first.idx, last.idx + len(last), "date", tokens)


# a name opens with a letter or a digit and holds no quote mark, question mark or slash: "Owens"?widow"
# (an apostrophe lost in an article's encoding) and "/Russia" (a wire's "/TASS/. /Russia") are
# pieces of broken text that the pipeline tagged as places
_BROKEN_NAME = re.compile(r"^\W|[\"?/\\|“”«»<>]")
# a dateline: a place in capitals opening the text, then at most a comma and a few words before the
# agency's bracket, a slash or a dash ("MOSCOW, February 9./TASS/.", "WASHINGTON (Reuters) -",
# "TRIPOLI, 14 mars (AFP) -")
_DATELINE_END = re.compile(r"\s*(?:,[^,()]{0,40}?)?\s*(?:\(|/|—|–|-\s)")


def broken_name(text: str) -> bool:
    """Whether ``text``, a named span, is a piece of garbled text rather than a name."""
    return bool(_BROKEN_NAME.search(text))


def dateline(sentence: str, start: int, end: int) -> bool:
    """Whether ``sentence[start:end]`` is the place of a dateline: where a report was filed, not
    what it says happened there ("MOSCOW, February 9./TASS/. Russia and the US are working on a
    meeting ... in Bonn" answers "where did they meet" with Bonn)."""
    text = sentence[start:end]
    letters = [c for c in text if c.isalpha()]
    return (not sentence[:start].strip() and len(letters) >= 3 and all(c.isupper() for c in letters)
            and bool(_DATELINE_END.match(sentence, end)))
