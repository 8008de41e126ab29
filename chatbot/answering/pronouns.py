"""A follow-up's subject pronoun replaced by the noun phrase of the previous question it stands for.

"Elle dure combien de temps ?" after "Que montre la vidéo diffusée par l'ANL ?" is about the video.
Completing the follow-up with the previous question's words ("Elle dure combien de temps ?
(montre vidéo diffusée ANL)") is enough for the lexical side, but the query vector of such a string
is weak: among hundreds of articles it lands on English pieces about any video. Read as "La vidéo
diffusée par l'ANL dure combien de temps ?", the question is one the encoder places well.

The pronoun must be the subject of the follow-up (spaCy's dependency parse of the question's
language) and third person; its antecedent is a noun phrase of the previous question that agrees
with it (French: gender and number from spaCy's morphology; English: "he"/"she" a person's name,
"it" a singular thing, "they" a plural or a coordination), its subject first. An interrogative
phrase ("Quelle région", "which group") is not an antecedent: the pronoun then means the previous
answer, whose names the caller adds anyway. Anything unsure leaves the question as it was.

When the previous question asked *who* ("Qui dirige le GNA ?"), "he", "she", "il", "elle" stand
for the person the previous answer names ("Fayez al-Serraj"): ``for_person`` writes that name in the
pronoun's place ("Et quel âge a-t-il ?" -> "Et quel âge a Fayez al-Serraj ?"), so that whose age or
whose words are asked is read from the question as if the reader had typed the name.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from chatbot.answering.lexicon import place_forms
from chatbot.text.nlp import NlpUnavailable, entities, parse

log = logging.getLogger(__name__)

SUBJECT_PRONOUNS = {
    "fr": {"il": ("Masc", "Sing"), "elle": ("Fem", "Sing"), "ils": ("Masc", "Plur"), "elles": ("Fem", "Plur")},
    "en": {"he": ("person", "Sing"), "she": ("person", "Sing"), "it": ("thing", "Sing"), "they": ("any", "Plur")},
}
# question words that ask for a person or a thing (not for a place, a time, a reason or a number)
ASKS_FOR_ANYONE = {"fr": ("qui",), "en": ("who", "whom")}
ASKS_FOR_A_THING = {"fr": ("que", "qu'", "quoi"), "en": ("what",)}
_SUBJECT = {"nsubj", "nsubj:pass", "nsubjpass"}
# "he"/"she", "il"/"elle" as a question's subject, in the forms a question takes ("How old is he?",
# "Et quel âge a-t-il ?", "Que dit-elle ?", "Il a dit quoi ?"): read by pattern, since spaCy's French
# parse of the inverted forms names no subject. Impersonal "il" ("Y a-t-il", "faut-il") is no one.
_PERSON_SUBJECT = {
    "en": re.compile(r"\b(?:he|she)\b", re.I),
    "fr": re.compile(r"-t-(?:il|elle)\b|(?<=\w)-(?:il|elle)\b|(?:^|(?<=^et )|(?<=^mais ))(?:il|elle)\b", re.I),
}
_IMPERSONAL = re.compile(r"\b(?:y\s+a-t-il|faut-il|s['’]agit-il)\b", re.I)
_ASKED_WHO = re.compile(rf"\b(?:{'|'.join(w for words in ASKS_FOR_ANYONE.values() for w in words)})\b", re.I)
_PERSON_LABELS = {"PER", "PERSON"}
_HEADS = {"NOUN", "PROPN"}


def resolve(question: str, previous: str, lang: str) -> str | None:
    """``question`` with its subject pronoun replaced by its antecedent in ``previous``, or None."""
    pronouns = SUBJECT_PRONOUNS.get(lang)
    if not pronouns or not previous.strip():
        return None
    try:
        doc = parse(question, lang)
        before = parse(previous, lang)
    except NlpUnavailable as exc:
        log.info("follow-up left as it is: %s", exc)
        return None
    pronoun = next((t for t in doc if t.dep_ in _SUBJECT and t.lower_ in pronouns), None)
    if pronoun is None:
        return None
    wanted = pronouns[pronoun.lower_]
    if _answer_is_meant(before, wanted, lang):
        return None
    heads = [t for t in before if t.pos_ in _HEADS and t.dep_ not in ("flat:name", "compound", "flat", "fixed")]
    heads.sort(key=lambda t: (t.dep_ not in _SUBJECT, t.i))
    for head in heads:
        if _interrogative(head) or not _agrees(head, wanted, lang):
            continue
        phrase = _phrase(head)
        if pronoun.i == 0:
            phrase = phrase[:1].upper() + phrase[1:]
        return question[:pronoun.idx] + phrase + question[pronoun.idx + len(pronoun.text):]
    return None


def _answer_is_meant(before: Any, wanted: tuple[str, str], lang: str) -> bool:
    """Whether the previous question asked for a person or thing the pronoun can stand for: "Who
    announced ...? - Where did it post ...?" means the previous answer, not a phrase of the question.
    "Who is Stephanie Williams?" names whom it asks about: the pronoun stands for that name."""
    if any(t.lemma_ in ("be", "être") and t.dep_ in ("ROOT", "cop") for t in before):
        return False
    for token in before:
        word = token.lower_
        if word in ASKS_FOR_ANYONE.get(lang, ()):
            return True
        if word in ASKS_FOR_A_THING.get(lang, ()):
            return wanted in ((("Masc", "Sing"),) if lang == "fr" else (("thing", "Sing"), ("any", "Plur")))
        if _interrogative(token) and token.pos_ in _HEADS and _agrees(token, wanted, lang):
            return True
    return False


def _interrogative(head: Any) -> bool:
    """"Quelle région", "which group", "what": the answer of the previous turn, not a phrase of it."""
    return any("Int" in t.morph.get("PronType") or t.lower_ in ("which", "what", "whose")
               for t in head.children if t.dep_ in ("det", "amod")) or "Int" in head.morph.get("PronType")


def _number(head: Any) -> str | None:
    if any(child.dep_ == "conj" for child in head.children):
        return "Plur"  # "Haftar et al-Serraj"
    found = head.morph.get("Number")
    return found[0] if found else None


def _agrees(head: Any, wanted: tuple[str, str], lang: str) -> bool:
    kind, number = wanted
    have = _number(head)
    if have is not None and have != number:
        return False
    if lang == "fr":
        gender = head.morph.get("Gender")
        if gender:
            return gender[0] == kind
        return head.pos_ == "PROPN" and have is None and number == "Sing"  # a name without morphology
    person = head.ent_type_ == "PERSON"
    if kind == "person":
        return person and number == "Sing" and have != "Plur"
    if kind == "thing":
        return not person and have == "Sing"
    return have == "Plur" or head.ent_type_ in ("ORG", "NORP")


def _phrase(head: Any) -> str:
    """The noun phrase ``head`` heads, with its modifiers and any coordinated names, as written."""
    tokens = [t for t in head.subtree if not (t.dep_ == "punct" and t.i in (head.left_edge.i, head.right_edge.i))]
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return head.doc.text[start:end].strip()


def for_person(question: str, previous: str, answer: str, lang: str) -> str | None:
    """``question`` with its subject "he"/"she"/"il"/"elle" replaced by the person the previous
    answer names, when the previous question asked who; None when it did not, when the answer names
    no person or when the question has no such pronoun.

    The person is the first name of several words that either language's entity recogniser calls a
    person and that is not a known place ("The UN Security Council appointed Martin Kobler":
    Martin Kobler; the small pipelines disagree, "Khalifa Haftar" is a person only for the English one).
    """
    pattern = _PERSON_SUBJECT.get(lang)
    if pattern is None or not _ASKED_WHO.search(previous) or _IMPERSONAL.search(question):
        return None
    found = pattern.search(question)
    if found is None:
        return None
    people: list[tuple[int, str]] = []
    for reader in ("fr", "en"):
        try:
            people += [(end, name) for name, label, end in entities(answer, reader) if label in _PERSON_LABELS]
        except NlpUnavailable as exc:
            log.info("follow-up left as it is: %s", exc)
            return None
    person = next((name for _, name in sorted(people) if " " in name.strip() and place_forms(name) is None), None)
    if person is None:
        return None
    written = f" {person}" if found.group(0).startswith("-") else person
    return question[:found.start()] + written + question[found.end():]
