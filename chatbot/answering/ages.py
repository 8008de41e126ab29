"""An age answers "how old is X" only when it is X's own.

A sentence may give several people's ages, and a family shares a surname: "the bombs that killed his
cousin, 31-year-old Sirhan Sleiman Salih, and his brother, 37-year-old Faris Zaidan Khalaf, ..., said
Khalaf" names the Khalaf asked about ("Seif Zaidan Khalaf") and gives two ages, neither his. So for
a person the question names in full, the sentence must write an age next to a mention of the
surname that is theirs: the surname as a whole word ("Chin" is not "Chinese"), not preceded by
another given name ("Faris ... Khalaf" for "Seif ... Khalaf"), with an age at most ``AGE_REACH``
words away and no other name between ("As Khalaf, 20, was", "the 28-year old Mesgen"). A sentence
whose pronoun subject refers to the person ("He, 20, ...") is checked on its referent's mention.
"""

from __future__ import annotations

import re

from chatbot.answering.lexicon import age_durations
from chatbot.text.entities import honorifics
from chatbot.text.words import fold, function_words

# "The 62-year old conservative politician Nicolas Sarkozy", "Mohamed Jalloh, 27, of": an age and
# its person's surname have at most a few words between them (three in the longest case of the tuning
# sets), none of them another person's name; ages further away belong to someone else.
AGE_REACH = 6
# "20 years old", "16-year-old", "the 28-year old", "50 years of age", "35 ans" (see ``age_spans``)
_YEARS = re.compile(r"\b\d{1,3}[\s-]*(ans|years?)\b((?:[\s-]*old|\s+of\s+age)\b)?", re.I)
# "aged 77", "âgé de 77 ans", "âgée de quarante ans", "at the age of 77", "Jalloh, 27, of" (a word
# before the comma: "10, 15, 20" is a list)
_NAMED_AGE = re.compile(r"\baged\s+\d{1,3}|\bâgée?s?\s+de\s+(?:\d{1,3}|[a-zà-ÿ-]+\s+ans)\b|\bages?\s+of\s+\d{1,3}\b|"
                        r"(?<=[^\W\d_]),\s*\d{1,3}\s*,", re.I)
_WORD = re.compile(r"[\w’'-]+")
# "his advanced age of 77", "son âge de 77 ans": the age of the person named last before it, however far
_POSSESSIVE = re.compile(r"\b(?:his|her|son)\s+(?:[a-zà-ÿ]+\s+)?(?:age|âge)\s+(?:of|de)\s+\d{1,3}\b[^\d]*$", re.I)


def _a_duration(sentence: str, start: int, end: int) -> bool:
    """Whether the "N ans" at ``start:end`` is a length of time: "pendant 50 ans", "50 ans de prison"."""
    before, after = age_durations()
    words = fold(sentence[:start]).split()
    following = fold(sentence[end:]).lstrip()
    return (any(" ".join(words[-len(w.split()):]) == w for w in before)
            or any(following.startswith(w) and (w[-1] in "'’" or not following[len(w):len(w) + 1].isalpha())
                   for w in after))


def age_spans(sentence: str) -> list[tuple[int, int]]:
    """Where ``sentence`` writes someone's age: "20 years old", "62 ans", "aged 77", "Jalloh, 27,".
    A number of years otherwise is a length of time ("lived in Cairo for 50 years", "depuis 50 ans")."""
    spans = [m.span() for m in _NAMED_AGE.finditer(sentence)]
    for m in _YEARS.finditer(sentence):  # "years" without "old", and "N ans" of time, are left out
        if m.group(2) or (m.group(1).lower() == "ans" and not _a_duration(sentence, *m.span())):
            spans.append(m.span())
    return sorted(spans)


def _skip() -> frozenset[str]:
    return function_words("en") | function_words("fr") | honorifics("en") | honorifics("fr")


def _own_mentions(surname: str, given: set[str], words: list[re.Match[str]]) -> list[int]:
    """Indexes in ``words`` of ``surname`` as a whole word, not preceded by another given name."""
    skip = _skip()
    found = []
    for i, word in enumerate(words):
        if fold(re.sub(r"['’]s$", "", word.group(0))) != surname:
            continue
        j = i - 1  # the capitalised words right before it: the given names of whoever is meant
        while j >= 0 and words[j].group(0)[:1].isupper() and fold(words[j].group(0)) not in skip \
                and words[j].end() + 1 >= words[j + 1].start():
            j -= 1
        if any(fold(w.group(0)) not in given for w in words[j + 1:i]):
            continue  # "Faris Zaidan Khalaf": someone else of the family
        found.append(i)
    return found


def gives_age_of(name: str, surname: str, sentence: str, referent: str | None) -> bool:
    """Whether ``sentence`` gives the age of the person ``name`` (whose surname is ``surname``)."""
    given = {fold(w) for w in _WORD.findall(name)}
    key, skip = fold(surname), _skip()
    words = list(_WORD.finditer(sentence))
    ages = age_spans(sentence)
    for i in _own_mentions(key, given, words):
        start, end = words[i].span()
        for a_start, a_end in ages:
            between = [w.group(0) for w in words if min(end, a_end) <= w.start() and w.end() <= max(start, a_start)]
            own = a_start > end and _POSSESSIVE.search(sentence[:a_end])  # "Gauck declined ... due to his age of 77"
            if (len(between) <= AGE_REACH or own) and not any(w[:1].isupper() and fold(w) not in given | skip for w in between):
                return True
    return bool(referent) and bool(ages) and bool(_own_mentions(key, given, list(_WORD.finditer(referent or ""))))
