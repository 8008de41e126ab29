"""Who a sentence quotes: the attributions of its words to a named speaker.

"What did Tillerson say?" is not answered by "..., said Senator Lindsey Graham", though Tillerson is
named just before: the statement check (``specificity``) reads here whom a sentence attributes its
words to ("X said", "X, the Y of Z, said", "X of Y told", "said X", "according to X", "selon X"),
with what the attribution says of them, since the body the question names may be the speaker's
("selon le secrétaire général de la Ligue arabe").
"""

from __future__ import annotations

import re

from chatbot.text import months
from chatbot.text.names import NAME
from chatbot.text.words import fold

_SPEAKER_VERBS = r"(?:said|says|told|added|stated|declared|warned|wrote|explained|argued|insisted|claimed|" \
                 r"announced|a déclaré|a dit|a affirmé|a estimé|a indiqué|a ajouté|a expliqué|a annoncé|déclare|" \
                 r"affirme|estime|indique|explique|ajoute)"
# "X said", "X, the Y of Z, said", "said X", "according to X", "selon X": who the sentence quotes
_SPEAKER = re.compile(rf"({NAME.pattern})(?:,[^,\"“”«»]{{1,80}},|\s+(?:of|from|at|de|du)\s+[^,\"“”«»]{{1,80}}?)?"
                      rf"\s+{_SPEAKER_VERBS}\b"
                      rf"|\b(?:said|says|added|wrote|according to|selon|d'après|a déclaré|a dit|a affirmé|"
                      rf"a ajouté)\s+(?:the\s+|le\s+|la\s+)?({NAME.pattern})(?:,[^,\"“”«»]{{1,80}})?")
_NOT_SPEAKER = re.compile(rf"^(?:{months.alternation(months.weekdays())}|"
                          rf"{months.alternation(months.names())}|"
                          r"he|she|it|they|we|i|il|elle|ils|elles|on|but|and|"
                          r"mais|et|the|le|la|les|this|that|ce|cette)\b")


def speakers(sentence: str) -> list[str]:
    """The attributions of a sentence's words to a named speaker, with what it says of them ("...,
    said Senator Lindsey Graham", "Ahmed Aboul-Gheit, secretary-general of the Arab League, said"):
    a body the question names may be the speaker's ("selon le secrétaire général de la Ligue arabe")."""
    found = []
    for match in _SPEAKER.finditer(sentence):
        name = (match.group(1) or match.group(2) or "").strip()
        if name and not _NOT_SPEAKER.match(fold(name)):
            found.append(match.group(0))
    return found
