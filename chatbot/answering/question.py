"""What a question asks for, read from its wording, to tell an answer from a near miss.

Embedding similarity says a sentence is *about* the question's topic, not that it *answers* it:
"Quel âge a Khalifa Haftar ?" is close to every sentence naming Haftar. So the extractive answerer
also checks the kind of answer asked for (an age, a count of something, a day, a time) and whether
the names the question relies on occur in the retrieved passages at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from chatbot.answering.ages import age_spans
from chatbot.answering.bodies import body_forms
from chatbot.answering.days import days_in
from chatbot.answering.facts import name_renderings
from chatbot.answering.lexicon import (
    Predicate,
    count_qualifiers,
    generic_quantities,
    measure_units,
    people_words,
    place_forms,
    predicates_in,
)
from chatbot.answering.terms import specific_terms, vocabulary, written, written_plainly
from chatbot.text import months, numbers
from chatbot.text.names import (
    ACRONYM,
    PARTICLES,
    acronym_letters,
    folded_function_words,
    identifying_words,
    initials,
    names_in,
)
from chatbot.text.rarity import language_of, rare
from chatbot.text.words import fold

_AGE_Q = re.compile(r"\b(quel âge|quel age|âgée? de combien|how old|what age|what is the age|l'âge de)\b", re.I)
_DAY_Q = re.compile(r"\b(quel jour|quelle journée|jour exact|date exacte|what day|which day|exact day|exact date)\b",
                    re.I)
_COUNT_Q = re.compile(r"\b(?:combien\s+(?:de|d')\s*|how\s+many\s+|what\s+number\s+of\s+|nombre\s+(?:de|d')\s*)"
                      r"((?:\w|-)+)(?:\s+((?:\w|-)+))?", re.I)
# an amount asked by its noun ("What is the value of the sale?", "Quel est le montant ...") is a number too
# "what is the toll", also with words qualifying it ("the latest death toll", "le dernier bilan")
_NUMBER_Q = re.compile(r"\b(combien|how (?:many|much|long)|what (?:number|percentage)|quel(?:le)? (?:nombre|"
                       r"population|durée)|population|what (?:is|was|are|were) the (?:[\w-]+ ){0,2}?(?:value|amount|"
                       r"cost|price|size|toll|tally|sum)|quel(?:le)? (?:est|était|sont) (?:la|le|l') ?(?:[\w-]+ ){0,2}?"
                       r"(?:valeur|montant|coût|cout|prix|bilan|somme))\b", re.I)
# a price or a sum asked for: the sentence must give a sum of money, not any figure ("une vidéo de
# 8 minutes" is no price)
_PRICE_Q = re.compile(r"\b(combien\s+(?:\w+\s+){0,2}?co[uû]t\w*|co[uû]t\w*\s+combien|how much (?:\w+\s+){0,6}?(?:cost|pay|paid|"
                      r"spen[dt]|earn|sell|sold|worth)|how much money|what (?:is|was|were|are) the (?:price|cost)|"
                      r"quel(?:le)? (?:est|était|sont|étaient) (?:le prix|le coût|le cout|la somme|le montant)|"
                      r"à quel prix|at what price|for how much|pour combien)\b", re.I)
_TIME_Q = re.compile(r"\b(quand|quelle date|à quelle date|en quelle année|à quel moment|when|what date|which "
                     r"date|what year|what time|by when|which month|what month|quel mois)\b", re.I)
_CITY_Q = re.compile(r"\b(quelles? villes?|which (?:city|cities|town|capital)|what (?:city|town|capital)|"
                     r"quelle capitale)\b", re.I)

# a number word qualifying a counted noun may be "un" ("un soldat tué"); a bare figure may not
# (chatbot.text.numbers: "un accord" gives no amount)
_NUMBER_A = numbers.figure(with_one=True)
_AMOUNT_A = numbers.figure()
# matched on accent-folded lower-case text; month and weekday names from the one list (``chatbot.text.months``)
# a day is also one written with its month, either order ("le 30 janvier", "Jan. 28": ``days.days_in``)
_DAY_A = re.compile(rf"\b(?:{months.alternation(months.weekdays())}|hier|yesterday|aujourd'hui|today|"
                    r"demain|tomorrow)\b|\b\d{4}-\d{2}-\d{2}\b")
_TIME_A = re.compile(rf"\d{{4}}|\b({months.alternation(months.names())}|hier|aujourd'hui|demain|"
                     r"mi-\w+|fin de l'annee|prochain|prochaine|dernier|derniere|depuis|"
                     rf"{months.alternation(months.weekdays())}|yesterday|today|tomorrow|week|month|"
                     r"year|semaine|mois|annee|avant|before|after|apres)\b")


@dataclass(frozen=True)
class QuestionNeeds:
    """The constraints a sentence must meet to count as an answer (read once per question: see
    ``analyse``, which several steps of one answer call)."""

    age: bool = False
    day: bool = False
    count_of: str | None = None  # the counted noun ("soldats" in "combien de soldats")
    # ... with its complement when it has one ("demandeurs d'asile"): what it means, across languages
    count_phrase: str | None = None
    # ... with the type named after it ("hélicoptères Apache"), which an article may count alone
    count_type: str | None = None
    number: bool = False
    price: bool = False  # a sum of money is asked for (see _PRICE_Q)
    time: bool = False
    city: bool = False  # a town is a proper name: the sentence must hold one besides the question's
    names: tuple[str, ...] = ()
    predicates: tuple[Predicate, ...] = ()
    terms: tuple[str, ...] = ()  # rare lower-case words: a tool, a product (see ``terms``)

    @property
    def counted_forms(self) -> tuple[str, ...]:
        """What the counted noun may be called, compared by meaning across languages: the noun with
        its complement ("demandeurs d'asile", not the noun alone), or the noun and its type name."""
        if self.count_phrase:
            return (self.count_phrase,)
        return tuple(f for f in (self.count_of, self.count_type) if f)

    def accepts(self, sentence: str, same_lang: bool = True, referent: str = "") -> bool:
        """Whether ``sentence`` meets the constraints; across languages the counted noun cannot be
        matched by its spelling ("barils"/"barrels"), so any number stands for it. ``referent``: the
        sentence naming who the sentence's pronoun subject is, which may name the question's subject."""
        if self.city and not _other_proper_name(sentence, self.names):
            return False
        if self.predicates:
            folded = _Folded(sentence)
            for predicate in self.predicates:
                if not predicate.stated_in(folded.text):
                    return False
                if predicate.subject and self.names and not any(folded.mentions(n) for n in self.names):
                    named = _Folded(referent) if referent else None
                    if named is None or not any(named.mentions(n) for n in self.names):
                        return False
        if self.age and not age_spans(sentence):  # an age, not a length of time
            return False
        if self.day and not (_DAY_A.search(fold(sentence)) or days_in(sentence)):
            return False
        if self.count_of and not (_counts(sentence, self.count_of, self.predicates) if same_lang
                                  else _AMOUNT_A.search(sentence)):
            return False
        if self.number and not _AMOUNT_A.search(sentence):
            return False
        if self.price and not numbers.money().search(sentence):
            return False
        return not (self.time and not (_TIME_A.search(fold(sentence)) or days_in(sentence)))


def _other_proper_name(sentence: str, names: Sequence[str]) -> bool:
    """A capitalised word past the sentence's first that is not one of ``names``."""
    asked = {fold(w)[:4] for name in names for w in re.findall(r"\w+", name) if len(w) > 2}
    words = re.findall(r"\b[A-ZÀ-Ý][\w'’-]+", sentence)
    return any(fold(w)[:4] not in asked for i, w in enumerate(words) if i or not sentence.lstrip().startswith(w))


