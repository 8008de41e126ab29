"""Overviews: "Résume l'article", "What's the latest on X?" answered with a brief of cited sentences.

A request for a summary has no single sentence that answers it, so the fact-finding path refused
it or quoted two unrelated sentences. Here the brief is 3 to 6 verbatim sentences chosen for
coverage by maximal marginal relevance over sentence vectors: each next sentence is relevant to
the topic (or, for "summarize the article", central to the article) and unlike the sentences
already chosen, so the brief is not five near-copies of the lead. Sentences of other articles get
a turn when several articles are on topic. The brief is ordered by article date, oldest first, or
newest first with each date stated when the question asks for the latest.

Which questions are overview requests is data (``overview.toml``): the request patterns, the words
that ask for the latest, the ones that point at one article, and the filler words removed to find
the topic ("Que disent les articles sur les migrants ?" -> "migrants").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from chatbot.schemas import Passage
from chatbot.text.sentences import is_teaser, sentence_spans
from chatbot.text.words import STEMMERS, fold, tokenize

DATA = Path(__file__).with_name("overview.toml")
MIN_SENTENCES = 3
MAX_SENTENCES = 5
HARD_MAX = 6
MMR_LAMBDA = 0.7  # weight of relevance against redundancy
SAME_ARTICLE_PENALTY = 0.05  # per sentence already taken from that article, when several are on topic
ON_TOPIC_MARGIN = 0.12  # an article is on topic when its best sentence is this close to the best one
MIN_CHARS = 30  # shorter lines are headings or captions
# an overview about a topic reads the articles whose best passage is this close (cosine to the query)
# to the best passage found, and a timeline the passages this close (chatbot.answering.timeline);
# "What's the latest on the Koshe landfill collapse?" otherwise briefed the newest off-topic articles
TOPIC_GAP = 0.10
# an overview about a topic is refused when no sentence is this similar to the question (chosen on
# the tuning questions' overview and off-topic requests, see BENCHMARKS.md)
OVERVIEW_THRESHOLD = 0.3
OVERVIEW_WORD_THRESHOLD = 0.2  # ... or this similar and sharing a word with the articles


@dataclass
class Request:
    """What an overview question asks for."""

    topic: str  # the question without the request's own words ("" for "Résume l'article")
    latest: bool
    one_article: bool


@dataclass
class Pick:
    passage: Passage
    start: int  # offsets in the article
    end: int
    text: str
    relevance: float
    topic_similarity: float  # to the question's vector: the on-topic test


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    data = tomllib.loads(DATA.read_text("utf-8"))
    return {key: [re.compile(p) for p in data[key]] for key in ("request", "latest", "one_article")}


@lru_cache(maxsize=1)
def _filler() -> frozenset[str]:
    return frozenset(tomllib.loads(DATA.read_text("utf-8"))["filler"])


def overview_request(question: str) -> Request | None:
    """The overview request in ``question``, or None for a question about one fact."""
    folded = fold(question).replace("’", "'")
    patterns = _patterns()
    if not any(p.search(folded) for p in patterns["request"]):
        return None
    words = re.findall(r"[\w-]+", folded)
    filler = _filler()
    kept = [w for w, folded_w in zip(re.findall(r"[\w-]+", question), words, strict=False)
            if folded_w not in filler and not any(re.fullmatch(f, folded_w) for f in filler if "[" in f)]
    return Request(topic=" ".join(kept),
                   latest=any(p.search(folded) for p in patterns["latest"]),
                   one_article=any(p.search(folded) for p in patterns["one_article"]))


def topic_articles(similarities: list[tuple[str, float]]) -> set[str]:
    """The articles (of (doc_id, cosine to the query) pairs, one per passage found) whose best
    passage lies within TOPIC_GAP of the best one: those about the topic asked."""
    best: dict[str, float] = {}
    for doc_id, similarity in similarities:
        best[doc_id] = max(best.get(doc_id, similarity), similarity)
    top = max(best.values(), default=0.0)
    return {d for d, s in best.items() if s >= top - TOPIC_GAP}


Vectors = Callable[[list[tuple[Passage, int, int, str]]], np.ndarray]


def sentences_of(passages: list[Passage]) -> list[tuple[Passage, int, int, str]]:
    """Every sentence of the passages once, (passage, start, end, text), offsets in the article."""
    seen: set[tuple[str, int]] = set()
    items = []
    for passage in passages:
        for s, e in sentence_spans(passage.text):
            key = (passage.doc_id, passage.start + s)
            if key in seen or e - s < MIN_CHARS or is_teaser(passage.text[s:e]):
                continue  # a heading, a caption, a link to another article
            seen.add(key)
            items.append((passage, passage.start + s, passage.start + e, passage.text[s:e]))
    return items


def choose(request: Request, passages: list[Passage], query_vector: np.ndarray, vectors: Vectors) -> list[Pick]:
    """The brief's sentences in reading order (see the module doc); empty when nothing is on topic."""
    if request.one_article and passages:
        passages = [p for p in passages if p.doc_id == passages[0].doc_id]
    items = sentences_of(passages)
    if not items:
        return []
    vecs = vectors(items)
    centroid = vecs.mean(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) or 1.0)
    central = vecs @ centroid
    similarity = vecs @ query_vector
    relevance = central if not request.topic else 0.5 * similarity + 0.5 * central
    best_per_doc: dict[str, float] = {}
    for (passage, *_), rel in zip(items, relevance, strict=True):
        best_per_doc[passage.doc_id] = max(best_per_doc.get(passage.doc_id, -1.0), float(rel))
    top = max(best_per_doc.values())
    on_topic = {d for d, r in best_per_doc.items() if r >= top - ON_TOPIC_MARGIN}
    pool = [i for i, (p, *_) in enumerate(items) if p.doc_id in on_topic]
    chosen: list[int] = []
    while pool and len(chosen) < MAX_SENTENCES:
        def mmr(i: int) -> float:
            redundancy = max((float(vecs[i] @ vecs[j]) for j in chosen), default=0.0)
            same = sum(items[j][0].doc_id == items[i][0].doc_id for j in chosen) if len(on_topic) > 1 else 0
            return MMR_LAMBDA * float(relevance[i]) - (1 - MMR_LAMBDA) * redundancy - SAME_ARTICLE_PENALTY * same

        best = max(pool, key=mmr)
        if len(chosen) >= MIN_SENTENCES and relevance[best] < top - 2 * ON_TOPIC_MARGIN:
            break
        chosen.append(best)
        pool.remove(best)
    picks = [Pick(items[i][0], items[i][1], items[i][2], items[i][3], float(relevance[i]), float(similarity.max()))
             for i in chosen]
    return ordered(picks, request.latest)[:HARD_MAX]


