"""A timeline of a story: dated, verified quotes from the articles, ordered by the day of each event.

"How did the fight for the oil ports unfold?" is best answered as a sequence. The timeline takes
the passages retrieval finds for the query (filters apply) and keeps those close in relevance to the
best one (within overview.TOPIC_GAP of its cosine similarity, the band a brief on a topic reads).
Their sentences are scored against the query (the sentence vectors cached at indexing, see
chatbot.encoder.pieces; a sentence that asks a question, such as a "Will losing the ports end ...?"
link to another article, tells of no event, nor one opening with a link's label, "READ MORE: Battle
for Mosul upends false Iraq narrative"). Each dated
article gives its sentence nearest to the query, and up to PER_ARTICLE - 1 more that name a day of
their own ("on March 3", "on Friday", see ``event_dates``) and score at least as well as the median
sentence of the kept passages: a report of 14 March often tells the fight of the 3rd, the losses of
the 10th and the counter-attack of the 14th (a best sentence naming no day gives way to one naming
its article's own day). An event is dated by the day its sentence names, else by
its article's publication day (``reported``). A sentence whose main clause tells of a deed still
to come ("The court is expected to rule by the end of the week", ``weekday_tense.tells_ahead``) is no event
of its report's day: it is shown only when it names its day (that day or a later one), the day it
was due, with ``ahead`` set. A date range keeps the events it holds, of the
articles published in it. Each quote is checked against the stored article text
like any citation. A sentence repeated in a near-copy (chatbot.store.copies) is one event that lists
the copy in ``also_in``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from chatbot.answering.citations import anchor
from chatbot.answering.event_dates import EventDay, event_day
from chatbot.answering.overview import TOPIC_GAP
from chatbot.answering.provenance import annotate
from chatbot.answering.topic_mentions import named_count, unmentioned
from chatbot.answering.weekday_tense import tells_ahead
from chatbot.retrieval.filters import Filters
from chatbot.retrieval.retriever import Retriever
from chatbot.schemas import Citation, Passage
from chatbot.text.sentences import is_teaser, sentence_spans
from chatbot.text.words import squeeze

CANDIDATES = 30
PER_ARTICLE = 3
ArticleLookup = Callable[[str], tuple[dict[str, Any], str] | None]
NOT_NAMED = "no article found for this timeline mentions {names}"


class Event(BaseModel):
    date: str  # the day the event happened: the one its sentence names, else ``reported``
    quote: str
    citation: Citation
    reported: str | None = None  # the article's publication date
    dated_by: str | None = None  # the words of the quote that name ``date`` (None: the article's day)
    ahead: bool = False  # the quote told of what was still to come on ``reported`` (due on ``date``)


class Timeline(BaseModel):
    events: list[Event]
    query: str
    message: str | None = None  # why there are no events (a filter matching nothing, a name unmentioned)
    unmentioned: list[str] = []  # what the query names that no article found writes (see ``_naming``)


@dataclass(frozen=True)
class _Sentence:
    passage: Passage
    start: int  # offsets in the passage text
    end: int
    score: float  # cosine to the query (0 when the passage has no cached vectors)


def build_timeline(retriever: Retriever, lookup: ArticleLookup, query: str,
                   filters: Filters | None = None, limit: int = 20, by_name: bool = True) -> Timeline:
    """The timeline of ``query``; ``by_name``: keep to the articles writing what it names (see
    ``_naming``; off for an entity, whose articles are those naming it under any spelling)."""
    retrieval = retriever.search(query, CANDIDATES, filters=filters)
    if retrieval.scope is not None and retrieval.scope.empty:
        return Timeline(events=[], query=query, message=retrieval.scope.message())
    dense = {c.chunk_id: c.dense for c in retrieval.candidates}
    best = max(dense.values(), default=0.0)
    relevant = [p for p in retrieval.passages if p.date and dense.get(p.chunk_id, 0.0) >= best - TOPIC_GAP]
    relevant, absent = _naming(relevant, query, lookup) if by_name else (relevant, [])
    if absent:
        return Timeline(events=[], query=query, message=NOT_NAMED.format(names=", ".join(f"“{a}”" for a in absent)),
                        unmentioned=absent)
    sentences = _sentences(relevant, retrieval.pieces_of(relevant), retrieval.query_vector)
    events: list[Event] = []
    by_quote: set[str] = set()
    for picked, day, ahead in _pick(sentences, limit):
        passage = picked.passage
        quote = passage.text[picked.start:picked.end]
        found = lookup(passage.doc_id)
        citation = anchor(Citation(n=len(events) + 1, doc_id=passage.doc_id, title=passage.title,
                                   start=passage.start + picked.start, end=passage.start + picked.end, quote=quote,
                                   chunk_id=passage.chunk_id), found[1] if found else None)
        if citation is None:
            continue
        citation = annotate([citation], lookup)[0]
        key = squeeze(quote)
        shown = {e.citation.doc_id for e in events}
        if key in by_quote or any(c.get("doc_id") in shown for c in citation.also_in):
            continue  # the same sentence in a near-copy that already has its event: one event
        reported = str(citation.date or passage.date)
        date = day.date if day else reported
        if filters is not None and not (filters.since or "") <= date[:10] <= (filters.until or "9999"):
            continue  # told by an article of the range, but happened outside it
        by_quote.add(key)
        events.append(Event(date=date, quote=quote, citation=citation, reported=reported,
                            dated_by=day.text if day else None, ahead=ahead))
    events.sort(key=lambda e: (e.date, e.reported or "", e.citation.doc_id, e.citation.start))
    for n, event in enumerate(events, start=1):
        event.citation.n = n
    return Timeline(events=events, query=query)


def _naming(passages: list[Passage], query: str, lookup: ArticleLookup) -> tuple[list[Passage], list[str]]:
    """The passages whose article writes a name or specific term of ``query`` (``topic_mentions``;
    all of them when it names none): a timeline of "Haftar" tells what articles naming Haftar
    report, one of "Haftar and Serraj" what articles naming either report. When no article found
    writes any of them, none is kept and they are returned: then there is no timeline of it.
    The passage is read first; its whole article only when the passage does not write one."""
    wanted = named_count(query)
    if not wanted or not passages:
        return passages, []
    articles: dict[str, bool] = {}

    def names_one(passage: Passage) -> bool:
        if len(unmentioned(query, f"{passage.title}\n{passage.text}")) < wanted:
            return True
        if passage.doc_id not in articles:
            found = lookup(passage.doc_id)
            articles[passage.doc_id] = found is not None and len(unmentioned(query, found[1])) < wanted
        return articles[passage.doc_id]

    kept = [p for p in passages if names_one(p)]
    return (kept, []) if kept else ([], unmentioned(query, ""))


def _sentences(passages: list[Passage], pieces: dict[str, Any], qvec: np.ndarray) -> list[_Sentence]:
    """The sentences of ``passages`` that may tell an event (each once), scored against the query."""
    out: list[_Sentence] = []
    seen: set[tuple[str, int]] = set()
    for passage in passages:
        vectors = pieces.get(passage.chunk_id)
        spans = sentence_spans(passage.text) or [(0, len(passage.text))]
        for start, end in spans:
            text = passage.text[start:end].strip()
            if (passage.doc_id, passage.start + start) in seen or text.endswith("?") or is_teaser(text):
                continue  # a question tells no event, nor a link to another article
            seen.add((passage.doc_id, passage.start + start))
            vector = vectors.span_vector(start, end) if vectors is not None and qvec.size else None
            score = float(np.asarray(vector, dtype=np.float32) @ qvec) if vector is not None else 0.0
            out.append(_Sentence(passage, start, end, score))
    return out


def _day(s: _Sentence) -> EventDay | None:
    return event_day(s.passage.text[s.start:s.end], s.passage.date, s.passage.lang or "und")


def _placed(s: _Sentence, day: EventDay | None) -> bool | None:
    """Whether ``s`` is shown as still to come: a forecast naming its day, on or after its report's
    ("are expected to attend Wednesday's meeting" in a report of that Wednesday), or a saying of what
    will come naming a later day (the report's own day may be the saying's: "said on Wednesday the
    ban will ..."). None when it is no event (a forecast naming no such day); False for an event that
    happened (a saying naming no later day is that day's)."""
    told = tells_ahead(s.passage.text[s.start:s.end], s.passage.lang or "und")
    if told is None:
        return False
    report = str(s.passage.date)[:10]
    if day is not None and (day.date >= report if told == "told" else day.date > report):
        return True
    return None if told == "told" else False


def _pick(sentences: list[_Sentence], limit: int) -> list[tuple[_Sentence, EventDay | None, bool]]:
    """Each article's best sentence, then the dated ones of its articles that score at least the
    median, at most PER_ARTICLE per article and one per day, ``limit`` in all, best first; each with
    the day it names (None: its article's) and whether it tells of what was still to come. A best
    sentence that names no day gives way to one that names its article's own day ("... launched
    joint attacks to liberate Ras Lanuf early on Tuesday" in a report of that Tuesday): the same
    day, said of the event itself. A forecast ("The court is expected to rule by the end of the
    week") is no event of its report's day: it is shown only when it names its day (the report's or a
    later one), marked as ahead."""
    if not sentences:
        return []
    ranked = sorted(sentences, key=lambda s: s.score, reverse=True)
    floor = statistics.median(s.score for s in sentences)
    firsts: dict[str, tuple[_Sentence, EventDay | None, bool]] = {}
    for s in ranked:
        if len(firsts) >= limit:
            break
        if s.passage.doc_id in firsts:
            continue
        day = _day(s)
        ahead = _placed(s, day)
        if ahead is None:
            continue  # a forecast with no day of its own: the article's next best sentence
        firsts[s.passage.doc_id] = (s, day, ahead)
    picked = list(firsts.values())
    at = {s.passage.doc_id: i for i, (s, _, _) in enumerate(picked)}
    days = {s.passage.doc_id: {day.date if day else str(s.passage.date)[:10]} for s, day, _ in picked}
    for s in ranked:
        if len(picked) >= limit or s.score < floor:
            break
        doc_id = s.passage.doc_id
        taken = days.get(doc_id)
        if taken is None or len(taken) >= PER_ARTICLE or firsts[doc_id][0] is s:
            continue
        day = _day(s)
        if day is None:
            continue
        ahead = _placed(s, day)
        if ahead is None:
            continue
        best, best_day, _ = picked[at[doc_id]]
        if best_day is None and best is firsts[doc_id][0] and day.date == str(s.passage.date)[:10]:
            picked[at[doc_id]] = (s, day, ahead)  # the article's day, now said by the sentence itself
        elif day.date not in taken:
            taken.add(day.date)
            picked.append((s, day, ahead))
    return picked
