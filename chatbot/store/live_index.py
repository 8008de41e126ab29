"""The live index: the active Chroma generation plus its derived lexical index, kept in step.

One ``ArticleIndex`` per process. It notices when another process (or a rebuild) changed the store,
by comparing the registry's active generation and the store's version stamp, and then refreshes
what it derives: the BM25 index (from Chroma alone, re-reading only the articles whose record
changed) and its cache of article texts.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cachetools import LRUCache

from chatbot.store.chroma import EF_SEARCH, IndexStore, Registry, is_gone, make_client, new_generation, pieces_file
from chatbot.store.chroma_files import orphan_segment_dirs, remove_orphan_segment_dirs
from chatbot.store.hits import Hit
from chatbot.store.lexical import ChunkText, LexicalIndex
from chatbot.store.piece_cache import PieceStore

log = logging.getLogger(__name__)
T = TypeVar("T")


def lexical_text(title: str, text: str) -> str:
    """What BM25 indexes for a chunk: the article title makes titles searchable too."""
    return f"{title}\n{text}" if title else text


def fingerprint(record: dict[str, Any]) -> str:
    """Which stored version of an article a manifest record stands for.

    Every write of an article (new, replaced, or its metadata corrected) gives it a new
    ``added_at``; the title is part of what BM25 indexes.
    """
    return "|".join(str(record.get(key, "")) for key in ("sha256", "added_at", "chunks", "title"))


def chunk_texts(rows: Iterable[tuple[str, str, dict[str, Any]]], articles: set[str]) -> list[ChunkText]:
    """The lexical index's view of stored chunks, keeping those of the given articles only."""
    return [ChunkText(cid, str(meta.get("doc_id")), lexical_text(str(meta.get("title", "")), text),
                      str(meta.get("lang", "en")))
            for cid, text, meta in rows if meta.get("doc_id") in articles]


@dataclass(frozen=True)
class View:
    """One consistent reading of the index: a generation, its BM25 index and its committed articles.

    ``committed`` holds the doc_ids that have a manifest record. Chunks of any other doc_id are
    leftovers of a write that was killed before its commit mark (or a removal half done), and no
    reader may show them.
    """

    store: IndexStore
    lexical: LexicalIndex
    committed: frozenset[str]

    @property
    def version(self) -> tuple[str, str]:
        """The index version this view reads: what readers derive from it is kept under this key."""
        return self.store.generation, self.lexical.version


