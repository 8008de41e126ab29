"""Who a sentence quotes: the attributions of its words to a named speaker.

"What did Tillerson say?" is not answered by "..., said Senator Lindsey Graham", though Tillerson is
named just before: the statement check (``specificity``) reads here whom a sentence attributes its
words to ("X said", "X, the Y of Z, said", "X of Y told", "said X", "according to X", "selon X"),
with what the attribution says of them, since the body the question names may be the speaker's
("selon le secrétaire général de la Ligue arabe"). Also read here: whose statement a question asks
for ("What did X say", "Comment X a-t-il réagi"), and whether a sentence can be theirs.
"""

from __future__ import annotations

import re
from typing import Protocol

from chatbot.answering.asked import QUOTE, reports_speech
from chatbot.answering.lexicon import place_forms
from chatbot.answering.question import Aliases, mentions
from chatbot.schemas import Passage
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


_SPEECH = r"(?:say|said|says|tell|told|declare|declared|state|stated|announce|announced|claim|claimed|think|warn|" \
          r"warned|write|wrote|mean|react|reacted|respond|responded|argue|argued|promise|promised|add|added|" \
          r"explain|explained|deny|denied|report|reported)"
_SPEECH_FR = r"(?:dit|déclaré|declare|affirmé|affirme|annoncé|annonce|répondu|repondu|expliqué|explique|estimé|" \
             r"estime|indiqué|indique|pense|pensé|ajouté|ajoute|démenti|dementi|promis|écrit|ecrit|réagi|reagi)"
_TITLE_QUOTE = re.compile(r"^[^:]{2,80}:\s*[\"'“«‘]")  # "UN envoy: 'Inhumane things ...'"
# "What did X say", "What has X told", "Qu'a déclaré X", "Que pense X", "X's position", "According to X",
# "Comment X a-t-il réagi"
_ACTOR_PATTERNS = (
    re.compile(rf"\b(?:what|how)\s+(?:did|does|do|has|have|had|would|will)\s+(.+?)\s+{_SPEECH}\b", re.I),
    re.compile(r"\bwhat\s+(?:is|was|are|were)\s+(.+?)['’]s\s+(?:view|position|stance|reaction|comment|response|"
               r"opinion|message|statement)\b", re.I),
    # (not "Qu'a-t-il déclaré sur la Libye ?": the speaker is the pronoun, see _PRONOUN_ACTOR)
    re.compile(rf"\bqu['’]\s*(?:a|ont|avait)\s+{_SPEECH_FR}\s+(.+?)(?:\s+(?:sur|à propos|"
               r"au sujet|concernant)\b|\s*\?|$)", re.I),
    # "Que pense Sigmar Gabriel de la Libye ?": what follows "de" is what is thought of, not who thinks
    re.compile(r"\bque\s+(?:dit|déclare|pense|affirme|a dit|a déclaré|répond)\s+(.+?)(?:\s+(?:sur|à propos|"
               r"au sujet|concernant)\b|\s+(?:de|du|des)\s+(?-i:[a-zà-ÿ])|\s+d['’]|\s*\?|$)", re.I),
    # "Comment la Russie a-t-elle réagi ?", as "How did Russia react?"
    re.compile(rf"\bcomment\s+(.+?)\s+(?:a-t|ont|avait|avaient)-(?:il|elle|ils|elles)\s+{_SPEECH_FR}\b", re.I),
    re.compile(r"\b(?:according to|selon|d'après)\s+(.+?)(?:,|\?|$)", re.I),
)
# the same questions asked of "he"/"she"/"il"/"elle" ("What did he say", "Qu'a-t-elle déclaré",
# "Comment a-t-il réagi", "Que pense-t-il"): whose words is then the conversation's person
# (``pronouns.for_person``), given to ``asked_actor`` by its caller
_PRONOUN_ACTOR = (
    re.compile(rf"\b(?:what|how)\s+(?:did|does|do|has|have|had|would|will)\s+(?:he|she)\s+{_SPEECH}\b", re.I),
    re.compile(r"\bwhat\s+(?:is|was)\s+(?:his|her)\s+(?:view|position|stance|reaction|comment|response|"
               r"opinion|message|statement)\b", re.I),
    re.compile(rf"\b(?:qu['’]\s*(?:a|avait)|comment\s+(?:a|avait))-t-(?:il|elle)\s+{_SPEECH_FR}\b", re.I),
    re.compile(r"\bque\s+(?:dit|déclare|pense|affirme|répond)(?:-t)?-(?:il|elle)\b|\bqu['’]en\s+pense-t-(?:il|elle)\b",
               re.I),
)
_NAME_SKIP = {"the", "le", "la", "les", "l", "de", "du", "des", "d", "of", "al", "el"}


class Said(Protocol):
    """A candidate sentence with what surrounds it in its article (``specificity.Candidate``)."""

    passage: Passage
    text: str
    before: list[str]
    after: str
    referent: str | None


def surname(name: str) -> str | None:
    """The last word of a person's name, without "al-"/"el-" ("Fayez al-Sarraj": "Sarraj")."""
    words = [w for w in re.findall(r"[\w’'-]+", name) if fold(w) not in _NAME_SKIP and len(w) > 1]
    return re.sub(r"^(?:al|el)-", "", words[-1], flags=re.I) if words else None


def asked_actor(question: str, meant: str | None = None) -> str | None:
    """Whose statement or stance ``question`` asks for: a place or body as named, a person by surname.

    ``meant``: the person a follow-up's subject pronoun stands for ("Qu'a-t-il déclaré ?" after
    "Qui dirige le GNA ?"), taken when the question asks for the pronoun's words or stance."""
    for pattern in _ACTOR_PATTERNS:
        match = pattern.search(question)
        if not match:
            continue
        names = [m.group(0) for m in NAME.finditer(match.group(1))]
        if names and (found := _actor(names[-1])):
            return found
    if meant and any(p.search(question) for p in _PRONOUN_ACTOR):
        return _actor(meant)
    return None


def _actor(name: str) -> str | None:
    if place_forms(name) is not None:
        return name  # "the United States": checked under all its forms
    return surname(name)  # a person: by surname ("Nicolas Martin" is not "Martin Kobler")


def holds_actor(actor: str, cand: Said, aliases: Aliases) -> bool:
    """Whether ``cand`` can be ``actor``'s statement: named in it or by what its pronoun refers to."""
    # "selon la DW": the outlet's own article says it (its source is "dw.com")
    if cand.passage.source and mentions(actor, cand.passage.source.split(".")[0], aliases):
        return True
    # a sentence quoting someone else is not the actor's statement, whoever is named around it
    quoted = speakers(cand.text)
    if quoted and not any(mentions(actor, name, aliases) for name in quoted):
        return False
    if any(mentions(actor, t, aliases) for t in (cand.text, cand.referent) if t):
        return True
    # an interview or a statement quoted in the title ("UN envoy: 'Inhumane things are happening'"):
    # the article gives the actor's words
    title = cand.passage.title or ""
    if (_TITLE_QUOTE.search(title) or reports_speech(title, "")) and mentions(actor, title, aliases):
        return True
    if QUOTE.search(cand.text):  # a quote: its speaker is named around it
        return any(mentions(actor, t, aliases) for t in (*cand.before, cand.after) if t)
    # an account of events is the actor's only when a sentence just before it reports their words
    # ("Macron said ...", "according to the IOM"; see ``asked``): "Relying on sponsors such as Russia
    # and France, Haftar has ..." names France, but says nothing France said
    return any(reports_speech(t, "") and mentions(actor, t, aliases) for t in cand.before if t)
