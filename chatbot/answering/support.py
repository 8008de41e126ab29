"""Does a passage really say what a generated sentence claims? The check behind every LLM citation.

A small model cites ``[1]`` after sentences that passage 1 never said, or after the right sentence
with the wrong number. Each claim is therefore compared with every sentence (and pair of adjacent
sentences) of the passages it could come from, on three signals:

* numbers: a number in the claim that the passage does not contain is an invention (ages, dates);
* shared content words: Snowball stems, accents folded, matched on a common prefix so that
  "égyptien" supports "Égypte" and "conference" supports "conférence";
* meaning: cosine of the embedding model's vectors, the only signal that crosses languages (an
  English claim about a French article shares few words with it);
* names: every name of the claim must be in the quote, its passage's title or the question
  (``facts.missing_names``, across French and English): "le Soudan" is not supported by "soutien
  saoudien", however close the two are in meaning;
* relation: when the quote holds the claim's names, the claim's other content words must sit in
  the clauses around those names. "The ANL controls Tripoli" is not supported by "the ANL ... heads
  for Tripoli, from the east of the country, already under their control": every word is there,
  but the control is said of the east.

A claim in the passage's language must share most of its content words; across languages the
embedding must be close. The thresholds were set on paraphrased and invented claims about the seed
article; they are deliberately strict, since an unsupported sentence is dropped, never shown cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from chatbot.answering.facts import missing_names, same_name
from chatbot.answering.facts import names as name_words
from chatbot.encoder.base import Embedder
from chatbot.encoder.vector_cache import VectorCache
from chatbot.schemas import Passage
from chatbot.text.sentences import sentence_spans
from chatbot.text.words import tokenize

SAME_LANG_OVERLAP = 0.6  # share of claim stems found in the quote, same language
SAME_LANG_OVERLAP_WITH_MEANING = 0.4
SAME_LANG_MEANING = 0.6
CROSS_LANG_MEANING = 0.55  # across languages: close in meaning and sharing some words (names) ...
CROSS_LANG_MEANING_MIN_OVERLAP = 0.25
CROSS_LANG_OVERLAP = 0.65  # ... or sharing two thirds of its words and not far in meaning (terse answers)
CROSS_LANG_OVERLAP_MIN_MEANING = 0.35
PREFIX = 5
PAIR_PENALTY = 0.08  # a two-sentence quote must be clearly better than one sentence
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CLAUSE = re.compile(r"[,;:()«»\"“”]|\s[–—-]\s")
_WORDS = re.compile(r"\w+")


@dataclass
class Support:
    """The best quote of one passage for one claim, with the signals that judged it."""

    passage: Passage
    start: int  # offsets in the passage text
    end: int
    overlap: float
    similarity: float
    numbers_ok: bool
    supported: bool
    names_ok: bool = True
    relation_ok: bool = True

    @property
    def quote(self) -> str:
        return self.passage.text[self.start:self.end]

    @property
    def strength(self) -> float:
        return self.similarity + 0.3 * self.overlap if self.supported else -1.0


def _lang(lang: str) -> str:
    return lang if lang in ("fr", "en") else "en"


def stems(text: str, lang: str) -> set[str]:
    return set(tokenize(text, _lang(lang)))


def overlap(claim: set[str], quote: set[str]) -> float:
    """Share of the claim's stems that the quote holds (equal, or a common prefix of 5+ letters)."""
    if not claim:
        return 0.0
    prefixes = {s[:PREFIX] for s in quote if len(s) >= PREFIX}
    found = sum(1 for s in claim if s in quote or (len(s) >= PREFIX and s[:PREFIX] in prefixes))
    return found / len(claim)


def numbers(text: str) -> set[str]:
    return {n.replace(",", ".") for n in _NUMBER.findall(text)}


