"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, fused, de-duplicated, diversified.

Dense search (Chroma's index; ranked exactly from memory when every language of a multilingual
corpus is held, see ``_nearest``) carries meaning across languages (an English question finds a French passage);
BM25 pins exact names, numbers and rare words. The two are fused on their scores, each read
against this query's own candidates (see ``_fuse``), so the encoder's confidence is kept: a passage
far ahead in meaning is not overtaken by word matches. Near-duplicate passages (overlapping chunks
of one article, or the same wire story in two outlets) are collapsed, and a per-article decay keeps
one long article from crowding out the others. An optional cross-encoder reorders the head.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chatbot.encoder.base import Embedder
from chatbot.encoder.pieces import PieceVectors, piece_spans
from chatbot.retrieval.alongside import LexicalFound, lexical_step, while_encoding
from chatbot.retrieval.diversity import dedupe_and_diversify
from chatbot.retrieval.filters import Filters, Scope, ScopeCache
from chatbot.retrieval.language_slots import cover_languages
from chatbot.retrieval.languages import HeldLanguages
from chatbot.retrieval.named import cover_names
from chatbot.retrieval.readings import Readings, dense_scale
from chatbot.retrieval.recency import recent_first, wants_latest
from chatbot.retrieval.subset import Memory, nearest_among
from chatbot.retrieval.wire import collapse, copies_map
from chatbot.schemas import Passage
from chatbot.store.hits import Hit
from chatbot.store.live_index import ArticleIndex, View
from chatbot.text.language import question_language

log = logging.getLogger(__name__)
# The most a BM25 match adds to a passage, in units of this query's spread of similarities (from
# the median dense candidate to the best): a lexical first place can lift a passage over one the
# encoder finds up to a third of that spread better, never over a clear winner. Measured over
# 0.15-0.5 on three corpora (BENCHMARKS.md section 16), the rankings hardly move: the mechanism,
# not the value, is what keeps the fusion at least as good as its better input.
LEXICAL_WEIGHT = 0.3
# BM25 is blind across languages and the encoder leans towards passages in the question's own
# language, so an English question would favour English articles on the same topic over the French
# passage that answers it. In a multilingual corpus the nearest chunks of each language are fetched
# too (their rank there is kept as "dense_lang"), and a passage's similarity is also read against
# the nearest chunks of its own language; the better of the two readings counts
# (chatbot.retrieval.readings says how a language that holds the answer is told from one that only
# has a best page). The best of another language are also given places among the results shown
# (chatbot.retrieval.language_slots).
PER_LANGUAGE = 10
# A language of at most this many chunks is held in memory for its exact nearest-chunk search
# (chatbot.retrieval.languages): one matrix product instead of a filtered Chroma search (on a 100k-chunk
# index that step went from 129 to 13 ms with 20,000 instead of 5,000). The vectors take 20,000 x 768
# (EmbeddingGemma's dimension) float32 = 61 MB, with texts and metadata about 100 MB, per language held
# at most; uploads, edits and removals are read article by article (BENCHMARKS.md section 22a).
SMALL_LANGUAGE = 20_000
# Under a filter, BM25's hits are checked against the articles that pass among at most this many
# times the candidates wanted.
LEXICAL_OVERFETCH = 20
WARM_UP = ("Que s'est-il passé ?", "What happened?")  # searched by prepare(), one per language


@dataclass
class Candidate:
    chunk_id: str
    text: str
    meta: dict[str, Any]
    dense: float = 0.0
    lexical: float = 0.0
    fused: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)

    def passage(self, score: float) -> Passage:
        m = self.meta
        return Passage(
            doc_id=str(m.get("doc_id", "")), title=str(m.get("title", "")), source=m.get("source"),
            date=m.get("date"), lang=str(m.get("lang", "und")), chunk_id=self.chunk_id,
            start=int(m.get("start", 0)), end=int(m.get("end", 0)), text=self.text,
            score=round(float(score), 4), also_in=list(m.get("also_in", [])),
        )


