"""A "why" is answered by a reason, a "which is the largest" by a ranking, not by the topic alone.

Among many articles on one story, "Why did Mike Lee vote against Montenegro joining NATO?" meets
"The only two no votes came from Senators Rand Paul and Mike Lee": the right people, the right
vote, and no reason. "Which country is the largest exporter of tramadol?" meets a sentence listing
countries that control it: the right countries, and no ranking. Similarity cannot tell these
apart, so two forms are read from the question and checked on the cited sentence:

* reason: a "why" about a deed ("Why did X ...", "Pourquoi X a-t-il ...") needs a sentence with a
  word of cause or purpose (``asked.toml``, ``reason``) followed by something the question does not
  already say: "problems were caused by the outage" gives the outage as a cause, not its own cause.
  A "why" about a quality ("Why is it so important?", "Pourquoi est-elle importante ?") is left
  alone: a description of the thing answers it;
* ranking: a question asking for the first of a ranking (``superlative_q``) needs a sentence that
  ranks (``superlative``, or an English "-est" adjective after "the" or a possessive); in the
  question's own language, the sentence must also name what is ranked (the word after the
  superlative: "exporter", "destination"), which across languages cannot be checked by spelling.

* a name: "What is the name of the Brooklyn judge ...?" needs a sentence naming someone next to the
  role asked about ("Judge Ann Donnelly", "Ann Donnelly, the judge"), not "a Brooklyn judge issued
  an order"; checked in the question's own language (the role's word is compared by its stem).

The word lists hold both languages, so a French question is checked on an English sentence too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chatbot.answering.asked import WORDS, word_alternatives
from chatbot.text.nlp import NlpUnavailable, entities, parse
from chatbot.text.words import fold, function_words, tokenize

_WHY = re.compile(r"^\W*(?:why|pourquoi)\b", re.I)
# a "why" about a quality: "why is X important", "pourquoi est-elle si importante"
_QUALITY = re.compile(r"^\W*(?:why\s+(?:is|are|was|were)\b|pourquoi\s+(?:est|sont|etait|etaient)(?:-|\s))")
_REASON = re.compile(rf"\b(?:{word_alternatives(WORDS['reason'])})\b")
_RANK_Q = re.compile(rf"\b(?:the|its|their|his|her|le|la|les|l'|son|sa|ses|leur|leurs)\s*"
                     rf"(?:{word_alternatives(WORDS['superlative_q'])})\b")
_RANK = re.compile(rf"\b(?:{word_alternatives(WORDS['superlative'])})\b|\b(?:the|its|their|his|her)\s+\w{{2,}}est\b")
# words after a cause marker that show a reason is given (the marker's own phrase is skipped)
REASON_WINDOW = 6
# "what is the name of the <role> who...", "quel est le nom du <role> qui...", "comment s'appelle le <role>"
_NAME_OF = re.compile(r"\b(?:what (?:is|was) the name of|quel est le nom d[eu']?|comment s'appel\w+)\s+"
                      r"((?:[\w'-]+\s+){0,4}?[\w-]+)(?=\s+(?:who|that|which|whose|qui|que|dont|of|de|du|in|at|a|au)\b|"
                      r"\s*[?,]|$)", re.I)
NAME_NEAR = 4  # words between the role and the name that fills it
RANKED_PREFIX = 5  # stems compared on their first letters, as in ``specificity``


def asks_reason(question: str) -> bool:
    """Whether ``question`` asks why something was done (not why something is so)."""
    folded = fold(question)
    return bool(_WHY.search(folded)) and not _QUALITY.search(folded)


def asks_ranking(question: str) -> bool:
    """Whether ``question`` asks for the first (or last) of a ranking."""
    return bool(_RANK_Q.search(fold(question)))


def ranked_stem(question: str, lang: str) -> str | None:
    """What the question ranks: the stem of the first content word after its superlative ("the
    largest *exporter*", "le plus *touché*"); None when nothing follows it."""
    match = _RANK_Q.search(fold(question))
    if not match:
        return None
    following = tokenize(fold(question)[match.end():], lang)
    return following[0][:RANKED_PREFIX] if following else None


def states_reason(sentence: str, sentence_lang: str, question: str, question_lang: str) -> bool:
    """Whether ``sentence`` gives a reason beyond what ``question`` already says (its words are
    compared in the sentence's language, the question's own stems in both)."""
    folded = fold(sentence)
    asked = {t[:5] for t in tokenize(question, question_lang)} | {t[:5] for t in tokenize(question, sentence_lang)}
    for match in _REASON.finditer(folded):
        following = tokenize(folded[match.end():], sentence_lang)[:REASON_WINDOW]
        if any(t[:5] not in asked for t in following if not t.isdigit()):
            return True
    return _purpose_clause(sentence, sentence_lang, asked)


def _purpose_clause(sentence: str, lang: str, asked: set[str]) -> bool:
    """An infinitive of purpose the parse attaches to the deed as an adverbial clause ("raised its
    rate *to fight inflation*", "a relevé son taux *pour lutter contre l'inflation*"), saying
    something the question does not. A bare "to"/"pour" is no reason word (it is as often a time or
    a complement: "decided to go", "voted 97-2 to approve", which the parse tells apart)."""
    try:
        doc = parse(sentence, lang)
    except NlpUnavailable:
        return False
    for token in doc:
        if token.dep_ != "advcl" or token.pos_ != "VERB":
            continue
        if not any(child.lower_ in ("to", "pour", "afin") and child.dep_ in ("aux", "mark") for child in token.children):
            continue
        words = tokenize(" ".join(t.text for t in token.subtree), lang)
        if any(w[:5] not in asked for w in words if not w.isdigit()):
            return True
    return False


def ranks(sentence: str, ranked: str | None = None, lang: str = "en") -> bool:
    """Whether ``sentence`` ranks something (a superlative of either language); with ``ranked`` (a
    stem of the sentence's language, see ``ranked_stem``), the sentence must also name what is ranked:
    "the largest exporter" does not say which is the main destination."""
    folded = fold(sentence)
    if not _RANK.search(folded):
        return False
    return ranked is None or any(t[:RANKED_PREFIX] == ranked for t in tokenize(folded, lang))


def asked_role(question: str, lang: str) -> str | None:
    """The stem of the role whose holder's name is asked ("the Brooklyn *judge*"), else None."""
    match = _NAME_OF.search(question)
    if not match:
        return None
    words = tokenize(match.group(1), lang)
    return words[-1][:RANKED_PREFIX] if words else None


def capitalised_words(question: str) -> set[str]:
    """The question's words written with a capital, folded: the names it gives, which a sentence
    naming someone near a role does not count as naming the holder."""
    return {fold(w) for w in re.findall(r"[\w'’-]+", question) if w[:1].isupper()}


def role_windows(sentence: str, role: str, lang: str) -> list[tuple[int, int]]:
    """Character spans of ``NAME_NEAR`` words either side of each writing of the ``role`` (a stem)."""
    words = list(re.finditer(r"[\w'’-]+", sentence))
    return [(words[max(0, i - NAME_NEAR)].start(), words[min(len(words) - 1, i + NAME_NEAR)].end())
            for i, w in enumerate(words) if (tokenize(w.group(0), lang) or [""])[0][:RANKED_PREFIX] == role]


def names_role(sentence: str, role: str, lang: str, asked: set[str]) -> bool:
    """Whether ``sentence`` names a person within ``NAME_NEAR`` words of the ``role`` (a stem), other
    than the ``asked`` names of the question (folded words). The person is read by spaCy's entity
    recogniser ("New York", "Tuesday" near "judge" are no judge's name); without a pipeline, any
    capitalised word that is not a function word stands for one."""
    windows = role_windows(sentence, role, lang)
    if not windows:
        return False
    try:
        people = [(end - len(text), end) for text, label, end in entities(sentence, lang)
                  if label in ("PERSON", "PER") and not {fold(w) for w in text.split()} <= asked]
    except NlpUnavailable:
        people = [(w.start(), w.end()) for w in re.finditer(r"[\w'’-]+", sentence)
                  if w.group(0)[0].isupper() and fold(w.group(0)) not in asked | _function_words()]
    return any(start < hi and end > lo for lo, hi in windows for start, end in people)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    return frozenset(fold(w) for w in function_words("en") | function_words("fr"))

