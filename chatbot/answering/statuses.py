"""Different holders of a role or of a state, from differently dated articles or outlets.

Who holds a role ("Who is the president of the United States?"), who controls a town, who leads a
body: such a state passes from one holder to another as a story unfolds, and outlets disagree about
it while it does (one reports the port taken by one side on 3 March, another retaken by the other
on 14 March). Quoting one holder as *the* answer would hide the other, so when the question asks
for the holder of a role (``titles.holder_asked``) or of a state (a verb of ``statuses.toml``), and
the quoted sentences of different days or outlets name different holders, the answer states each
with the day its sentence tells of and its outlet, oldest first, as ``figures`` does for figures.

Each quote's holder is the short answer that quote alone gives (chatbot.answering.short_answer).
A quote counts only when it states the state asked: for a role, the role check of the quoted
sentences already did (``role_holders``); for a state verb, the sentence writes a word of the same
state ("took control", "seized" for "Who controls the port?") over something the question names
(``same_object``), and its holder is a name on the holding side of that word in the dependency
parse, never what the state is over (``holds_state``; the same check picks the short answer of any
question about a state: "Who controls the oil ports?" is not answered "Ras Lanuf"). Two holders are the same when one's
words hold the other's ("Haftar", "Khalifa Haftar"), when an acronym's letters are the other's
initials in any order ("LNA", "ANL", "Libyan National Army"; the encoder does not link them, 0.34-0.47),
when an acronym stands beside a long name that may be its form in another language ("GNA",
"Gouvernement d'union nationale"), or when their meaning is closer than the closest different
places or bodies measured (``name_meaning.RELATED_PLACES``: a name and its translation score 0.83-0.92,
two people's names 0.25-0.60).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatbot.answering.event_dates import sentence_day
from chatbot.answering.figures import Quoted
from chatbot.answering.name_meaning import RELATED_PLACES
from chatbot.answering.question_kind import question_need
from chatbot.answering.short_answer import Holding, TitledPerson, short_answer, word_prefixes
from chatbot.answering.titles import holder_asked
from chatbot.text.names import folded_function_words
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold

EXACT_BELOW = 5  # words of the state lists shorter than this match only when written exactly
PERSON_WORDS = 2  # a name of more words than this may be a body's long form
IN_STATE_WORDS = 4  # "Qui est à la tête de": a state noun this near the question's start
_SUBJECTS = ("nsubj", "agent", "obl:agent", "csubj")  # who does or is in a verb
Similarity = Callable[[str, str], float]  # two names -> the cosine of their meanings
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class State:
    """What the question asks the holder of: a role, or a state verb's table of ``statuses.toml``."""

    role: str | None = None
    words: tuple[str, ...] = ()  # words of the state in any language ("control", "controle", "seiz"...)


@dataclass(frozen=True)
class DatedHolder:
    index: int  # position of the quote among the answer's quotes (0-based)
    holder: str  # the holder as the sentence writes it
    date: str | None  # the day the sentence tells of (ISO)
    source: str | None


@lru_cache(maxsize=1)
def _states() -> list[dict]:
    return tomllib.loads((Path(__file__).with_name("statuses.toml")).read_text("utf-8"))["state"]


def _matches(word: str, stems: Sequence[str]) -> bool:
    return any(word == s or (len(s) >= EXACT_BELOW and word.startswith(s)) for s in stems)


@lru_cache(maxsize=256)
def asked_state(question: str, question_lang: str) -> State | None:
    """The role or state whose holder ``question`` asks for ("Who is the mayor of Misrata?", "Who
    controls the oil ports?", "Qui dirige le GNA ?"), else None. Kept per question: an answer asks
    it for its short answer, its quotes' holders and the quote it may add."""
    role = holder_asked(question, question_lang)
    if role:
        return State(role=role)
    try:
        need = question_need(question, question_lang)
        doc = parse(question.strip(), question_lang)
    except NlpUnavailable:
        return None
    if need is None or need.kind not in ("person", "org", "name") or need.plural:
        return None  # several asked for ("Which leaders ...?"): several are no disagreement
    verbs = [fold(t.text) for t in doc if t.pos_ == "VERB" or _in_state(t)]
    for table in _states():
        if any(_matches(v, table.get(question_lang, ())) for v in verbs):
            gained = table.get("gained", {})
            return State(words=tuple(w for lang in ("en", "fr") for w in (*table.get(lang, ()), *gained.get(lang, ()))))
    return None


