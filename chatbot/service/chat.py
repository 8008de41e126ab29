"""The one core that the CLI, the HTTP API and the chat page all call.

It owns the shared heavy objects (embedding model, Chroma client, lexical index, answerer), loaded
once per process and lazily, and exposes the operations users have: search, ask, and index
maintenance. Every answer, whichever answerer wrote it, passes the citation verifier here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from chatbot.answering.base import Answerer
from chatbot.answering.citations import opens_with, verify_citations, verify_short_answer
from chatbot.answering.provenance import annotate, no_match, outlet_only
from chatbot.answering.quoting import PHRASES
from chatbot.answering.timeline import Timeline, build_timeline
from chatbot.components import (
    make_answerer,
    make_embedder,
    make_reranker,
    make_translator,
    prepare_llm,
    prepare_nlp,
)
from chatbot.encoder.base import Embedder
from chatbot.ingest.loaders import LoadError, article_from_mapping, load_bytes
from chatbot.retrieval.filters import Filters
from chatbot.retrieval.outlet_asked import outlet_asked
from chatbot.retrieval.retriever import Retrieval, Retriever
from chatbot.schemas import Answer, Article, Document, Message, Passage, SyncReport
from chatbot.service.entities import EntityCatalog, EntitySummary
from chatbot.service.jobs import IndexJobs
from chatbot.service.lazy import lazy
from chatbot.service.status import ServiceStatus
from chatbot.settings import Settings, get_settings
from chatbot.store.indexer import Indexer, Progress
from chatbot.store.live_index import ArticleIndex
from chatbot.text.language import question_language

log = logging.getLogger(__name__)


class ChatService:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None,
                 answerer: Answerer | None = None) -> None:
        """``embedder`` lets several services (tests, benchmarks) share one loaded model;
        ``answerer`` replaces the one the settings choose (any object satisfying ``Answerer``)."""
        self.settings = settings or get_settings()
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        if answerer is not None:
            if not isinstance(answerer, Answerer):
                missing = [m for m in ("name", "streams", "condense", "companion_queries", "answer")
                           if not hasattr(answerer, m)]
                raise TypeError(f"answerer: {type(answerer).__name__} lacks {', '.join(missing)} "
                                "(see chatbot.answering.base.Answerer)")
            self.__dict__["answerer"] = answerer
        self.status = ServiceStatus()
        self.jobs = IndexJobs(self.status)  # the one place index jobs run, whichever shell starts them

    # ---- shared components (loaded once, on first use, see chatbot.service.lazy) ----------------
    @lazy
    def embedder(self) -> Embedder:
        return make_embedder(self.settings)

    @lazy
    def index(self) -> ArticleIndex:
        return ArticleIndex(self.settings.index_dir, self.settings.chroma_url, self.settings.collection,
                            self.settings.hnsw_ef_search)

    @lazy
    def indexer(self) -> Indexer:
        pipeline = None
        if self.settings.ray_address:
            from chatbot.cluster.ray_indexing import RayOptions, RayPipeline

            pipeline = RayPipeline(self.settings, RayOptions(self.settings.ray_address, self.settings.ray_actors,
                                                             self.settings.ray_batch_size))
        return Indexer(self.index, lambda: self.embedder, self.settings.chunk_size, self.settings.chunk_overlap,
                       pipeline, entities=self.settings.entities)

    def close(self) -> None:
        """Let go of what indexing started outside this process (a Ray connection); a later
        indexing job connects again."""
        if "indexer" in self.__dict__:  # built on first use (chatbot.service.lazy): nothing to close before
            self.indexer.pipeline.close()

    @lazy
    def entities(self) -> EntityCatalog:
        """People, organisations and places of the articles (chatbot.service.entities)."""
        return EntityCatalog(self.index, self.settings.entities)

    @lazy
    def retriever(self) -> Retriever:
        return Retriever(self.index, self.embedder, self.settings.candidates, make_reranker(self.settings))

    @lazy
    def answerer(self) -> Answerer:
        answerer = make_answerer(self.settings, self.embedder)
        # whole articles give a quote its context: the year it speaks of, who "he" is
        getattr(answerer, "extractive", answerer).article_text = self.article_text
        return answerer

    def prepare(self) -> None:
        """Load every model answering needs (encoder, retriever, answerer, the embedded LLM when
        answers or translations use it, the spaCy pipelines) and read what the first search would
        (the languages held in memory), so that the first question pays for none of them."""
        _ = self.embedder, self.retriever, self.answerer
        prepare_llm(self.settings)
        self.retriever.prepare()
        prepare_nlp()

    def article_text(self, doc_id: str) -> str | None:
        """The stored text of one article, None when it is not in the index."""
        found = self.index.article(doc_id)
        return found[1] if found else None

    @lazy
    def translator(self) -> Any | None:
        return make_translator(self.settings, self.embedder)

    # ---- reading -----------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        return self.search_scoped(query, k, filters).passages

    def search_scoped(self, query: str, k: int | None = None, filters: Filters | None = None) -> Retrieval:
        """The search with what the filter let through (``scope.empty``: no article matches it)."""
        return self.retriever.search(query, k or self.settings.search_k, filters=filters)

    def ask(self, question: str, history: list[Message] | None = None,
            on_event: Callable[[str, Any], None] | None = None, filters: Filters | None = None) -> Answer:
        """Answer ``question`` in the light of ``history``; ``on_event`` receives stream events.

        ``filters`` restrict the evidence to articles of some dates, outlets or ids; when no
        article matches, the answer is refused and says so. An outlet the question names as the
        one reporting ("Selon Al Jazeera, ...") is such a filter (chatbot.retrieval.outlet_asked).
        """
        history = history or []
        t0 = time.perf_counter()
        lang = question_language(question)
        asked = None if filters is not None and filters.sources else outlet_asked(question, self.retriever.outlets)
        if asked is not None:  # "Selon Al Jazeera, ...": from that outlet's articles only
            question, filters = asked.question, replace(filters or Filters(), sources=asked.outlets)
        answerer = self.answerer
        query = answerer.condense(question, history)
        t1 = time.perf_counter()
        retrieval = self.retriever.search(query, self.settings.search_k, answerer.companion_queries(question),
                                          filters=filters)
        t2 = time.perf_counter()
        if retrieval.scope is not None and retrieval.scope.empty:
            if on_event:
                on_event("passages", [])
            return no_match(query, lang, retrieval.scope.filters.describe())
        if on_event:
            on_event("passages", retrieval.passages)
        answer = answerer.answer(question, query, retrieval, lang, on_event=on_event)
        t3 = time.perf_counter()
        answer = self.verified(answer, lang)
        if asked is not None and answer.refused:
            answer = outlet_only(answer, lang, asked.outlets)
        answer.query = query
        answer.timings_ms = {
            "condense": round((t1 - t0) * 1000, 2), **retrieval.timings_ms,
            "retrieve": round((t2 - t1) * 1000, 2), "answer": round((t3 - t2) * 1000, 2),
            "total": round((time.perf_counter() - t0) * 1000, 2),
        }
        if self.translator is not None and not answer.refused:
            # the answer is final: shells show it now; translations of its quotes follow
            if on_event:
                on_event("draft", answer)
            answer = self.translator.attach(answer, lang, on_event)
        return answer

    def timeline(self, query: str, filters: Filters | None = None, by_name: bool = True) -> Timeline:
        """Dated, verified quotes about ``query``, oldest first (see chatbot.answering.timeline)."""
        return build_timeline(self.retriever, self.index.article, query, filters, by_name=by_name)

    def entity(self, name: str, filters: Filters | None = None) -> tuple[EntitySummary, Timeline] | None:
        """The entity called ``name`` and its timeline, drawn from the dated articles that name it."""
        found = self.entities.find(name, filters)
        if found is None:
            return None
        dated = self.entities.dated(found.documents)
        if not dated:  # (no doc_ids would mean every article)
            return found, Timeline(events=[], query=found.name)
        return found, self.timeline(found.name, replace(filters or Filters(), doc_ids=tuple(dated)), by_name=False)

    def verified(self, answer: Answer, lang: str = "en") -> Answer:
        """The answer after the citation check; an answer left with no valid citation is refused."""
        text, citations = verify_citations(answer.answer, answer.citations, self.article_text)
        if not answer.refused and answer.citations and not citations:
            log.warning("answer dropped: none of its citations held")
            text, answer.refused = PHRASES.get(lang, PHRASES["en"])["refusal"], True
        # the short answer must hold in its article and sit inside a verified quote, the one it
        # is cited with first (the citation kept for the short answer's own [n])
        ordered = sorted(citations, key=lambda c: c.n)
        short = verify_short_answer(answer.short_answer, ordered, self.article_text) if not answer.refused else None
        kind = answer.kind
        if answer.short_answer is not None and short is None:
            if opens_with(text, answer.short_answer):
                text = text.split("\n", 1)[-1]  # drop the short line the answer opened with
            kind = "quote" if not answer.refused else answer.kind
        if answer.refused:
            kind = "refusal"
        return answer.model_copy(update={"answer": text, "citations": annotate(citations, self.index.article),
                                         "short_answer": short,
                                         "kind": kind})

    def documents(self) -> list[Document]:
        return sorted(self.index.documents(), key=lambda d: (d.title.lower(), d.doc_id))

    def health(self) -> dict[str, Any]:
        docs, chunks = self.index.counts()
        return {"status": "ok", "documents": docs, "chunks": chunks, **self.status.public()}

    # ---- writing -----------------------------------------------------------------------------
    def add_paths(self, paths: list[Path], progress: Progress | None = None,
                  overrides: dict[str, str] | None = None) -> SyncReport:
        """``overrides``: date and source set by the user (see ingest.metadata.checked_overrides)."""
        if not overrides:
            return self.indexer.add_paths(paths, progress)
        report = SyncReport()
        articles = [a.model_copy(update=overrides) for a in self.indexer.pipeline.load(paths, report)]
        return self.indexer.add_articles(articles, report=report, progress=progress)

    def add_files(self, files: list[tuple[str, bytes]], progress: Progress | None = None,
                  replace: bool = False, overrides: dict[str, str] | None = None) -> SyncReport:
        """Uploaded files: content and a display name, never a path on this machine.

        Identity is the content (chatbot.store.identity): an upload never replaces another article
        unless ``replace`` is set, and then only one that came from an upload of the same name.
        ``overrides``: date and source set by the uploader.
        """
        report = SyncReport()
        articles: list[Article] = []
        for name, data in files:
            safe = Path(name or "upload.txt").name
            for item in load_bytes(data, safe):
                if isinstance(item, LoadError):
                    report.failed.append({"path": item.where, "error": item.problem})
                else:
                    report.warnings += [{"path": item.origin or safe, "warning": n} for n in item.notes]
                    item.origin = f"upload:{item.origin}"
                    articles.append(item.model_copy(update=overrides or {}))
        return self.indexer.add_articles(articles, report=report, progress=progress, replace=replace)

    def add_mapping(self, obj: dict[str, Any], replace: bool = False) -> SyncReport:
        """One article given as JSON fields (title, text, date, source, url, lang, doc_id).

        A ``doc_id`` that already names another text is a conflict unless ``replace`` is set and
        that article was itself given through the API with this doc_id (chatbot.store.identity).
        """
        article = article_from_mapping(obj, "request")
        article.origin = f"api:{article.doc_id}"
        return self.indexer.add_articles([article], replace=replace)

    def remove(self, doc_ids: list[str]) -> SyncReport:
        return self.indexer.remove(doc_ids)

    def rebuild(self, source: Path | None = None, progress: Progress | None = None) -> SyncReport:
        return self.indexer.rebuild(source, progress=progress)

    def ensure_seeded(self, progress: Progress | None = None) -> SyncReport | None:
        """Index ``CHATBOT_ARTICLES_DIR`` when the index is empty (first start)."""
        if self.index.counts()[0] > 0:
            return None
        folder = self.settings.articles_dir
        if not folder.exists():
            log.warning("articles folder %s does not exist; starting with an empty index", folder)
            return None
        return self.add_paths([folder], progress)
