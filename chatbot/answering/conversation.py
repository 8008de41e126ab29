"""Turning a follow-up question into a standalone query, without an LLM.

"Et qui le soutient ?" means nothing to a retriever. When a question leans on the conversation
(few content words, pronouns, "et ..."/"and ..." openings), the query is completed with the topic
words of the previous user question and the names the last answer gave (quotes and markers
removed). A subject pronoun is first replaced by the previous question's noun phrase it stands for
(``pronouns.py``): the query vector of a real question is worth more than one of borrowed words.
A question that stands on its own is left as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chatbot.answering.pronouns import for_person, resolve
from chatbot.schemas import Message
from chatbot.text.language import question_language
from chatbot.text.names import NAME, names_in
from chatbot.text.words import fold, frame_words, function_words

ANAPHORA = {
    # French
    "il", "elle", "ils", "elles", "le", "la", "les", "lui", "leur", "leurs", "son", "sa", "ses",
    "ce", "cet", "cette", "ces", "celui", "celle", "ceux", "cela", "ça", "y", "en", "là",
    # English
    "he", "she", "they", "him", "her", "them", "his", "hers", "their", "theirs", "it", "its",
    "this", "that", "these", "those", "there",
}
OPENERS = ("et ", "and ", "mais ", "but ", "aussi", "also", "puis ", "then ", "ensuite", "what about",
           "et pour", "how about", "pourquoi ça", "why")


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    """Words that say nothing of a topic (accent-folded): French and English function words, the
    words that frame a question, and the pronouns above (all from chatbot.text.words but these)."""
    words = function_words("fr") | function_words("en") | frame_words() | ANAPHORA
    return frozenset(fold(w) for w in words)


_CITATION = re.compile(r"\[\d+\]")
# French inversion: "est-elle", "a-t-il", "soutient-on" hold a pronoun after the hyphen
_INVERSION = re.compile(r"(?i)-(?:t-)?(il|elle|ils|elles|on|ce)$")


def _words(text: str) -> list[str]:
    words = []
    for word in re.findall(r"[\w’'-]+", text):
        inverted = _INVERSION.search(word)
        words.extend([word[:inverted.start()], inverted.group(1)] if inverted else [word])
    return words


def content_words(text: str) -> list[str]:
    words = [w.split("'")[-1].split("’")[-1] for w in _words(text)]
    return [w for w in words if fold(w) not in _stop() and len(w) > 1]


def is_follow_up(question: str) -> bool:
    lowered = question.strip().lower()
    words = [w.split("'")[-1].split("’")[-1] for w in _words(lowered)]
    if lowered.startswith(OPENERS):
        return True
    if len(content_words(question)) <= 1:
        return True
    return len(words) <= 8 and any(w in ANAPHORA for w in words)


def _names(text: str) -> list[str]:
    """Capitalised words and spans (names, acronyms) of an answer."""
    text = _CITATION.sub(" ", text)
    found = NAME.findall(text)
    out: list[str] = []
    for name in found:
        first, _, rest = name.partition(" ")
        if rest and fold(first) in _stop():  # sentence-initial "Le GNA", "The UN"
            name = rest
        if fold(name) in _stop() or len(name) < 2:
            continue
        if name not in out:
            out.append(name)
    return out


def standalone_query(question: str, history: list[Message]) -> str:
    """The question made self-contained for retrieval (unchanged when it already is)."""
    question = question.strip()
    if not history or not is_follow_up(question):
        return question
    users = [m.content for m in history if m.role == "user"]
    answers = [m.content for m in history if m.role == "assistant"]
    previous = _CITATION.sub(" ", users[-1]) if users else ""
    if users:  # "Elle dure combien de temps ?" -> "La vidéo diffusée par l'ANL dure combien de temps ?"
        lang = question_language(question)
        # ... or, after "Qui dirige le GNA ?", "Et quel âge a-t-il ?" -> "Et quel âge a Fayez al-Serraj ?"
        question = resolve(question, previous, lang) or \
            (for_person(question, previous, _CITATION.sub(" ", answers[-1]), lang) if answers else None) or question
    extra: list[str] = []
    if users:
        # the previous topic steers the query vector; the answerer's word overlap still counts
        # only the follow-up's own words, so borrowed words cannot outvote what is asked
        extra.extend(content_words(previous))
    if answers:
        # names the last answer gave, quotes included: several-word names (people) first, then
        # single ones ("Misrata" is what "Pourquoi est-elle si importante ?" is about)
        names = _names(answers[-1])
        extra.extend(([n for n in names if " " in n] + [n for n in names if " " not in n])[:3])
    seen = {fold(w) for w in content_words(question)}
    additions = []
    for word in extra:
        key = fold(word)
        if key not in seen:
            seen.add(key)
            additions.append(word)
    return f"{question} ({' '.join(additions)})" if additions else question


def asked_part(query: str) -> str:
    """The question of a ``standalone_query``, without the words it borrowed from the conversation."""
    if query.endswith(")") and " (" in query:
        return query.rsplit(" (", 1)[0]
    return query


def named_for_pronoun(question: str, query: str) -> str | None:
    """The name ``standalone_query`` wrote in place of ``question``'s subject pronoun (the first
    name of its question that ``question`` does not hold), if any."""
    own = {fold(n) for n in names_in(question)}
    return next((n for n in names_in(asked_part(query)) if fold(n) not in own), None)