def _prefix(word: str, n: int = 4) -> str:
    return fold(word)[:n]


# a figure, also with its magnitude written on it ("60m jobs", "1.5bn barrels")
_MAGNITUDE = re.compile(r"\d[\d.,]*(?:k|m|mn|bn|million|billion)?", re.I)


_APPROXIMATE = re.compile(r"-(?:plus|odd|some)$", re.I)


def number_token(word: str) -> bool:
    """Whether one word is a number: "40", "60m", "twenty", also hyphenated ("twenty-five",
    "vingt-et-un") or approximate ("twenty-plus", "40-odd"), as news copy writes counts."""
    parts = _APPROXIMATE.sub("", word).split("-")
    return any(p for p in parts) and all(
        p.lower() == "et" or _NUMBER_A.fullmatch(p) or _MAGNITUDE.fullmatch(p) for p in parts if p) \
        and parts[0].lower() != "et"


def _counts(sentence: str, noun: str, predicates: Sequence[Predicate] = ()) -> bool:
    """A number directly qualifying ``noun`` (or its translation-like cognate) in the sentence, or
    one stated of it ("the number of arrests stood at 500", ``numbers.counted_before``). A noun
    counting people without saying which ("people", ``people_words``) is also counted by the words
    of what the question says befell them ("How many people were injured?": "35 injured"; "How
    many people died?": "the death toll ... climbed to 113"): the question's predicates' wording."""
    key = _prefix(noun, 5 if len(noun) > 5 else 4)
    befell = [p for p in predicates if fold(noun) in people_words()]

    def counts(word: str) -> bool:
        folded = fold(word)
        return folded.startswith(key) or any(p.stated_in(folded) for p in befell)

    if any(counts(w) for w in numbers.counted_before(sentence)):
        return True
    words = re.findall(r"[\w-]+", sentence)
    for i, word in enumerate(words):
        if number_token(word):
            window = words[i + 1:i + 4]
            if window and fold(window[0]) in measure_units() and not fold(window[0]).startswith(key):
                continue  # "25,000 kilos of tramadol" weighs the drug, it does not count its pills
            if any(fold(w).startswith(key) for w in window) or (window and counts(window[0])):
                return True
    return False