def _in_state(token: Any) -> bool:
    """A noun the question is in ("Who is in command of ...?", "Qui est à la tête de ...?"), not one
    it merely names ("Who accused the Libyan leader ...?"): among its first words, after "in"/"à"."""
    before = [fold(t.text) for t in token.doc[max(0, token.i - 2):token.i]]
    return token.pos_ == "NOUN" and token.i <= IN_STATE_WORDS and any(w in ("in", "a", "en", "au") for w in before)


def states(state: State, text: str) -> bool:
    """Whether ``text`` (a quote) writes a word of ``state``; a role's quotes were checked already."""
    return not state.words or any(_matches(w, state.words) for w in (fold(t) for t in _WORD.findall(text)))


def _subject_side(verb: Any, depth: int = 0) -> set[int]:
    """Tokens of who does or is in ``verb``: its subject or agent; for a pronoun subject, also the
    noun a relative clause describes ("Haftar, who controls ...") or the subject of the clause it
    reports ("Forces loyal to Haftar say they have regained control")."""
    found: set[int] = set()
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            found |= {t.i for t in child.subtree}
            if child.pos_ == "PRON" and verb.dep_ in ("relcl", "acl:relcl"):
                found |= {t.i for t in verb.head.subtree if t.i <= verb.head.i}
            elif child.pos_ == "PRON" and depth == 0 and verb.head.i != verb.i:
                found |= _subject_side(verb.head, 1)
    return found


def _holder_side(token: Any) -> set[int]:
    """Tokens that may hold the state ``token`` (a word of it) writes: the subject side of its verb;
    of a noun, the one it is said of ("GNA leader Fayez al-Serraj", "Serraj, chef du GNA", "Haftar's
    control", "under the control of X"), or the subject side of the verb it is the object of,
    directly or through a preposition ("regained control", "is in command"). What the state is over
    ("control of the ports of Ras Lanuf") is not."""
    if token.pos_ in ("VERB", "AUX"):
        return _subject_side(token)
    found = {t.i for c in token.children if c.dep_ == "poss" for t in c.subtree}
    if token.dep_ in ("compound", "appos") and token.head.pos_ == "PROPN":
        found |= {t.i for t in token.head.subtree} - {t.i for t in token.subtree}
    if any(fold(t.text) in ("under", "sous") for t in token.doc[max(0, token.i - 2):token.i]):
        found |= {t.i for t in token.subtree if t.i > token.i}
    head = token.head.head if token.head.pos_ == "ADP" else token.head
    if head.pos_ in ("VERB", "AUX") and head.i != token.i:
        found |= _subject_side(head)
    return found


def holds_state(state: State, text: str, lang: str, start: int, end: int) -> bool:
    """Whether the name at ``start:end`` of ``text`` is on the holding side of a word of ``state``
    the sentence writes (a role's quotes were checked already; a sentence writing none is not
    read: True)."""
    if not state.words:
        return True
    try:
        doc = parse(text, lang)
    except NlpUnavailable:
        return False
    name = {t.i for t in doc if t.idx < end and t.idx + len(t.text) > start}
    words = [t for t in doc if _matches(fold(t.text), state.words)]
    # a sentence writing none of the state's words ("dirigés par" for "in command of") says nothing
    # of who is on which side: the short answer's other checks decide
    return not words or any(name & _holder_side(t) for t in words)


def _words(name: str) -> set[str]:
    return {fold(w) for w in _WORD.findall(name) if fold(w) not in folded_function_words()}