class SupportChecker:
    """Scores claims against passages; vectors of sentences are cached across questions."""

    def __init__(self, embedder: Embedder | None = None, cache_size: int = 5000) -> None:
        self.embedder = embedder
        self._cache: VectorCache[str] = VectorCache(maxsize=cache_size)  # shared by request threads

    def _vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        if self.embedder is None:
            return {}
        return dict(zip(texts, self._cache.vectors(texts, texts, self.embedder.embed_documents), strict=True))

    def check(self, claims: list[str], passages: list[Passage], lang: str,
              context: str = "") -> list[list[Support]]:
        """For each claim, the best quote of each passage (same order as ``passages``); names found
        in ``context`` (the question) count as known."""
        spans = {p.chunk_id: [(s, e) for s, e in sentence_spans(p.text) if e - s >= 8] or [(0, len(p.text))]
                 for p in passages}
        sentences = [p.text[s:e] for p in passages for s, e in spans[p.chunk_id]]
        vectors = self._vectors(claims + sentences)
        results: list[list[Support]] = []
        for claim in claims:
            claim_stems = stems(claim, lang)
            claim_numbers = numbers(claim)
            per_passage = []
            for passage in passages:
                allowed = numbers(" ".join([passage.text, passage.title, passage.date or ""]))
                numbers_ok = claim_numbers <= allowed
                best: tuple[tuple[bool, float], Support] | None = None
                for start, end, vec, pair in self._windows(passage, spans[passage.chunk_id], vectors):
                    quote = passage.text[start:end]
                    ov = overlap(claim_stems, stems(quote, passage.lang) | stems(quote, lang))
                    sim = float(vec @ vectors[claim]) if vec is not None and claim in vectors else 0.0
                    ok = numbers_ok and self._judge(ov, sim, same_lang=_lang(passage.lang) == _lang(lang))
                    names_ok = relation = True
                    if ok:
                        names_ok = not missing_names(claim, f"{quote} {passage.title} {context}")
                        relation = names_ok and related(claim, quote, lang, passage.lang)
                        ok = names_ok and relation
                    key = (ok, sim + 0.3 * ov - (PAIR_PENALTY if pair else 0.0))
                    if best is None or key > best[0]:
                        best = (key, Support(passage, start, end, ov, sim, numbers_ok, ok, names_ok, relation))
                assert best is not None
                per_passage.append(best[1])
            results.append(per_passage)
        return results

    def _judge(self, ov: float, sim: float, same_lang: bool) -> bool:
        if self.embedder is None:  # words only
            return ov >= SAME_LANG_OVERLAP
        if same_lang:
            return ov >= SAME_LANG_OVERLAP or (ov >= SAME_LANG_OVERLAP_WITH_MEANING and sim >= SAME_LANG_MEANING)
        return (sim >= CROSS_LANG_MEANING and ov >= CROSS_LANG_MEANING_MIN_OVERLAP) or \
            (ov >= CROSS_LANG_OVERLAP and sim >= CROSS_LANG_OVERLAP_MIN_MEANING)

    @staticmethod
    def _windows(passage: Passage, spans: list[tuple[int, int]],
                 vectors: dict[str, np.ndarray]) -> list[tuple[int, int, np.ndarray | None, bool]]:
        """Single sentences and adjacent pairs (a pair's vector: the normalised sum of both)."""
        out: list[tuple[int, int, np.ndarray | None, bool]] = []
        vecs = [vectors.get(passage.text[s:e]) for s, e in spans]
        for i, (s, e) in enumerate(spans):
            out.append((s, e, vecs[i], False))
            if i + 1 < len(spans):
                pair = None
                if vecs[i] is not None and vecs[i + 1] is not None:
                    summed = vecs[i] + vecs[i + 1]
                    pair = summed / (np.linalg.norm(summed) or 1.0)
                out.append((s, spans[i + 1][1], pair, True))
        return out


def related(claim: str, quote: str, lang: str, quote_lang: str) -> bool:
    """Whether the claim's content words sit next to its names in the quote (see module doc).

    The quote is cut into clauses (commas, brackets, quotation marks, dashes). Among the claim's
    non-name content words found in the quote, at least half must be in a clause holding one of the
    claim's names, or the clause just before or after it. Claims whose names or other words the
    quote does not hold are left to the other checks."""
    clauses = [c for c in _CLAUSE.split(quote) if _WORDS.search(c)]
    claim_names = name_words(claim)
    at_name = {i for i, c in enumerate(clauses) for w in _WORDS.findall(c)
               if any(same_name(n, w) for n in claim_names)}
    if not at_name:
        return True
    predicate = stems(claim, lang) - stems(" ".join(claim_names), lang)
    clause_stems = [stems(c, quote_lang) | stems(c, lang) for c in clauses]
    found = [[i for i, cs in enumerate(clause_stems) if overlap({s}, cs) > 0] for s in predicate]
    found = [where for where in found if where]
    if not found:
        return True
    near = sum(1 for where in found if any(abs(i - j) <= 1 for i in where for j in at_name))
    return near >= max(1.0, len(found) / 2)


def content_size(text: str, lang: str) -> int:
    """How many content words a sentence has (connectives like "Oui." have none)."""
    return len(stems(text, lang))

