"""Index maintenance: add (incremental sync), remove and atomic rebuild.

``add`` loads and chunks everything first (cheap), decides per article whether it is new, changed
or unchanged against the manifest, then embeds only what is needed, in large cross-article batches,
while a writer thread stores finished articles in Chroma. So loading, chunking and writes hide
behind the encoder, which is the real cost. Unchanged articles cost one hash comparison.

Crash safety comes from the order of writes (chunks, then the manifest record as commit mark, then
the version stamp) and deterministic chunk ids: a re-run after ``kill -9`` overwrites what was
half written instead of duplicating it, and readers never show chunks without a record.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from chatbot.encoder.base import Embedder
from chatbot.schemas import Article, Chunk, SyncReport, chunk_ids
from chatbot.store.chroma import IndexStore, is_gone
from chatbot.store.copies import link_copies, store_links
from chatbot.store.entity_reader import EntityProcess, read_entities
from chatbot.store.identity import plan_articles, stored_article, stored_records
from chatbot.store.live_index import ArticleIndex
from chatbot.store.pipeline import ENCODE_BATCH, IndexingPipeline, LocalPipeline

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Where an index job stands: chunks embedded of the chunks to embed, and articles whose every
    chunk is embedded of the articles to embed (unchanged articles are not counted: nothing to do)."""

    def __call__(self, done: int, total: int, articles_done: int = 0, articles_total: int = 0) -> None: ...


# an add of at most this many chunks encodes as an interactive caller (see _embed_and_write)
SMALL_ADD = 32
# chunks of finished articles written to Chroma per call (see IndexStore.put_articles): one encode
# batch's worth, so writes still follow encoding closely and a killed add has committed what it had
WRITE_GROUP = ENCODE_BATCH
# a finished article: its chunks, their vectors, its piece vectors
Finished = tuple[Article, list[Chunk], np.ndarray, list | None]


@dataclass
class _Rules:
    """How one sync plans and writes: see :meth:`Indexer.add_articles` and :meth:`Indexer._sync`."""

    replace: bool
    trusted: bool
    locked: bool
    report: SyncReport
    wrote: bool = False  # some article was written (else there is nothing to commit)
    entities: dict[str, Future] = field(default_factory=dict)  # doc_id -> its entities being read


class RebuildInterrupted(RuntimeError):
    """A rebuild stopped before completion; the previous index is still the live one."""


def _fingerprints(store: IndexStore) -> dict[str, tuple]:
    """doc_id -> (sha256, write time): what tells that an article changed since a snapshot."""
    return {d: (m.get("sha256"), m.get("added_at")) for d, m in store.manifest().items()}


