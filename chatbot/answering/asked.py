"""A question asking what someone said is answered by reported speech, not by a deed of theirs.

"What did Lavrov say to Sarraj?" meets "Sarraj met Russian Foreign Minister Sergey Lavrov in
Moscow": the names, the place and the topic are all there, but the sentence reports no word of
Lavrov's. So when the question asks for a statement ("What did X say / tell", "Qu'a déclaré X",
"Que dit X"), the cited sentence must report speech: quoted words, or a verb of saying, of stance
or of attribution ("according to", "selon") in it (the words are in ``asked.toml``), or in the attribution that follows a sentence
ending a quotation ('..." he said.').

A question about a reaction or a position ("How did X react", "X's position") is not covered: a
stance is often stated as a deed ("condemned", "welcomed"), which the stance predicate of
``lexicon.toml`` checks instead. Verbs of the question checked by their spelling were tried and
dropped: the seed questions paraphrase their answers ("tient" for "sous contrôle", "prise" for
"conquise"), and single-word vectors do not separate synonyms from other verbs either.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from chatbot.text.words import fold

WORDS = tomllib.loads(Path(__file__).with_name("asked.toml").read_text("utf-8"))


def word_alternatives(words: list[str]) -> str:
    """A regex alternation of ``words`` (phrases of ``asked.toml``): a trailing "*" on a word stands
    for any ending. Every list of ``asked.toml`` is read through it (here and in ``reasons``)."""
    def one(phrase: str) -> str:
        return " ".join(re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in phrase.split())
    return "|".join(one(w) for w in words)


SPEECH = re.compile(rf"\b(?:{word_alternatives(WORDS['speech'])})\b", re.I)
# quotation marks of either language (straight, curly, guillemets)
QUOTE = re.compile(r"[\"“”«»]")
_STATEMENT_Q = re.compile(
    rf"\bwhat\s+(?:did|does|do|has|have|had|would|will)\s+.+?\s+(?:{word_alternatives(WORDS['statement_en'])})\b"
    rf"|\bqu['’]\s*(?:a|ont|avait)(?:-t-(?:il|elle|ils|elles))?\s+(?:{word_alternatives(WORDS['statement_fr'])})\b"
    rf"|\bque\s+(?:{word_alternatives(WORDS['statement_que_fr'])})\b", re.I)


def asks_statement(question: str) -> bool:
    """Whether ``question`` asks for what someone said (not for a reaction or a deed)."""
    return bool(_STATEMENT_Q.search(question))


def reports_speech(sentence: str, after: str) -> bool:
    """Whether ``sentence`` reports what someone said: quoted words, or a verb of saying or stance in
    it, or in the attribution that follows a sentence ending a quotation."""
    if QUOTE.search(sentence) or SPEECH.search(fold(sentence)):
        return True
    return bool(after) and bool(QUOTE.match(after.lstrip())) and bool(SPEECH.search(fold(after)))
