"""An age answers "how old is X" only when it is X's own.

A sentence may give several people's ages, and a family shares a surname: "the bombs that killed his
cousin, 31-year-old Sirhan Sleiman Salih, and his brother, 37-year-old Faris Zaidan Khalaf, ..., said
Khalaf" names the Khalaf asked about ("Seif Zaidan Khalaf") and gives two ages, neither his. So for
a person the question names in full, the sentence must write an age next to a mention of the
surname that is theirs: the surname as a whole word ("Chin" is not "Chinese"), not preceded by
another given name ("Faris ... Khalaf" for "Seif ... Khalaf"), with an age within ``AGE_REACH``
characters ("As Khalaf, 20, was", "Mohamed Jalloh, 27, of", "the 28-year old Mesgen"). A sentence
whose pronoun subject refers to the person ("He, 20, ...") is checked on its referent's mention.
"""

from __future__ import annotations

import re

from chatbot.text.entities import honorifics
from chatbot.text.words import fold, function_words

# "37-year-old Faris Zaidan Khalaf": an age written before the name is separated from the surname
# by the given names (up to three words, about 25 characters); one after it by a comma ("Jalloh,
# 27,"). Ages further away belong to someone else in every sentence of the tuning sets that has two.
AGE_REACH = 30
_AGE = re.compile(r"\b\d{1,3}(?:[\s-]*(?:ans|years?)(?:[\s-]*old)?)|,\s*\d{1,3}\s*,|\baged\s+\d{1,3}|"
                  r"\bâgée?\s+de\s+\d{1,3}", re.I)
_WORD = re.compile(r"[\w’'-]+")


def _own_mentions(surname: str, given: set[str], text: str) -> list[tuple[int, int]]:
    """Spans of ``surname`` in ``text`` as a whole word, not preceded by another given name."""
    skip = function_words("en") | function_words("fr") | honorifics("en") | honorifics("fr")
    words = list(_WORD.finditer(text))
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
        found.append(word.span())
    return found


def gives_age_of(name: str, surname: str, sentence: str, referent: str | None) -> bool:
    """Whether ``sentence`` gives the age of the person ``name`` (whose surname is ``surname``)."""
    given = {fold(w) for w in _WORD.findall(name)}
    key = fold(surname)
    ages = [m.span() for m in _AGE.finditer(sentence)]
    for start, end in _own_mentions(key, given, sentence):
        if any(a_start - end <= AGE_REACH and start - a_end <= AGE_REACH for a_start, a_end in ages):
            return True
    return bool(referent) and bool(ages) and bool(_own_mentions(key, given, referent or ""))
