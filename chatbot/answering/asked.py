"""A question asking what someone said is answered by reported speech, not by a deed of theirs.

"What did Lavrov say to Sarraj?" meets "Sarraj met Russian Foreign Minister Sergey Lavrov in
Moscow": the names, the place and the topic are all there, but the sentence reports no word of
Lavrov's. So when the question asks for a statement ("What did X say / tell", "Qu'a déclaré X",
"Que dit X"), the cited sentence must report speech: quoted words, or a verb of saying, of stance
or of attribution ("according to", "selon") in it, or in the attribution that follows a sentence
ending a quotation ('..." he said.').

A question about a reaction or a position ("How did X react", "X's position") is not covered: a
stance is often stated as a deed ("condemned", "welcomed"), which the stance predicate of
``lexicon.toml`` checks instead. Verbs of the question checked by their spelling were tried and
dropped: the seed questions paraphrase their answers ("tient" for "sous contrôle", "prise" for
"conquise"), and single-word vectors do not separate synonyms from other verbs either.
"""

from __future__ import annotations

import re

from chatbot.text.words import fold

SPEECH = re.compile(
    r"\b(?:say|says|said|saying|tell|tells|told|declar\w*|state[sd]?|stating|statement|announc\w*|claim\w*|"
    r"warn\w*|wr[io]te|writes|add(?:s|ed)|explain\w*|den(?:y|ies|ied)|insist\w*|argu\w*|promis\w*|"
    r"comment\w*|react\w*|respond\w*|replied|tweet\w*|believ\w*|think\w*|urg\w*|call\w* (?:on|for)|"
    r"according to|dit|disant|affirm\w*|annonc\w*|indiqu\w*|expliqu\w*|estim\w*|ajout\w*|"
    r"precis\w*|repondu|reagi\w*|dementi|assur\w*|souligne\w*|insiste\w*|selon|d'apres)\b", re.I)
# quotation marks of either language (straight, curly, guillemets)
_QUOTE = re.compile(r"[\"“”«»]")
_STATEMENT_Q = re.compile(
    r"\bwhat\s+(?:did|does|do|has|have|had|would|will)\s+.+?\s+(?:say|said|says|tell|told|declare|state|"
    r"announce|write|wrote|claim)\b|\bqu['’]\s*(?:a|ont|avait)(?:-t-(?:il|elle|ils|elles))?\s+(?:dit|déclaré|"
    r"declare|affirmé|affirme|annoncé|annonce|écrit|ecrit|répondu|repondu)\b|\bque\s+(?:dit|déclare|affirme|"
    r"a dit|a déclaré)\b", re.I)


def asks_statement(question: str) -> bool:
    """Whether ``question`` asks for what someone said (not for a reaction or a deed)."""
    return bool(_STATEMENT_Q.search(question))


def reports_speech(sentence: str, after: str) -> bool:
    """Whether ``sentence`` reports what someone said: quoted words, or a verb of saying or stance in
    it, or in the attribution that follows a sentence ending a quotation."""
    if _QUOTE.search(sentence) or SPEECH.search(fold(sentence)):
        return True
    return bool(after) and bool(_QUOTE.match(after.lstrip())) and bool(SPEECH.search(fold(after)))
