"""The embedded default answerer: the best sentences of the retrieved passages, quoted and cited.

No generation, so nothing can be invented: each claim is a verbatim sentence of an article with its
offsets. Sentences of the top passages are scored by meaning (the same embedding model, so an
English question finds a French sentence), by shared content words, and by whether they hold the
kind of answer asked for (a number for "combien"/"how many", a time for "quand"/"when"). Too weak a
best sentence means the articles do not hold the answer, and the bot says so.
"""

from __future__ import annotations

import re
import tomllib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chatbot.chunking import sentence_spans
from chatbot.embeddings import Embedder
from chatbot.lexical import query_tokens, tokenize
from chatbot.retrieval import Retrieval
from chatbot.schemas import Answer, Citation, Passage

PHRASES = tomllib.loads((Path(__file__).parent / "templates" / "extractive.toml").read_text("utf-8"))
# Calibrated on tests/eval/questions.jsonl (see BENCHMARKS.md): below it, the answer is refused.
DEFAULT_THRESHOLD = 0.50
TOP_PASSAGES = 4
MAX_QUOTES = 2
MARGIN = 0.03
NUMBER_Q = re.compile(r"\b(combien|quel âge|quelle? (?:nombre|population|taille|superficie)|how (?:many|much|old|long)|what (?:age|number|population))\b", re.I)
TIME_Q = re.compile(r"\b(quand|quelle date|à quelle date|en quelle année|depuis quand|when|what date|which date|what year|what time)\b", re.I)
NUMBER_A = re.compile(r"\d|\b(un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|cent|mille|millions?|one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|dozens?|douzaines?)\b", re.I)
TIME_A = re.compile(r"\d{4}|\b(hier|aujourd'hui|demain|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|mi-\w+|fin de l'année|prochain|dernier|depuis|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|yesterday|today|tomorrow|january|february|march|april|may|june|july|august|september|october|november|december|week|month|year|semaine|mois|année)\b", re.I)


@dataclass
class ScoredSentence:
    passage: Passage
    start: int  # offsets in the article's stored text
    end: int
    text: str
    similarity: float
    overlap: float
    score: float


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embedder, threshold: float | None = None) -> None:
        self.embedder = embedder
        self.threshold = threshold if threshold is not None else DEFAULT_THRESHOLD
        self._cache: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()

    # ---- scoring ------------------------------------------------------------------------------
    def _sentence_vectors(self, items: list[tuple[Passage, int, int, str]]) -> np.ndarray:
        keys = [(p.doc_id, s, e) for p, s, e, _ in items]
        todo = [i for i, k in enumerate(keys) if k not in self._cache]
        if todo:
            vecs = self.embedder.embed_documents([items[i][3] for i in todo],
                                                 [items[i][0].title for i in todo])
            for i, vec in zip(todo, vecs, strict=True):
                self._cache[keys[i]] = vec
        for key in keys:
            self._cache.move_to_end(key)
        while len(self._cache) > 20000:
            self._cache.popitem(last=False)
        return np.stack([self._cache[k] for k in keys]) if keys else np.zeros((0, 1))

    def score_sentences(self, question: str, query: str, retrieval: Retrieval) -> list[ScoredSentence]:
        """Every sentence of the top passages, best first."""
        items: list[tuple[Passage, int, int, str]] = []
        seen: set[tuple[str, int]] = set()
        for passage in retrieval.passages[:TOP_PASSAGES]:
            for s, e in sentence_spans(passage.text):
                key = (passage.doc_id, passage.start + s)
                if key in seen or e - s < 12:
                    continue
                seen.add(key)
                items.append((passage, passage.start + s, passage.start + e, passage.text[s:e]))
        if not items:
            return []
        sims = self._sentence_vectors(items) @ retrieval.query_vector
        langs = {p.lang for p, *_ in items} | {"fr", "en"}
        wanted = set(query_tokens(query, langs))
        wants_number = bool(NUMBER_Q.search(question))
        wants_time = bool(TIME_Q.search(question))
        scored = []
        for rank_bonus, ((passage, s, e, text), sim) in zip(self._rank_bonus(items, retrieval), sims, strict=True):
            stems = set(tokenize(text, passage.lang if passage.lang in ("fr", "en") else "en"))
            stems |= set(tokenize(text, "en" if passage.lang == "fr" else "fr"))
            overlap = len(wanted & stems) / len(wanted) if wanted else 0.0
            score = float(sim) + 0.25 * overlap + rank_bonus
            if wants_number and not NUMBER_A.search(text):
                score -= 0.12
            if wants_time and not TIME_A.search(text):
                score -= 0.12
            scored.append(ScoredSentence(passage, s, e, text, float(sim), overlap, score))
        return sorted(scored, key=lambda x: x.score, reverse=True)

    @staticmethod
    def _rank_bonus(items: list[tuple[Passage, int, int, str]], retrieval: Retrieval) -> list[float]:
        order = {p.chunk_id: r for r, p in enumerate(retrieval.passages)}
        return [0.02 / (1 + order.get(p.chunk_id, 9)) for p, *_ in items]

    # ---- answering ----------------------------------------------------------------------------
    def answer(self, question: str, query: str, retrieval: Retrieval, lang: str) -> Answer:
        phrases = PHRASES.get(lang, PHRASES["en"])
        if not retrieval.passages:
            return Answer(answer=phrases["empty_index"], refused=True, query=query, answerer=self.name)
        ranked = self.score_sentences(question, query, retrieval)
        if not ranked or ranked[0].score < self.threshold:
            return self.refusal(query, retrieval, lang)
        chosen = [ranked[0]]
        for cand in ranked[1:]:
            if len(chosen) >= MAX_QUOTES or cand.score < ranked[0].score - MARGIN:
                break
            if all(abs(cand.start - c.start) > 0 or cand.passage.doc_id != c.passage.doc_id for c in chosen):
                chosen.append(cand)
        return self.compose(chosen, query, retrieval, lang)

    def refusal(self, query: str, retrieval: Retrieval, lang: str) -> Answer:
        phrases = PHRASES.get(lang, PHRASES["en"])
        return Answer(answer=phrases["refusal"], refused=True, query=query,
                      passages=retrieval.passages, answerer=self.name)

    def compose(self, chosen: list[ScoredSentence], query: str, retrieval: Retrieval, lang: str) -> Answer:
        phrases = PHRASES.get(lang, PHRASES["en"])
        quote_langs = {c.passage.lang for c in chosen}
        note = ""
        if quote_langs and quote_langs != {lang}:
            names = [phrases["languages"].get(q, q) for q in sorted(quote_langs)]
            note = phrases["lang_note"].format(language=", ".join(names))
        lines = [phrases["lead"].format(lang_note=note)]
        citations = []
        for n, c in enumerate(chosen, start=1):
            lines.append(phrases["quote"].format(quote=c.text, n=n))
            citations.append(Citation(
                n=n, doc_id=c.passage.doc_id, title=c.passage.title, source=c.passage.source,
                date=c.passage.date, start=c.start, end=c.end, quote=c.text,
                chunk_id=c.passage.chunk_id,
            ))
        separator = " " if len(chosen) == 1 else "\n"
        return Answer(answer=separator.join(lines), citations=citations, refused=False, query=query,
                      passages=retrieval.passages, answerer=self.name)