def date_key(date: str | None) -> tuple[int, int, int] | None:
    """(year, month, day) of an article date written year first ("2017-03-14", "2017/3/14",
    "2017-03-14T08:00:00Z"); None when there is no such date."""
    match = re.match(r"\s*(\d{4})(?:\D(\d{1,2}))?(?:\D(\d{1,2}))?", date or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)


def ordered(picks: list[Pick], latest: bool) -> list[Pick]:
    """By article date (oldest first, or newest first for "latest"), then by place in the article;
    undated articles last."""
    def key(p: Pick) -> tuple[bool, tuple[int, int, int], str, int]:
        found = date_key(p.passage.date)
        return (found is None, found or (0, 0, 0), p.passage.doc_id, p.start)

    dated = [p for p in picks if date_key(p.passage.date) is not None]
    undated = sorted((p for p in picks if date_key(p.passage.date) is None), key=key)
    if not latest:
        return sorted(dated, key=key) + undated
    newest = sorted(dated, key=lambda p: (date_key(p.passage.date), p.passage.doc_id, -p.start), reverse=True)
    return newest + undated


def on_topic(topic: str, picks: list[Pick], passages: list[Passage], lang: str) -> bool:
    """Whether the brief's best sentence is close in meaning to the topic, or somewhat close and
    the passages name one of its words: else the topic is not in the articles."""
    if not picks:
        return False
    similarity = picks[0].topic_similarity
    if similarity >= OVERVIEW_THRESHOLD:
        return True
    words = {t[:5] for t in tokenize(topic, lang)}
    found = {t[:5] for p in passages for t in tokenize(p.text, p.lang if p.lang in STEMMERS else lang)}
    return similarity >= OVERVIEW_WORD_THRESHOLD and bool(words & found)