@lru_cache(maxsize=1)
def _unit_q() -> re.Pattern[str]:
    """ "en barils par jour", "in dollars", "en pourcentage": a figure asked in a unit of measure, of
    money or of share (``lexicon.toml`` units, ``number_words.toml`` currencies)."""
    units = sorted(measure_units() | {"pourcentage", "percent", "percentage", "pour cent", "per cent"})
    return re.compile(rf"\b(?:en|in)\s+(?:{'|'.join(units)}|{numbers.currency_words()})\b", re.I)


def _in_unit(question: str) -> bool:
    return bool(_unit_q().search(fold(question)))


@lru_cache(maxsize=256)
def analyse(question: str) -> QuestionNeeds:
    """What ``question`` asks for; cached, since scoring, choosing and composing an answer all ask."""
    age = bool(_AGE_Q.search(question))
    day = bool(_DAY_Q.search(question))
    count = _COUNT_Q.search(question)
    noun = count.group(1) if count else None
    if count and fold(noun) in count_qualifiers() and count.group(2):  # "combien d'autres personnes"
        noun = count.group(2)
    count_of = noun if noun and fold(noun) not in generic_quantities() else None
    count_phrase = count_type = None
    if count_of:
        rest = question[question.index(count_of) + len(count_of):]
        after = re.match(r"\s+(?:de|d['’]|du|des)\s*([^\W\d_][\w-]*)", rest)
        if after and fold(after.group(1)) not in folded_function_words() and not after.group(1)[0].isupper():
            count_phrase = f"{count_of}{after.group(0)}".strip()
        # a type named after the noun ("hélicoptères Apache", "missiles Tomahawk"): the article may
        # count the things by that name alone ("three Apaches"); ``counted`` compares both forms
        typed = re.match(r"\s+([A-ZÀ-Ý][\w-]+)", rest)
        if count_phrase is None and typed:
            count_type = f"{count_of} {typed.group(1)}"
    number = count_of is None and bool(_NUMBER_Q.search(question) or _in_unit(question)) and not age
    return QuestionNeeds(age=age, day=day, count_of=count_of, count_phrase=count_phrase, count_type=count_type,
                         number=number, price=number and bool(_PRICE_Q.search(question)),
                         time=_asks_time(question) and not day, city=bool(_CITY_Q.search(question)),
                         names=tuple(names_in(question)), predicates=tuple(predicates_in(question)),
                         terms=specific_terms(question))


_ASKING = re.compile(r"\b(how|what|which|who|whom|where|why|combien|quel\w*|qui|que|qu|ou|pourquoi|comment)\b")


def _asks_time(question: str) -> bool:
    """A time is asked for; "when"/"quand" after another question word opens a clause instead
    ("How many were killed when the siege ended?" asks for a count)."""
    for match in _TIME_Q.finditer(question):
        if fold(match.group(1)) in ("when", "quand") and _ASKING.search(fold(question[:match.start()])):
            continue
        return True
    return False




Aliases = Mapping[str, Sequence[str]]


class EveryName(dict[str, tuple[str, ...]]):
    """Aliases under which every name counts as mentioned everywhere: the most that other-language
    forms (``name_meaning``, several encoder calls) could ever let through. Every check reads names
    only to let a sentence pass, so what fails under these fails under any real forms too."""


def mentions(name: str, text: str, aliases: Aliases | None = None) -> bool:
    """Whether ``text`` names ``name`` or one of its ``aliases`` (its other-language forms, see
    ``name_meaning``; ``_Folded.mentions`` says how a form is matched)."""
    if isinstance(aliases, EveryName):
        return True
    folded = _Folded(text)
    return any(folded.mentions(form) for form in (name, *(aliases or {}).get(name, ())))