@dataclass
class Retrieval:
    """What one search found: passages best first, the query vector, and the raw signals."""

    passages: list[Passage]
    candidates: list[Candidate]
    query_vector: np.ndarray
    timings_ms: dict[str, float]
    extra_vectors: dict[str, np.ndarray] = field(default_factory=dict)  # see Retriever.search
    piece_loader: Callable[[list[Passage]], dict[str, PieceVectors]] | None = None
    _pieces: dict[str, PieceVectors] = field(default_factory=dict)
    scope: Scope | None = None  # the filter the search ran under (see chatbot.retrieval.filters)

    def pieces_of(self, passages: list[Passage]) -> dict[str, PieceVectors]:
        """Sentence and clause vectors of these passages (chatbot.encoder.pieces), loaded on first need:
        a search alone never pays for them."""
        todo = [p for p in passages if p.chunk_id not in self._pieces]
        if todo and self.piece_loader is not None:
            self._pieces.update(self.piece_loader(todo))
        return {p.chunk_id: self._pieces[p.chunk_id] for p in passages if p.chunk_id in self._pieces}


def _nothing(scope: Scope | None) -> Retrieval:
    """The search's answer when no article passes its filter: ``scope`` says which filter."""
    return Retrieval([], [], np.zeros(0, dtype=np.float32), {}, scope=scope)