class ArticleIndex:
    def __init__(self, index_dir: Path, chroma_url: str | None, name: str = "articles",
                 ef_search: int = EF_SEARCH) -> None:
        self.index_dir = index_dir
        self.ef_search = ef_search
        self.client = make_client(index_dir, chroma_url)
        self.embedded = not chroma_url
        self.registry = Registry(self.client, name)
        self.name = name
        self._lock = threading.RLock()  # readers' snapshot of (store, lexical, committed)
        self._derive_lock = threading.Lock()  # one thread at a time derives and publishes a new one
        self.write_lock = threading.Lock()  # one writer at a time in this process
        active = self.registry.active()
        self._stores: weakref.WeakSet[IndexStore] = weakref.WeakSet()  # rebound when the client reopens
        self.store = self._open(active or new_generation())  # creates the collections of a new one
        if active is None:
            self.registry.set_active(self.store.generation)
        self.lexical = LexicalIndex()
        self.committed: frozenset[str] = frozenset()
        self._seen_version: str | None = None
        self._articles: LRUCache[str, tuple[dict[str, Any], str] | None] = LRUCache(maxsize=512)
        self._articles_lock = threading.Lock()
        self._articles_epoch = 0

    def close(self) -> None:
        """Release the Chroma client (an embedded store is then free for another process)."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    # ---- freshness ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Follow a generation switch and bring derived data up to date when the version stamp moved.

        A rebuild in another process may drop the generation between reading the registry and
        reading its stamp; then the registry is read again.
        """
        self.retrying(lambda: self._refresh_once(), refresh_first=False)

    def _refresh_once(self) -> None:
        """Derive the lexical index for the store's current stamp, without making readers wait.

        The work is done outside the readers' lock, and by one thread at a time. A thread that finds
        another one deriving goes on with the current view (a second old at most), unless it has
        no usable view at all (a generation switch, or the first look), in which case it waits.
        """
        store, version, current = self._target()
        if current:
            return
        if not self._derive_lock.acquire(blocking=self._seen_version is None or store is not self.store):
            return
        try:
            store, version, current = self._target()  # again: another thread may have done it meanwhile
            if not current:
                if store is not self.store:
                    log.info("index generation switched to %s", store.generation)
                self._derive(store, version, base=self.lexical if store is self.store else None)
        finally:
            self._derive_lock.release()

    def _target(self) -> tuple[IndexStore, str, bool]:
        """(store, version stamp) readers should see now, and whether the published view is that."""
        with self._lock:
            store, seen = self.store, self._seen_version
        active = self.registry.active()
        if active and active != store.generation:
            store, seen = self._open(active), None
        version = store.version()
        return store, version, version == seen

    def lexical_folder(self, generation: str | None = None) -> Path:
        """Where this process keeps the lexical index of a generation (the live one by default)."""
        return self.index_dir / "lexical" / f"{self.name}-{generation or self.store.generation}"

    def _derive(self, store: IndexStore, version: str, base: LexicalIndex | None) -> None:
        """Publish ``store`` with a lexical index for ``version``; caller holds ``_derive_lock``.

        The saved index is used when it has this very stamp; else the in-memory one (or the saved
        one) is brought up to date article by article; else it is built from Chroma.
        """
        folder = self.lexical_folder(store.generation)
        manifest = store.manifest()
        stamp = LexicalIndex.saved_version(folder)
        # the saved index is read when it is this very version, or when nothing is held to update
        # (a restart): reading every segment back from disk to throw it away costs a large index
        saved = LexicalIndex.load(folder) if stamp is not None and (stamp == version or base is None) else None
        if saved is not None and saved.version == version:
            lexical = saved
        else:
            lexical = self.derive_lexical(store, version, manifest, base if base is not None else saved)
            try:
                lexical.save(folder)
            except OSError as exc:  # a read-only index folder still serves from memory
                log.warning("could not save the lexical index to %s: %s", folder, exc)
        with self._lock:
            self.store = store
            self.lexical = lexical
            self.committed = frozenset(manifest)
            self._seen_version = version
            self._forget_articles()

    @staticmethod
    def derive_lexical(store: IndexStore, version: str, manifest: dict[str, dict[str, Any]] | None = None,
                       base: LexicalIndex | None = None) -> LexicalIndex:
        """BM25 over the chunks of the articles in ``manifest`` (committed ones: a record is the mark).

        With a ``base``, only the articles whose record changed since are read from Chroma; without,
        every chunk is.
        """
        manifest = store.manifest() if manifest is None else manifest
        wanted = {doc_id: fingerprint(record) for doc_id, record in manifest.items()}
        if base is not None:
            held = base.fingerprints()
            changed = [d for d, fp in wanted.items() if held.get(d) != fp]
            removed = {d for d, fp in held.items() if wanted.get(d) != fp}
            if not changed and not removed and base.version == version:
                return base
            added = chunk_texts(store.chunks_of(changed), set(changed))
            updated = base.updated(version, removed, added, {d: wanted[d] for d in changed})
            if updated is not None:
                log.info("lexical index: %d articles read again, %d dropped", len(changed), len(removed))
                return updated
            log.info("lexical index: the corpus's main language changed; building it again")
        return LexicalIndex.from_chunks(chunk_texts(store.iter_chunks(), set(wanted)), version, wanted)

    def commit(self, store: IndexStore | None = None, full: bool = False) -> None:
        """After writes: a new version stamp, and the lexical index brought up to date and saved.

        ``full``: built again from every chunk (after a repair, which changes chunks without
        changing their articles' records).
        """
        store = store or self.store
        version = store.bump_version()
        if store is self.store:
            with self._derive_lock:
                self._derive(store, version, base=None if full else self.lexical)

    # ---- switching generations (rebuild) ------------------------------------------------------
    def start_generation(self) -> IndexStore:
        return self._open(new_generation())

    def _open(self, generation: str) -> IndexStore:
        with self._lock:  # not while the client is being reopened
            store = IndexStore(self.client, self.name, generation, pieces_dir=self.index_dir / "pieces",
                               ef_search=self.ef_search)
            self._stores.add(store)
        return store

    def activate(self, store: IndexStore, drop_old: bool = True) -> None:
        """Make ``store`` the live generation, then (unless told not to) drop every other one."""
        version = store.bump_version()
        manifest = store.manifest()
        lexical = self.derive_lexical(store, version, manifest)
        lexical.save(self.lexical_folder(store.generation))
        with self._derive_lock:  # not while a reader publishes what it derived for the old one
            with self._lock:
                self.registry.set_active(store.generation)
                self.store = store
                self.lexical = lexical
                self.committed = frozenset(manifest)
                self._seen_version = version
                self._forget_articles()
        if drop_old:
            self.drop_others()

    def drop_others(self) -> None:
        """Drop the replaced generation and any half-built one a killed rebuild left behind.

        This also ends a rebuild another process may have running: it then fails and the
        generation it was replacing (this one) goes on serving.
        """
        stale = self.stale_generations()
        for generation in stale:
            self._drop(generation)
        if stale:
            self._release_dropped()

    def drop_generation(self, generation: str) -> None:
        """Drop a generation's collections and every file of it (see chatbot.store.chroma_files)."""
        if self._drop(generation):
            self._release_dropped()

    def _drop(self, generation: str) -> bool:
        if generation == self.store.generation:
            return False
        self.registry.drop(generation)
        import shutil

        shutil.rmtree(self.lexical_folder(generation), ignore_errors=True)
        PieceStore.remove_file(pieces_file(self.index_dir / "pieces", self.name, generation))
        return True

    def _release_dropped(self) -> None:
        """Close what this process still holds of dropped collections, then delete their folders.

        An embedded Chroma (1.5) keeps the HNSW files of a deleted collection open as long as its
        client lives, and its SQLite connections grow with them: about ten descriptors, and the
        deleted files' disk space, per rebuild of a long-running server. The Rust bindings take no
        setting that evicts them (their only cache knob, the HNSW cache size, is derived from the
        descriptor limit, and a cache of 3 entries kept them too), but closing the client releases
        them all, so the client is closed and opened again here. Under the index's lock, the
        registry and every store this index opened are bound to the new client: the live
        generation (and one a rebuild is filling) goes on with the same store object, and a store
        of a dropped generation is retired, so a reader still holding it gets NotFoundError and
        follows the switch (``retrying``). A call that had already taken the old client's collection fails before
        doing any work and is retried the same way (``is_gone``). Reopening takes some 20 ms;
        the next search loads the live generation's HNSW index from disk again.

        A Chroma server holds the files itself: nothing to release in this process.
        """
        if self.embedded:
            with self._lock:
                self.client.close()
                self.client = make_client(self.index_dir, None)
                self.registry = Registry(self.client, self.name)
                for store in list(self._stores):
                    store.rebind(self.client)
        self.remove_orphan_files()

    def orphan_segment_dirs(self) -> list[Path]:
        """Segment folders of dropped collections still on disk (an embedded store only)."""
        return orphan_segment_dirs(self.index_dir / "chroma") if self.embedded else []

    def remove_orphan_files(self) -> list[str]:
        """Delete the segment folders of dropped collections (an embedded store only)."""
        return remove_orphan_segment_dirs(self.index_dir / "chroma") if self.embedded else []

    def stale_generations(self) -> list[str]:
        return [g for g in self.registry.generations() if g != self.store.generation]

    # ---- reads --------------------------------------------------------------------------------
    def view(self) -> View:
        with self._lock:
            return View(self.store, self.lexical, self.committed)

    def retrying(self, read: Callable[[], T], refresh_first: bool = True) -> T:
        """``read()``, run again after a refresh if its generation was dropped meanwhile.

        Readers never take the write lock, so a rebuild (here or in another process) can drop the
        generation a reader is using; the reader then follows the switch instead of failing. The
        refresh is retried like the read: it may itself meet the client being reopened.
        """
        for attempt in range(3):
            try:
                if attempt and refresh_first:
                    self._refresh_once()
                return read()
            except Exception as exc:
                if not is_gone(exc) or attempt == 2:
                    raise
                log.info("generation dropped under a reader; following the switch")
                with self._lock:
                    self._seen_version = None
                    self._forget_articles()
        raise AssertionError("unreachable")

    def dense(self, view: View, vector: Any, n: int,
              where: dict[str, Any] | None = None) -> list[Hit]:
        """Nearest chunks of committed articles (leftovers of a killed write are skipped)."""
        return [hit for hit in view.store.query(vector, n, where) if hit.doc_id in view.committed]

    def article(self, doc_id: str) -> tuple[dict[str, Any], str] | None:
        """(metadata, stored text) of one article, cached until the index changes."""
        return self.retrying(lambda: self._article_cache(doc_id))

    def _article_cache(self, doc_id: str) -> tuple[dict[str, Any], str] | None:
        """This index's recently read articles (each index object its own, emptied on change)."""
        with self._articles_lock:
            if doc_id in self._articles:
                return self._articles[doc_id]
            epoch = self._articles_epoch
        found = self.store.get_article(doc_id)
        with self._articles_lock:
            if epoch == self._articles_epoch:  # not read across a change: safe to keep
                self._articles[doc_id] = found
        return found

    def _forget_articles(self) -> None:
        with self._articles_lock:
            self._articles.clear()
            self._articles_epoch += 1

    def counts(self) -> tuple[int, int]:
        """(articles, chunks) as the live generation holds them."""
        return self.retrying(lambda: (len(self.store.manifest()), self.store.chunk_count()))

    def documents(self) -> list[Any]:
        self.refresh()
        return self.retrying(lambda: self.store.documents())