def unknown_names(names: Sequence[str], corpus_text: str, aliases: Aliases | None = None) -> list[str]:
    """The names ``corpus_text`` does not mention at all, under any of their ``aliases`` either."""
    if isinstance(aliases, EveryName):
        return []
    folded = _Folded(corpus_text)
    return [name for name in names
            if not any(folded.mentions(form) for form in (name, *(aliases or {}).get(name, ())))]


class _Folded:
    """A text folded once, for checking several names against it."""

    def __init__(self, text: str) -> None:
        self.raw = text
        self.text = fold(text)

    @cached_property
    def acronyms(self) -> set[str]:
        """The letters, sorted, of every upper-case word of 2 to 6 letters in the text."""
        return {"".join(sorted(w)) for w in ACRONYM.findall(self.raw)}

    @cached_property
    def words(self) -> set[str]:
        """Every word of the text, whole and by its hyphenated parts (``terms.vocabulary``)."""
        return vocabulary(self.text, folded=True)

    @cached_property
    def vocabulary(self) -> set[str]:
        return {w[:4] for w in re.findall(r"\w+", self.text) if len(w) > 3}

    @cached_property
    def tokens(self) -> list[tuple[str, str]]:
        """The words and punctuation marks of the text, each as written and folded (read once, when
        a name's word is found: see ``_opens_other_names``)."""
        return [(token, fold(token)) for token in re.findall(r"\w[\w'’-]*|[^\w\s]", self.raw)]

    def _opens_other_names(self, word: str, rest: Sequence[str]) -> bool:
        """Whether ``word`` (a folded word of a name, not its last) is written in the text only as
        the first word of other names: followed by a capitalised word that is none of the name's
        ``rest``. A first name shared by two people is no mention of either."""
        tokens = self.tokens
        spots = [i for i, (_, folded) in enumerate(tokens) if _same_word(folded, word)]
        for i in spots:
            after, folded_after = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
            parts = [p for p in re.findall(r"\w+", folded_after) if p not in PARTICLES]
            if not (after[:1].isalpha() and after[:1].isupper()) or not parts or \
                    any(_same_word(p, w) for p in parts for w in rest):
                return False
        return bool(spots)

    def mentions(self, name: str) -> bool:
        """Under any of its forms for a known place or body (French or English), an acronym also with
        its letters in another order (French and English order words differently), a name of three
        capitalised words or more by such an acronym, otherwise by a word of the name (accent-folded,
        first four letters for long words)."""
        forms = place_forms(name)
        if forms is not None and any(form.search(self.text) for form in forms):
            return True
        listed = body_forms(name)  # "EI" / "ISIS", "al-Qaïda" / "al-Qaeda": the project's list of bodies
        if listed is not None and any(form.search(self.raw if raw else self.text) for form, raw in listed):
            return True
        if forms is not None:  # a listed place or body under none of its forms
            return False
        if acronym_letters(name) in self.acronyms:
            return True  # the same initials in another order: ANL / LNA, OTAN / NATO, UA / AU
        if initials(name) in self.acronyms:
            return True  # "Government of National Accord" is the "GNA" of a French text
        words = identifying_words(name)
        for k, word in enumerate(words):
            if len(word) <= 3:
                found = bool(re.search(rf"\b{re.escape(word)}\b", self.text))
            elif _specific(word, name):  # "PostgreSQL" is not "Postfix" (see ``terms``)
                found = written_plainly(word, self.text) or written(word, self.words)
            else:
                found = word[:5] in self.text or word[:4] in self.vocabulary
            # "Adam Purinton" does not name Adam Lauridsen (read only for a word that is there)
            if found and not (k < len(words) - 1 and self._opens_other_names(word, words[k + 1:])):
                return True
        # a name word the other language writes differently ("Chambre des lords", "House of Lords";
        # "PIB", "GDP"; name_pairs.toml, the list the translation checks use); a short rendering only
        # as an acronym written in capitals ("un", "eu", "au" are French words)
        return any(re.search(rf"\b{re.escape(other)}", self.text) if len(other) > 3
                   else re.search(rf"\b{re.escape(other.upper())}\b", self.raw)
                   for word in identifying_words(name) for other in name_renderings(word))


def _specific(word: str, name: str) -> bool:
    """Whether ``word`` (folded) of ``name`` is rare and written the same in both languages
    (``chatbot.text.rarity``), read as the name writes it: folded, "européenne" looks rare."""
    written_as = next((w.lower() for w in re.findall(r"\w+", name) if fold(w) == word), word)
    return rare(written_as) and language_of(written_as) is None


def _same_word(token: str, word: str) -> bool:
    """A folded token that is ``word``, or shares its first four letters when it is longer (as
    ``_Folded.mentions`` reads words)."""
    return token == word or (len(word) > 3 and token[:4] == word[:4])