class Indexer:
    """Writes articles into an :class:`ArticleIndex` with one embedder."""

    def __init__(self, index: ArticleIndex, embedder: Callable[[], Embedder], chunk_size: int,
                 overlap: int, pipeline: IndexingPipeline | None = None, entities: bool = True) -> None:
        """``embedder`` is a provider, so a sync with nothing new never loads the model.

        ``pipeline`` does the loading, chunking and encoding (in this process by default; a
        distributed one runs them on a cluster); this object keeps every decision and every write.
        ``entities``: read the people, organisations and places each article names (a thread of
        its own, beside the encoder) and store them with its record.
        """
        self.index = index
        self._embedder = embedder
        self.pipeline: IndexingPipeline = pipeline or LocalPipeline(embedder)
        self.chunk_size = chunk_size
        self.overlap = overlap
        self.entities = entities
        self._rebuild_lock = threading.Lock()  # one rebuild at a time in this process

    @property
    def embedder(self) -> Embedder:
        return self._embedder()

    # ---- add ----------------------------------------------------------------------------------
    def add_paths(self, paths: list[Path], progress: Progress | None = None) -> SyncReport:
        report = SyncReport()
        articles = self.pipeline.load(paths, report)
        return self.add_articles(articles, report=report, progress=progress)

    def add_articles(
        self,
        articles: list[Article],
        report: SyncReport | None = None,
        progress: Progress | None = None,
        store: IndexStore | None = None,
        replace: bool = True,
    ) -> SyncReport:
        """Sync ``articles`` into ``store`` (the live generation by default) and commit once.

        ``replace``: an article may replace the stored version of its own source (same origin:
        an edited file, or an upload the caller asked to replace). Without it, identity is the
        content: a new text is a new article, and a doc_id already naming another text is refused
        as a conflict (see :func:`plan_articles`).

        Loading, chunking and encoding happen outside the write lock; each group of finished
        articles takes it only for its Chroma writes, after checking its plan again against what
        is stored then. So one large article never keeps a small upload or a removal waiting.

        A live add follows the generation that is active when it starts. Should a rebuild switch
        generations while it writes, the add is applied again to the new generation (articles
        already carried over by the rebuild are then skipped as unchanged).
        """
        report = report or SyncReport()
        if store is not None:  # a rebuild's private generation: no other writer, no commit
            self._sync(articles, store, report, progress, replace=replace, trusted=True)
            return report
        for attempt in range(3):
            self.index.refresh()
            target = self.index.store
            try:
                wrote = self._sync(articles, target, report if attempt == 0 else SyncReport(), progress,
                                   replace=replace, locked=True)
                with self.index.write_lock:
                    if self.index.registry.active() == target.generation:
                        if wrote:
                            self.index.refresh()
                            self.index.commit()
                        return report
            except Exception as exc:
                if not is_gone(exc):
                    raise
            log.warning("a rebuild switched generations during this add; applying it again")
        raise RuntimeError("the index kept switching generations during this add; run it again")

    def _sync(self, articles: list[Article], target: IndexStore, report: SyncReport,
              progress: Progress | None, replace: bool = True, trusted: bool = False,
              locked: bool = False) -> bool:
        """Plan against ``target`` (no lock: a first look), then embed and write what is needed.

        Returns whether anything was written.

        ``locked``: each write takes the index's write lock and plans its articles again, since
        another writer may have changed them meanwhile. ``trusted`` (a rebuild's own generation):
        a doc_id may replace its stored version whatever its origin.
        """
        unique: list[Article] = []
        seen: set[str] = set()
        for article in articles:
            if article.doc_id in seen:
                report.unchanged.append(article.doc_id)
                continue
            seen.add(article.doc_id)
            unique.append(article)
        first_look = SyncReport()
        plan = plan_articles(unique, stored_records(target, unique), first_look, replace, trusted)
        report.unchanged.extend(first_look.unchanged)
        report.failed.extend(first_look.failed)
        if not plan:
            return False
        if not locked:  # nobody else writes here: the first look is the plan
            report.added.extend(first_look.added)
            report.updated.extend(first_look.updated)
        rules = _Rules(replace, trusted, locked, report)
        manifest = target.manifest()  # near-copies are found against every stored article
        links = link_copies([a for a, _ in plan], manifest, [d for _, r in plan for d in r])
        self._embed_and_write([a for a, _ in plan], target, rules, progress)
        with self.index.write_lock if locked else nullcontext():
            store_links(target.docs, {d: v for d, v in links.items() if d in manifest})
        return rules.wrote

    def _embed_and_write(self, todo: list[Article], store: IndexStore, rules: _Rules,
                         progress: Progress | None) -> None:
        chunked = [(a, self.pipeline.chunk(a, self.chunk_size, self.overlap)) for a in todo]
        flat: list[tuple[int, Chunk]] = [(i, c) for i, (_, chunks) in enumerate(chunked) for c in chunks]
        # a small add (an upload of a short article) takes the encoder like a question does, so
        # it is not queued behind the mini-batches of a large one (bulk turns are not served in
        # order: the running bulk caller takes the next turn again)
        bulk = len(flat) > SMALL_ADD
        # a large add's entities are read in a process of its own, behind the encoder (see
        # entity_reader); a small one's are short, and its write waits for them: read here, at
        # the caller's priority (behind a large add they would get a sliver of the cores)
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entities") if self.entities else None
        process = EntityProcess(a.lang for a in todo) if reader is not None and bulk else None
        if reader is not None:  # in encoding order, so each is ready about when its article is
            rules.entities = {a.doc_id: reader.submit(read_entities, a, process) for a in todo}
        try:
            self._encode_and_write(chunked, flat, store, rules, progress, bulk)
        finally:
            if reader is not None:
                reader.shutdown(wait=False, cancel_futures=True)
            if process is not None:
                process.close()

    def _encode_and_write(self, chunked: list[tuple[Article, list[Chunk]]], flat: list[tuple[int, Chunk]],
                          store: IndexStore, rules: _Rules, progress: Progress | None, bulk: bool) -> None:
        total = len(flat)
        vectors: list[np.ndarray | None] = [None] * total
        pieces: list[tuple[list[tuple[int, int]], np.ndarray] | None] = [None] * total
        remaining = [len(chunks) for _, chunks in chunked]
        starts = np.cumsum([0] + remaining[:-1]).tolist()
        writes: list[Future] = []
        group: list[Finished] = []  # finished articles not yet handed to the writer
        done = 0
        finished = remaining.count(0)  # articles whose every chunk is embedded
        texts = [c.text for _, c in flat]
        titles = [chunked[i][0].title for i, _ in flat]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer") as writer:
            for batch in self.pipeline.encode(texts, titles, bulk):
                rules.report.chunks_embedded += len(batch.positions)
                done += len(batch.positions)
                for offset, position in enumerate(batch.positions):
                    if vectors[position] is not None or remaining[flat[position][0]] == 0:
                        continue  # a retried batch delivered twice
                    vectors[position] = batch.vectors[offset]
                    if batch.pieces is not None:
                        pieces[position] = batch.pieces[offset]
                    i = flat[position][0]
                    remaining[i] -= 1
                    if remaining[i] == 0:
                        finished += 1
                        article, chunks = chunked[i]
                        block = np.stack(vectors[starts[i]:starts[i] + len(chunks)])
                        own = pieces[starts[i]:starts[i] + len(chunks)]
                        group.append((article, chunks, block, own if all(own) else None))
                        pieces[starts[i]:starts[i] + len(chunks)] = [None] * len(chunks)  # the group has them
                        vectors[starts[i]:starts[i] + len(chunks)] = [None] * len(chunks)
                if group and (sum(len(g[1]) for g in group) >= WRITE_GROUP or done >= total):
                    writes.append(writer.submit(self._write_group, store, group, rules))
                    group = []
                if progress:
                    progress(min(done, total), total, finished, len(chunked))
            if group:
                writes.append(writer.submit(self._write_group, store, group, rules))
            for future in writes:
                future.result()
        if any(remaining):
            raise RuntimeError(f"the encoder returned vectors for {done} of {total} chunks")

    def _write_group(self, store: IndexStore, group: list[Finished], rules: _Rules) -> None:
        """Store finished articles together (see IndexStore.put_articles), then drop what they replace.

        Under the write lock (live adds), the plan of these articles is made again against what is
        stored now: an article another writer stored meanwhile is skipped as unchanged.
        """
        for article, *_ in group:  # entities first, outside the lock: a write is never kept waiting on them
            job = rules.entities.get(article.doc_id)
            if job is not None and not job.cancelled():
                job.result()  # never raises: see read_entities
        with self.index.write_lock if rules.locked else nullcontext():
            articles = [g[0] for g in group]
            records = stored_records(store, articles)
            if rules.locked:
                plan = dict((a.doc_id, r) for a, r in plan_articles(
                    articles, records, rules.report, rules.replace, rules.trusted))
            else:  # a private generation: the plan made before encoding still holds
                plan = dict((a.doc_id, r) for a, r in plan_articles(
                    articles, records, SyncReport(), rules.replace, rules.trusted))
            group = [g for g in group if g[0].doc_id in plan]
            if not group:
                return
            rules.wrote = True
            for article, *_ in group:
                if article.doc_id in plan[article.doc_id]:
                    # unlist the old version first: a crash while its chunks are overwritten then
                    # leaves uncommitted chunks (hidden, repaired by a re-run), never a record over
                    # mixed chunks
                    store.unlist(article.doc_id)
            store.put_articles(list(group))
            for article, chunks, _, _ in group:
                for doc_id in plan[article.doc_id]:
                    if doc_id != article.doc_id:
                        store.delete_article(doc_id)
                    else:  # same id, new content: drop chunks the new version no longer has
                        keep = {c.chunk_id for c in chunks}
                        old_count = int(records.get(doc_id, {}).get("chunks", 0))
                        stale = chunk_ids(doc_id, old_count)
                        store.delete_chunks([cid for cid in stale if cid not in keep])

    # ---- remove -------------------------------------------------------------------------------
    def remove(self, doc_ids: list[str]) -> SyncReport:
        report = SyncReport()
        with self.index.write_lock:
            self.index.refresh()
            manifest = self.index.store.manifest()
            for doc_id in doc_ids:
                if doc_id in manifest:
                    self.index.store.delete_article(doc_id)
                    report.removed.append(doc_id)
                else:
                    report.failed.append({"path": doc_id, "error": "no such document in the index"})
            if report.removed:
                self.index.commit()
        return report

    # ---- rebuild ------------------------------------------------------------------------------
    def rebuild(
        self,
        source: Path | None = None,
        articles: list[Article] | None = None,
        progress: Progress | None = None,
    ) -> SyncReport:
        """Build a new generation aside; it goes live only once complete.

        With ``source`` the new index holds that folder's articles; without it, the current
        articles are re-chunked and re-embedded (after a settings or model change).

        Adds and removals are not blocked while it runs (the new generation is private to it):
        they go to the live generation and are carried over into the new one just before the
        switch, so an upload made during a rebuild is neither lost nor kept waiting.
        """
        report = SyncReport()
        self.index.refresh()
        baseline = _fingerprints(self.index.store)  # before reading: later writes get carried over
        if source is not None:
            articles = self.pipeline.load([source], report)
            if not articles:  # a wrong or broken folder must not wipe the index
                report.failed.append({"path": str(source), "error": "no article could be loaded from "
                                      "it; the index was left as it was"})
                return report
        elif articles is None:
            articles = [stored_article(d, m, t) for d, m, t in self.index.store.articles()]
        with self._rebuild_lock:
            fresh = self.index.start_generation()
            try:
                self.add_articles(articles, report=report, progress=progress, store=fresh)
                with self.index.write_lock:  # no add or remove in this process from here on
                    self.index.refresh()
                    old = self.index.store
                    seen = self._carry_over(old, fresh, baseline)
                    self.index.activate(fresh, drop_old=False)
                    # a writer in another process may have committed to the old generation
                    # between the carry-over and the switch: carry that over too
                    if self._carry_over(old, fresh, seen) != seen:
                        self.index.commit()
                    self.index.drop_others()
            except BaseException as exc:
                if self.index.store.generation != fresh.generation:
                    self.index.drop_generation(fresh.generation)
                    raise RebuildInterrupted(
                        f"rebuild stopped ({exc}); the previous index still serves") from exc
                raise
        return report

    def _carry_over(self, old: IndexStore, fresh: IndexStore,
                    baseline: dict[str, tuple]) -> dict[str, tuple]:
        """Apply to ``fresh`` what changed in ``old`` since ``baseline``; returns the new baseline.

        Adds, updates and removals made while a rebuild runs (uploads keep working meanwhile,
        here or in another process) land in the old generation; they are re-applied so the
        switch loses none of them.
        """
        try:
            now = _fingerprints(old)
        except Exception as exc:
            if is_gone(exc):  # another rebuild replaced it: nothing of ours to carry
                return baseline
            raise
        changed = [d for d, mark in now.items() if baseline.get(d) != mark]
        removed = [d for d in baseline if d not in now]
        if changed:
            stored = [old.get_article(d) for d in changed]
            articles = [stored_article(d, *got) for d, got in zip(changed, stored, strict=True) if got]
            log.info("rebuild: carrying over %d article(s) changed meanwhile", len(articles))
            self._sync(articles, fresh, SyncReport(), None, trusted=True)
        present = fresh.manifest()
        for doc_id in removed:
            if doc_id in present:
                log.info("rebuild: carrying over the removal of %s", doc_id)
                fresh.delete_article(doc_id)
        return now
