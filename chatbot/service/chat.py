"""The one core that the CLI, the HTTP API and the chat page all call.

It owns the shared heavy objects (embedding model, Chroma client, lexical index, answerer), loaded
once per process and lazily, and exposes the operations users have: search, ask, and index
maintenance. Every answer, whichever answerer wrote it, passes the citation verifier here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from chatbot.answering.citations import verify_citations
from chatbot.answering.conversation import standalone_query
from chatbot.answering.extractive import PHRASES
from chatbot.components import make_answerer, make_embedder, make_reranker
from chatbot.ingest.loaders import LoadError, article_from_mapping, load_bytes
from chatbot.retrieval.retriever import Retriever
from chatbot.schemas import Answer, Article, Document, Message, Passage, SyncReport
from chatbot.settings import Settings, get_settings
from chatbot.store.indexer import Indexer, Progress
from chatbot.store.live_index import ArticleIndex
from chatbot.text.language import question_language

log = logging.getLogger(__name__)


class ChatService:
    def __init__(self, settings: Settings | None = None, embedder: Any | None = None) -> None:
        """``embedder`` lets several services (tests, benchmarks) share one loaded model."""
        self.settings = settings or get_settings()
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        self._init_lock = threading.Lock()
        self.status: dict[str, Any] = {"state": "ready"}

    # ---- shared components (loaded once, on first use) -----------------------------------------
    @cached_property
    def embedder(self) -> Any:
        with self._init_lock:
            return make_embedder(self.settings)

    @cached_property
    def index(self) -> ArticleIndex:
        return ArticleIndex(self.settings.index_dir, self.settings.chroma_url, self.settings.collection)

    @cached_property
    def indexer(self) -> Indexer:
        pipeline = None
        if self.settings.ray_address:
            from chatbot.cluster.ray_indexing import RayOptions, RayPipeline

            pipeline = RayPipeline(self.settings, RayOptions(self.settings.ray_address, self.settings.ray_actors,
                                                             self.settings.ray_batch_size))
        return Indexer(self.index, lambda: self.embedder, self.settings.chunk_size, self.settings.chunk_overlap,
                       pipeline)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.index, self.embedder, self.settings.candidates, make_reranker(self.settings))

    @cached_property
    def answerer(self) -> Any:
        return make_answerer(self.settings, self.embedder)

    # ---- reading -----------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None) -> list[Passage]:
        return self.retriever.search(query, k or self.settings.search_k).passages

    def ask(self, question: str, history: list[Message] | None = None,
            on_event: Callable[[str, Any], None] | None = None) -> Answer:
        """Answer ``question`` in the light of ``history``; ``on_event`` receives stream events."""
        history = history or []
        t0 = time.perf_counter()
        lang = question_language(question)
        condense = getattr(self.answerer, "condense", None)
        query = condense(question, history) if condense else standalone_query(question, history)
        t1 = time.perf_counter()
        companions = getattr(self.answerer, "companion_queries", None)
        retrieval = self.retriever.search(query, self.settings.search_k,
                                          companions(question) if companions else None)
        t2 = time.perf_counter()
        if on_event:
            on_event("passages", retrieval.passages)
        answer = self.answerer.answer(question, query, retrieval, lang, on_event=on_event) \
            if getattr(self.answerer, "streams", False) else \
            self.answerer.answer(question, query, retrieval, lang)
        t3 = time.perf_counter()
        answer = self.verified(answer, lang)
        answer.query = query
        answer.timings_ms = {
            "condense": round((t1 - t0) * 1000, 2), **retrieval.timings_ms,
            "retrieve": round((t2 - t1) * 1000, 2), "answer": round((t3 - t2) * 1000, 2),
            "total": round((time.perf_counter() - t0) * 1000, 2),
        }
        return answer

    def verified(self, answer: Answer, lang: str = "en") -> Answer:
        """The answer after the citation check; an answer left with no valid citation is refused."""
        def lookup(doc_id: str) -> str | None:
            found = self.index.article(doc_id)
            return found[1] if found else None

        text, citations = verify_citations(answer.answer, answer.citations, lookup)
        if not answer.refused and answer.citations and not citations:
            log.warning("answer dropped: none of its citations held")
            text, answer.refused = PHRASES.get(lang, PHRASES["en"])["refusal"], True
        return answer.model_copy(update={"answer": text, "citations": citations})

    def documents(self) -> list[Document]:
        return sorted(self.index.documents(), key=lambda d: (d.title.lower(), d.doc_id))

    def health(self) -> dict[str, Any]:
        docs, chunks = self.index.counts()
        return {"status": "ok", "documents": docs, "chunks": chunks, **self.status_fields()}

    def status_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.status.items() if k != "state" or v != "ready"}

    # ---- writing -----------------------------------------------------------------------------
    def add_paths(self, paths: list[Path], progress: Progress | None = None) -> SyncReport:
        return self.indexer.add_paths(paths, progress)

    def add_files(self, files: list[tuple[str, bytes]], progress: Progress | None = None) -> SyncReport:
        """Uploaded files: content and a display name, never a path on this machine."""
        report = SyncReport()
        articles: list[Article] = []
        for name, data in files:
            safe = Path(name or "upload.txt").name
            for item in load_bytes(data, safe):
                if isinstance(item, LoadError):
                    report.failed.append({"path": item.where, "error": item.problem})
                else:
                    item.origin = f"upload:{item.origin}"
                    articles.append(item)
        return self.indexer.add_articles(articles, report=report, progress=progress)

    def add_mapping(self, obj: dict[str, Any]) -> SyncReport:
        """One article given as JSON fields (title, text, date, source, url, lang)."""
        article = article_from_mapping(obj, "request")
        article.origin = f"api:{article.doc_id}"
        return self.indexer.add_articles([article])

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