class Retriever:
    def __init__(self, index: ArticleIndex, embedder: Embedder, candidates: int = 30,
                 reranker: Any | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.reranker = reranker
        self._held = HeldLanguages(SMALL_LANGUAGE)  # small languages' chunks in memory
        self._copy_links: tuple[tuple, dict[str, frozenset[str]]] | None = None  # see _copies
        self._scopes = ScopeCache()  # filters resolved and the manifest read, per index version
        self._among = Memory()  # vectors of small filters' articles (chatbot.retrieval.subset)

    def search(self, query: str, k: int = 5, also_encode: list[str] | None = None,
               filters: Filters | None = None) -> Retrieval:
        """The best ``k`` passages; a rebuild switching generations meanwhile is followed, not fatal.

        ``also_encode``: other query texts the answerer will need, encoded once the passages are
        found (each on its own, as the query: chatbot.encoder.embedder) and returned in
        ``extra_vectors``.
        ``filters``: dates, outlets, articles the passages must come from; when no article passes,
        the result is empty and its ``scope`` says so.
        """
        with self._among.searching():  # the background reads of chatbot.retrieval.subset wait for idle time
            return self.index.retrying(lambda: self._search(query, k, also_encode or [], filters))

    def prepare(self) -> None:
        """Read now what the first search of this index version would (the manifest, the near-copy
        links, every language small enough to hold: about 5 s for 8,000 chunks), and search once in
        each language, so that a server says ready only once a question costs what later ones do."""
        def warm() -> None:
            self.index.refresh()
            view = self.index.view()
            manifest = self.manifest(view)
            self._copies(view, manifest)
            langs = sorted(view.lexical.langs)
            if len(langs) >= 2:  # see PER_LANGUAGE: one language is never searched on its own
                for lang in langs:
                    self._held.held(view, manifest, lang)

        self.index.retrying(warm)
        for query in WARM_UP:  # the encoder's first run, word lists and libraries loaded on first use
            self.search(query, 1)

    def _scope(self, view: View, filters: Filters) -> Scope:
        """The articles ``filters`` pass in ``view``'s index version (resolved once per version)."""
        return self._scopes.scope(view.version, filters, view.store.manifest)

    def outlets(self) -> frozenset[str]:
        """The outlets of the indexed articles, each once (read once per index version)."""
        view = self.index.view()
        return self._scopes.outlets(view.version, view.store.manifest)

    def manifest(self, view: View) -> dict[str, dict[str, Any]]:
        """The manifest of ``view``'s index version, read once per version."""
        return self._scopes.manifest(view.version, view.store.manifest)

    def _search(self, query: str, k: int, also_encode: list[str], filters: Filters | None = None) -> Retrieval:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()

        def encode() -> np.ndarray:
            return self.embedder.embed_queries([query])

        active = filters if filters is not None and filters.active else None
        if active is not None:
            last = self.index.view()
            if last.lexical is None or self._scope(last, active).empty:
                # the filter first: one matching nothing (in the index as last seen, and again once
                # it is brought up to date) costs no encoding
                self.index.refresh()
                first = self._scope(self.index.view(), active)
                if first.empty:
                    return _nothing(first)

        def fresh_lexical() -> tuple[View, Scope | None, LexicalFound | None]:
            """The index's freshness (two store reads), the filter and BM25, while the question is
            encoded; no BM25 for a filter whose articles were removed meanwhile."""
            self.index.refresh()
            fresh = self.index.view()
            now = self._scope(fresh, active) if active is not None else None
            if now is not None and now.empty:
                return fresh, now, None
            return fresh, now, lexical_step(fresh, query, self.candidates, now, LEXICAL_OVERFETCH)

        t1 = time.perf_counter()
        encoded, (view, scope, found), encode_ms, lexical_ms = while_encoding(encode, fresh_lexical)
        if found is None:
            return _nothing(scope)
        qvec, lexical = encoded[0], found.hits
        t2 = time.perf_counter()
        dense, by_language = self._nearest(view, qvec, scope)
        t4 = time.perf_counter()
        query_lang = question_language(query)
        fused = self._fuse(view, dense, lexical, qvec, scope, query_lang, found.records, by_language)
        manifest = self.manifest(view)
        fused = collapse(fused, self._copies(view, manifest), manifest)  # near-copies answer once
        heads = dedupe_and_diversify(fused)  # see chatbot.retrieval.diversity
        if self.reranker is not None and heads:
            heads = self._rerank(query, heads)
        heads = cover_languages(heads, k, query_lang)
        heads = cover_names(query, heads, k)  # see chatbot.retrieval.named
        if wants_latest(query):
            heads = recent_first(heads, lambda c: c.fused, lambda c: c.meta.get("day"))
        t5 = time.perf_counter()
        extra = self.embedder.embed_queries(also_encode) if also_encode else []
        timings.update(refresh=(t1 - t0) * 1000, embed_query=encode_ms, lexical=lexical_ms,
                       lexical_wait=(t2 - t1) * 1000 - encode_ms, dense=(t4 - t2) * 1000, fuse=(t5 - t4) * 1000)
        if also_encode:
            timings["embed_extra"] = (time.perf_counter() - t5) * 1000
        passages = [c.passage(c.fused) for c in heads[:k]]
        return Retrieval(passages, heads, qvec, {k_: round(v, 2) for k_, v in timings.items()},
                         dict(zip(also_encode, extra, strict=True)),
                         lambda wanted: self._load_pieces(view, wanted), scope=scope)

    def _nearest(self, view: View, qvec: np.ndarray, scope: Scope | None) -> tuple[list[Hit], dict[str, list[Hit]]]:
        """The dense candidates, and each language's own nearest chunks when they were found on the way.

        A corpus of several languages, every one held, is ranked exactly from them
        (``HeldLanguages.nearest_by_language``): the merged lists are the candidates, and each list
        is that language's nearest for ``_dense_by_language``. Otherwise Chroma's index ranks them."""
        if len(view.lexical.langs) >= 2:  # see PER_LANGUAGE: a single language is not held
            by_language = self._held.nearest_by_language(view, self.manifest(view), qvec, self.candidates,
                                                         scope.docs if scope is not None else None)
            if by_language is not None:
                merged = sorted((hit for hits in by_language.values() for hit in hits), key=lambda hit: -hit.similarity)
                return merged[:self.candidates], by_language
        if scope is not None:  # see chatbot.retrieval.subset: Chroma's filtered query is slow
            return nearest_among(view.store, qvec, self.candidates, scope.docs, self.manifest(view), scope.where,
                                 scope.chunks, self._among), {}
        return self.index.dense(view, qvec, self.candidates), {}

    def _copies(self, view: View, manifest: dict[str, dict[str, Any]]) -> dict[str, frozenset[str]]:
        """The near-copy links of ``view``'s index version, worked out once per version (reading
        them from a 14,000-article manifest took about 35 ms, on every search)."""
        key = view.version
        found = self._copy_links
        if found is None or found[0] != key:
            found = (key, copies_map(manifest))
            self._copy_links = found  # one assignment: request threads see the old or the new pair
        return found[1]

    def _load_pieces(self, view: View, passages: list[Passage]) -> dict[str, PieceVectors]:
        """Cached piece vectors; a chunk without them (indexed by another replica, or before the
        cache existed) is encoded once more to get them, and they are cached for next time."""
        found = view.store.piece_vectors([(p.chunk_id, p.text) for p in passages])
        missing = [p for p in passages if p.chunk_id not in found]
        if not missing or not self.embedder.gives_piece_vectors:
            return found
        spans = [piece_spans(p.text) for p in missing]
        _, vectors = self.embedder.embed_documents_with_pieces([p.text for p in missing], [p.title for p in missing],
                                                               spans, bulk=False)
        fresh = []
        for passage, own, vecs in zip(missing, spans, vectors, strict=True):
            if len(vecs) != len(own):
                continue  # this model gives no piece vectors: sentences get encoded instead
            fresh.append((passage.doc_id, passage.chunk_id, passage.text, own, vecs))
            found[passage.chunk_id] = PieceVectors(np.asarray(own, dtype=np.int32).reshape(-1, 2), vecs)
        view.store.keep_piece_vectors(fresh)
        return found

    def _fuse(self, view: View, dense: list[Hit], lexical: list[tuple[str, float]], qvec: np.ndarray,
              scope: Scope | None = None, query_lang: str = "", read: dict[str, Hit] | None = None,
              by_language: dict[str, list[Hit]] | None = None) -> list[Candidate]:
        """Dense and lexical candidates in one pool, scored on meaning plus a gated word bonus.

        Scores are read against this query's own candidates (chatbot.retrieval.readings), so the
        encoder's confidence is kept: a passage far ahead in meaning is not overtaken by word matches.
        ``by_language``: languages' nearest chunks already found (see ``_nearest``).
        """
        pool: dict[str, Candidate] = {}
        for rank, hit in enumerate(dense):
            pool[hit.chunk_id] = Candidate(hit.chunk_id, hit.text, hit.meta, dense=hit.similarity, ranks={"dense": rank})
        readings = Readings(dense_scale([hit.similarity for hit in dense]), query_lang)
        for found in self._dense_by_language(view, qvec, dense, scope, by_language or {}):  # see PER_LANGUAGE
            hits = [h for h in found if scope.chunk_passes(h.chunk_id)] if scope is not None else found
            if hits:
                readings.languages[hits[0].lang] = dense_scale([h.similarity for h in hits])
            for rank, hit in enumerate(hits):
                pool.setdefault(hit.chunk_id, Candidate(hit.chunk_id, hit.text, hit.meta,
                                                        dense=hit.similarity)).ranks["dense_lang"] = rank
        missing = [cid for cid, _ in lexical if cid not in pool]  # ``read``: BM25's chunks read already
        for cid, hit in (read if read is not None else view.store.get_chunks(missing)).items():
            if cid in missing:
                pool[cid] = Candidate(cid, hit.text, hit.meta, dense=float(hit.vector @ qvec))
        top_lex = lexical[0][1] if lexical else 1.0
        for rank, (cid, score) in enumerate(lexical):
            if cid in pool:
                pool[cid].lexical = score / top_lex if top_lex else 0.0
                pool[cid].ranks["lexical"] = rank
        for cand in pool.values():
            plausible = readings.plausible(cand.dense)
            meaning = readings.meaning(cand.dense, str(cand.meta.get("lang")))
            # A lexical match counts in proportion to how plausible the encoder finds the passage
            # among all passages: fully at the best similarity, not at all at the median or below.
            # Where many passages share the question's words (technical sections all speak of files
            # and packages), word matches the encoder ranks far down cannot outvote its best passage.
            # Being the best of its language is no reason to trust a word match: the reading within
            # a language exists for meaning across languages, which words do not carry.
            cand.fused = meaning + LEXICAL_WEIGHT * cand.lexical * min(1.0, max(0.0, plausible))
        return sorted(pool.values(), key=lambda c: (c.fused, c.dense), reverse=True)

    def _dense_by_language(self, view: View, qvec: np.ndarray, dense: list[Hit], scope: Scope | None = None,
                           known: dict[str, list[Hit]] | None = None) -> list[list[Hit]]:
        """Nearest chunks within each language of a multilingual corpus (of the articles ``scope``
        lets through, when a filter is given).

        A language whose nearest chunks the dense step found already (``known``) takes them; one
        that fills PER_LANGUAGE places of the global list has them there; only the others need a
        search of their own (chatbot.retrieval.subset). Under a filter, a global list shorter than
        asked already holds every chunk that passes, and a language none of whose articles passes
        is not searched.
        """
        langs = sorted(view.lexical.langs)
        if len(langs) < 2:
            return []
        known = known or {}
        out = []
        for lang in langs:
            if lang in known:
                out.append(known[lang][:PER_LANGUAGE])
                continue
            hits = [hit for hit in dense if hit.meta.get("lang") == lang]
            if len(hits) < PER_LANGUAGE and (scope is None or len(dense) >= self.candidates):
                hits = self._nearest_in_language(view, qvec, lang, scope)
            out.append(hits[:PER_LANGUAGE])
        return out

    def _nearest_in_language(self, view: View, qvec: np.ndarray, lang: str, scope: Scope | None = None) -> list[Hit]:
        """A small language is held in memory and searched exactly (chatbot.retrieval.languages),
        under a filter among the held rows of the articles that pass; a filtered Chroma search costs
        ~100 ms on a 100k-chunk index even when only a few chunks match, so a larger one is searched
        among its (passing) articles by chatbot.retrieval.subset."""
        manifest = self.manifest(view)
        part = scope.language(lang) if scope is not None else None
        if part is not None and not part.docs:
            return []
        held = self._held.nearest(view, manifest, lang, qvec, PER_LANGUAGE, part.docs if part else None)
        if held is not None:  # under a filter, the held rows of the passing articles
            return held
        if scope is not None and part is not None:
            where = {"$and": [scope.where, {"lang": lang}]} if scope.where else {"lang": lang}
            return nearest_among(view.store, qvec, PER_LANGUAGE, part.docs, manifest, where, part.chunks,
                                 self._among)
        docs = self._held.articles(view, manifest, lang)
        return nearest_among(view.store, qvec, PER_LANGUAGE, docs & view.committed, manifest, {"lang": lang},
                             memory=self._among)

    def _rerank(self, query: str, heads: list[Candidate]) -> list[Candidate]:
        top = heads[:20]
        scores = self.reranker.predict([(query, c.text) for c in top], show_progress_bar=False)
        order = np.argsort(-np.asarray(scores, dtype=np.float32))
        reranked = [top[i] for i in order]
        ceiling = max(c.fused for c in top)
        for rank, cand in enumerate(reranked):  # the reranker's order, on the fused scale
            cand.ranks["rerank"] = rank
            cand.fused = ceiling - 0.01 * rank
        return reranked + heads[20:]
