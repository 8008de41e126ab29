"""Across languages, a count answers "how many X" only when what it counts means X.

In the question's language the counted noun is checked by its spelling (``question._counts``:
"combien de soldats" needs a number followed by "soldats"). Across languages the spelling says
nothing ("barils"/"barrels"), and any number used to stand for the noun, so "Combien d'enfants les
garde-côtes ont-ils secourus ?" was answered by "roughly 970 migrants", and "Combien de soldats
ont été tués ?" by "One killed in knife attack". Here the words just after each number of the
sentence are compared with the counted noun by the encoder's meaning: a word and its translation
are close, two different nouns of the same field are not.

The words are encoded alone, as queries, and kept in a small cache (a question's candidates share
most of their numbers' nouns, and questions come back). The comparison runs only on sentences in
another language than the question, and only for a "how many" of things. A noun that counts people
without saying which ("personnes", "people": ``lexicon.toml``, ``[units] people``) is met by any
count, as before: "Combien de personnes ont été secourues ?" is answered by "970 migrants".

A word alone is ambiguous: "frappes" alone means blows as much as air strikes, and scored 0.43
against "strikes"; "navires" alone scored 0.66 against "aircraft". So when the question is known and
the encoder gives token vectors (``Embedder.gives_piece_vectors``), each word is compared in its own
sentence: the question's counted noun as the question uses it, the words after each number as the
sentence uses them (the vector of a word's tokens within the sentence's encoding, see
``chatbot.encoder.pieces``). Single words encoded alone remain the way for other encoders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

import numpy as np

from chatbot.answering.lexicon import people_words
from chatbot.answering.question import number_token
from chatbot.encoder.base import Embedder
from chatbot.encoder.vector_cache import VectorCache
from chatbot.text.words import fold, function_words

# Cosine of two single words encoded as queries (EmbeddingGemma), measured on French/English pairs
# of the tuning questions' nouns: a noun and its translation scored 0.67 (barils/barrels) to 0.93
# (véhicules/vehicles); a noun and another noun of the same field at most 0.60 (enfants/people,
# véhicules/boats). The threshold sits between the two.
COUNTED_SIMILARITY = 0.63
# Cosine of a word's token vectors within its sentence (the question, the candidate sentence),
# measured on 20 French/English pairs of a counted noun and its translation used in context, and 20
# pairs of two different nouns of the same field in the same frames (written for this measure, none
# from the evaluation sets; BENCHMARKS.md 25b): translations 0.39-0.96 (median 0.79), different
# nouns -0.03-0.34 (median 0.13). The threshold sits between the two; the single-word cosines of the
# same pairs overlapped (translations from 0.57, different nouns up to 0.66).
CONTEXT_SIMILARITY = 0.365
WORDS_AFTER = 3  # "970 migrants", "650,000 barrels per day", "1,500 of the migrants": within 3 words
CHECKED_AT_ONCE = 6  # sentences whose words are encoded in one call
_CACHE_SIZE = 4096
_NUMBER = re.compile(r"^(?:\d[\d.,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                     r"thirty|hundreds?|thousands?|millions?|billions?|dozens?|un|une|deux|trois|quatre|cinq|"
                     r"sept|huit|neuf|dix|douze|vingt|trente|cent|mille|dizaines?|centaines?|milliers?|"
                     r"milliards?)$")
_WORD = re.compile(r"[^\W\d_][\w’'-]*|\d[\d.,]*")


class _Passage(Protocol):
    lang: str | None


class _Scored(Protocol):
    passage: _Passage
    text: str
    score: float


S = TypeVar("S", bound=_Scored)


def counted_spans(text: str) -> list[tuple[str, int, int]]:
    """The content words (lower case) within ``WORDS_AFTER`` words after each number of ``text``,
    each with its offsets, in order, each place once."""
    tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    skip = function_words("en") | function_words("fr")
    found: dict[int, tuple[str, int, int]] = {}
    for i, (token, _, _) in enumerate(tokens):
        if not (_NUMBER.match(fold(token)) or number_token(token)):
            continue
        for word, start, end in tokens[i + 1:i + 1 + WORDS_AFTER]:
            if _NUMBER.match(fold(word)) or number_token(word) or fold(word) in skip or len(word) < 3 or not word[0].isalpha():
                continue
            found.setdefault(start, (word, start, end))
    return [found[start] for start in sorted(found)]


def counted_words(text: str) -> list[str]:
    """The content words (lower case) within ``WORDS_AFTER`` words after each number of ``text``."""
    return list(dict.fromkeys(word for word, _, _ in counted_spans(text)))


def asked_spans(question: str, forms: Sequence[str]) -> list[tuple[int, int]]:
    """Where the question writes the words of its counted noun's ``forms``, each word once, in order:
    "hélicoptères Apache" gives "hélicoptères" and "Apache" (the sentence may count "three Apaches"),
    "demandeurs d'asile" gives "demandeurs" and "asile", each read within the whole question."""
    lowered = question.lower()
    skip = function_words("en") | function_words("fr")
    spans: set[tuple[int, int]] = set()
    for form in forms:
        at = lowered.find(form.lower()) if form else -1
        if at < 0:
            continue
        for word in _WORD.finditer(form):
            if fold(word.group(0)) not in skip and len(word.group(0)) > 2:
                spans.add((at + word.start(), at + word.end()))
    return sorted(spans)


class CountedMeaning:
    """Compares a counted noun with the words numbers count, by meaning (shared across requests)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: VectorCache[str] = VectorCache(_CACHE_SIZE)

    def _vectors(self, words: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(words))
        return dict(zip(wanted, self._cache.vectors(wanted, wanted, self.embedder.embed_queries), strict=True))

    def counting(self, nouns: str | Sequence[str], texts: list[str], question: str = "") -> list[bool]:
        """For each text, whether one of its numbers counts something that means one of ``nouns`` (a
        word, or a noun with its complement: "demandeurs d'asile" means "asylum" more than
        "demandeurs" means "seekers"; a noun with its type name, "hélicoptères Apache" for "three
        Apaches"); a noun counting people without saying which ("personnes", "people") is met by
        any count. With ``question`` (where the nouns are written), words are compared in context."""
        forms = [nouns] if isinstance(nouns, str) else list(nouns)
        if any(fold(f.split()[0]) in people_words() for f in forms):
            return [True] * len(texts)
        if question and texts and self.embedder.gives_piece_vectors:
            found = self._in_context(question, asked_spans(question, forms), texts)
            if found is not None:
                return found
        words = [counted_words(t) for t in texts]
        # each form alone: a batch's other texts move an int8 encoder's vectors by about 0.01
        asked = [self._vectors([f.lower()])[f.lower()] for f in forms]
        vectors = self._vectors(w for ws in words for w in ws)
        return [any(float(vectors[w] @ a) >= COUNTED_SIMILARITY for w in ws for a in asked) for ws in words]

    def _in_context(self, question: str, asked: list[tuple[int, int]], texts: list[str]) -> list[bool] | None:
        """``counting`` by the words' vectors within their sentences (one encoder call for the
        question and the texts); None when the question's noun or its token vectors are not found."""
        spans = [[(start, end) for _, start, end in counted_spans(t)] for t in texts]
        if not asked:
            return None
        _, pieces = self.embedder.embed_documents_with_pieces([question, *texts], None, [asked, *spans], bulk=False)
        wanted = _unit(pieces[0])
        if len(wanted) != len(asked) or not np.any(wanted):
            return None
        found = []
        for own, vectors in zip(spans, pieces[1:], strict=True):
            words = _unit(vectors) if len(vectors) == len(own) else np.zeros((0, wanted.shape[1]))
            found.append(bool(len(words)) and float((words @ wanted.T).max()) >= CONTEXT_SIMILARITY)
        return found

    def keep(self, noun: str | Sequence[str], question_lang: str, ranked: list[S], margin: float,
             question: str = "") -> list[S]:
        """The ranked sentences that may answer "how many ``noun``": same-language ones as they are
        (their noun was checked by spelling), others when they count it. Checked best first, a few
        at a time (each word costs an encoding), and only down to ``margin`` below the best one kept:
        no sentence further down is ever quoted."""
        kept: list[S] = []
        for i in range(0, len(ranked), CHECKED_AT_ONCE):
            chunk = ranked[i:i + CHECKED_AT_ONCE]
            cross = [s for s in chunk if s.passage.lang not in (question_lang, "und")]
            ok = dict(zip(map(id, cross), self.counting(noun, [s.text for s in cross], question), strict=True))
            kept += [s for s in chunk if ok.get(id(s), True)]
            rest = ranked[i + CHECKED_AT_ONCE:]
            if kept and (not rest or rest[0].score < kept[0].score - margin):
                return kept
        return kept


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row, a word cut off by the length cap, stays zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True) if vectors.ndim == 2 else np.zeros((0, 1))
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