def same_holder(a: str, b: str, similarity: Similarity) -> bool:
    """Whether two holders may be one person or body (see the module's doc): only holders shown
    to differ are said to."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb or wa <= wb or wb <= wa:
        return True
    short_a, short_b = _acronym(a), _acronym(b)
    if short_a and short_b:
        return sorted(short_a) == sorted(short_b)  # "ANL" is "LNA" in French
    if short_a or short_b:  # an acronym and a name: its initials in any order, in either language
        letters, name = (short_a, wb) if short_a else (short_b, wa)
        if sorted(letters) == sorted(w[0] for w in name):
            return True
        # a long name may be the acronym's in another language ("GNA", "Gouvernement d'union
        # nationale"): only a short one (a person's) is known to be another holder
        return len(name) > PERSON_WORDS
    return similarity(a, b) >= RELATED_PLACES


def _acronym(name: str) -> str:
    """The letters of ``name`` when it is one word in capitals ("LNA", "the BDB"), else ""."""
    words = [w for w in _WORD.findall(name) if fold(w) not in folded_function_words()]
    return fold(words[0]) if len(words) == 1 and words[0].isupper() and len(words[0]) > 1 else ""


def over_what(state: State, text: str, lang: str) -> str:
    """What the words of ``state`` in ``text`` are over: the rest of their phrases, less who holds
    it ("the major oil ports of Ras Lanuf and Es Sider" of "regained control of ...")."""
    try:
        doc = parse(text, lang)
    except NlpUnavailable:
        return ""
    words = []
    for token in doc:
        if _matches(fold(token.text), state.words):
            side = _holder_side(token)
            words += [t.text for t in token.subtree if t.i != token.i and t.i not in side]
    return " ".join(words)


def same_object(state: State, question: str, question_lang: str, text: str, lang: str) -> bool:
    """Whether the state ``text`` speaks of is over something the question names: a word of the
    question, less the state's own, written in what the state is over ("Libya's Interior Ministry
    has little control over these centres" is not about who controls the oil ports). A role's
    quotes were checked already."""
    if not state.words:
        return True
    langs = tuple(dict.fromkeys((question_lang, lang)))
    asked = " ".join(w for w in _WORD.findall(question) if not _matches(fold(w), state.words))
    return bool(word_prefixes(asked, langs) & word_prefixes(over_what(state, text, lang), langs))


def holding(state: State | None) -> Holding | None:
    """The short answer's check of a name for a state question (see ``holds_state``); None when
    there is nothing to check."""
    if state is None or not state.words:
        return None
    return lambda text, lang, start, end: holds_state(state, text, lang, start, end)


class StateHolders:
    """The holders the quotes of an answer name for the role or state asked, and whether they differ."""

    def __init__(self, similarity: Similarity, titled: TitledPerson | None = None) -> None:
        self.similarity = similarity
        self.titled = titled

    def _holders(self, question: str, question_lang: str, state: State, quotes: Sequence[Quoted],
                 first: int = 0) -> list[DatedHolder]:
        found = []
        for index, quote in enumerate(quotes, start=first):
            lang = quote.passage.lang or "und"
            if not states(state, quote.text) or not same_object(state, question, question_lang, quote.text, lang):
                continue
            short = short_answer(question, question_lang, [(1, quote.text, lang, quote.start)],
                                 titled=self.titled, holding=holding(state))
            if short is None or short.items or not short.text[:1].isupper():
                continue  # no single name
            found.append(DatedHolder(index=index, holder=short.text, date=sentence_day(quote.text, quote.passage),
                                     source=quote.passage.source))
        return found

    def _differing(self, found: list[DatedHolder]) -> list[DatedHolder]:
        """``found``, oldest first, when holders of different days or outlets differ; else empty."""
        pairs = [(a, b) for i, a in enumerate(found) for b in found[i + 1:]
                 if (a.date, a.source) != (b.date, b.source)]
        if not any(not same_holder(a.holder, b.holder, self.similarity) for a, b in pairs):
            return []
        return sorted(found, key=lambda h: (h.date is None, h.date or "", h.index))

    def holding(self, question: str, question_lang: str) -> Holding | None:
        """For a question asking who holds a state, the short answer's check that a name holds it."""
        return holding(asked_state(question, question_lang))

    def disagreement(self, question: str, question_lang: str, quotes: Sequence[Quoted]) -> list[DatedHolder]:
        """The quotes' holders, oldest first, when quotes of different days or outlets name
        different ones for the role or state asked; empty otherwise."""
        state = asked_state(question, question_lang)
        if state is None:
            return []
        return self._differing(self._holders(question, question_lang, state, quotes))

    def differing_quote(self, question: str, question_lang: str, chosen: Sequence[Quoted],
                        pool: Sequence[Quoted]) -> Quoted | None:
        """A sentence of ``pool`` (candidates nearly as good as the chosen ones) from another
        article or day naming another holder than the chosen quotes: it must be quoted too."""
        state = asked_state(question, question_lang)
        if state is None:
            return None
        mine = self._holders(question, question_lang, state, chosen)
        if not mine or self._differing(mine):
            return None
        taken = {(q.passage.doc_id, sentence_day(q.text, q.passage)) for q in chosen}
        for cand in pool:
            if (cand.passage.doc_id, sentence_day(cand.text, cand.passage)) in taken:
                continue
            theirs = self._holders(question, question_lang, state, [cand], first=len(chosen))
            if theirs and self._differing([*mine, *theirs]):
                return cand
        return None
