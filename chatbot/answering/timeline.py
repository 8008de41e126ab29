"""A timeline of a story: dated, verified quotes from the articles, oldest first.

"How did the fight for the oil ports unfold?" is best answered as a sequence. The timeline takes
the passages retrieval finds for the query (filters apply), keeps those close in relevance to the
best one (within RELEVANT_GAP of its cosine similarity), and from each dated article picks the
sentence nearest to the query (the sentence vectors cached at indexing, see chatbot.encoder.pieces;
the opening sentence of the passage when none are cached). Each event's quote is checked against
the stored article text like any citation. A sentence repeated in a near-copy (chatbot.store.copies)
is one event that lists the copy in ``also_in``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel

from chatbot.answering.citations import anchor
from chatbot.answering.provenance import annotate
from chatbot.retrieval.filters import Filters
from chatbot.retrieval.retriever import Retriever
from chatbot.schemas import Citation, Passage
from chatbot.text.sentences import sentence_spans

CANDIDATES = 30
RELEVANT_GAP = 0.10
ArticleLookup = Callable[[str], tuple[dict[str, Any], str] | None]


class Event(BaseModel):
    date: str
    quote: str
    citation: Citation


class Timeline(BaseModel):
    events: list[Event]
    query: str
    message: str | None = None  # why there are no events (a filter matching nothing)


def build_timeline(retriever: Retriever, lookup: ArticleLookup, query: str,
                   filters: Filters | None = None, limit: int = 20) -> Timeline:
    retrieval = retriever.search(query, CANDIDATES, filters=filters)
    if retrieval.scope is not None and retrieval.scope.empty:
        return Timeline(events=[], query=query, message=retrieval.scope.message())
    dense = {c.chunk_id: c.dense for c in retrieval.candidates}
    best = max(dense.values(), default=0.0)
    relevant = [p for p in retrieval.passages if p.date and dense.get(p.chunk_id, 0.0) >= best - RELEVANT_GAP]
    firsts: list[Passage] = []
    seen: set[str] = set()
    for passage in relevant:  # best passage of each article
        if passage.doc_id not in seen:
            seen.add(passage.doc_id)
            firsts.append(passage)
    pieces = retrieval.pieces_of(firsts)
    events: list[Event] = []
    by_quote: dict[str, Event] = {}
    for passage in firsts[:limit]:
        start, end = _best_sentence(passage, pieces.get(passage.chunk_id), retrieval.query_vector)
        quote = passage.text[start:end]
        found = lookup(passage.doc_id)
        citation = anchor(Citation(n=len(events) + 1, doc_id=passage.doc_id, title=passage.title,
                                   start=passage.start + start, end=passage.start + end, quote=quote,
                                   chunk_id=passage.chunk_id), found[1] if found else None)
        if citation is None:
            continue
        citation = annotate([citation], lookup)[0]
        key = re.sub(r"\s+", " ", quote).strip()
        shown = {e.citation.doc_id for e in events}
        if key in by_quote or any(c.get("doc_id") in shown for c in citation.also_in):
            continue  # the same sentence in a near-copy that already has its event: one event
        event = Event(date=str(citation.date or passage.date), quote=quote, citation=citation)
        by_quote[key] = event
        events.append(event)
    events.sort(key=lambda e: (e.date, e.citation.doc_id, e.citation.start))
    for n, event in enumerate(events, start=1):
        event.citation.n = n
    return Timeline(events=events, query=query)


def _best_sentence(passage: Passage, pieces: Any, qvec: np.ndarray) -> tuple[int, int]:
    """Offsets (in the passage text) of its sentence nearest to the query."""
    spans = sentence_spans(passage.text) or [(0, len(passage.text))]
    if pieces is None or qvec.size == 0:
        return spans[0]
    best, best_score = spans[0], -2.0
    for start, end in spans:
        vector = pieces.span_vector(start, end)
        if vector is not None:
            score = float(np.asarray(vector, dtype=np.float32) @ qvec)
            if score > best_score:
                best, best_score = (start, end), score
    return best
