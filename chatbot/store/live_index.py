"""The live index: the active Chroma generation plus its derived lexical index, kept in step.

One ``ArticleIndex`` per process. It notices when another process (or a rebuild) changed the store,
by comparing the registry's active generation and the store's version stamp, and then refreshes
what it derives: the BM25 index (rebuilt from Chroma alone) and its cache of article texts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cachetools import LRUCache

from chatbot.store.chroma import IndexStore, Registry, is_gone, make_client, new_generation, pieces_file
from chatbot.store.chroma_files import orphan_segment_dirs, remove_orphan_segment_dirs
from chatbot.store.hits import Hit
from chatbot.store.lexical import LexicalIndex
from chatbot.store.piece_cache import PieceStore

log = logging.getLogger(__name__)
T = TypeVar("T")


def lexical_text(title: str, text: str) -> str:
    """What BM25 indexes for a chunk: the article title makes titles searchable too."""
    return f"{title}\n{text}" if title else text


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


class ArticleIndex:
    def __init__(self, index_dir: Path, chroma_url: str | None, name: str = "articles") -> None:
        self.index_dir = index_dir
        self.client = make_client(index_dir, chroma_url)
        self.embedded = not chroma_url
        self.registry = Registry(self.client, name)
        self.name = name
        self._lock = threading.RLock()
        self.write_lock = threading.Lock()  # one writer at a time in this process
        active = self.registry.active()
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
        """Follow a generation switch and rebuild derived data when the version stamp moved.

        A rebuild in another process may drop the generation between reading the registry and
        reading its stamp; then the registry is read again.
        """
        self.retrying(lambda: self._refresh_once(), refresh_first=False)

    def _refresh_once(self) -> None:
        with self._lock:
            active = self.registry.active()
            if active and active != self.store.generation:
                log.info("index generation switched to %s", active)
                self.store = self._open(active)
                self._seen_version = None
            version = self.store.version()
            if version != self._seen_version:
                self._load_lexical(version)
                self._forget_articles()
                self._seen_version = version

    def _lexical_dir(self) -> Path:
        return self.index_dir / "lexical" / f"{self.name}-{self.store.generation}"

    def _load_lexical(self, version: str) -> None:
        folder = self._lexical_dir()
        self.committed = frozenset(self.store.manifest())
        loaded = LexicalIndex.load(folder) if folder.exists() else None
        if loaded is not None and loaded.version == version:
            self.lexical = loaded
            return
        self.lexical = self.build_lexical(self.store, version, self.committed)
        try:
            self.lexical.save(folder)
        except OSError as exc:  # a read-only index folder still serves from memory
            log.warning("could not save the lexical index to %s: %s", folder, exc)

    @staticmethod
    def build_lexical(store: IndexStore, version: str, committed: frozenset[str] | None = None) -> LexicalIndex:
        """BM25 over the chunks of committed articles (``committed`` defaults to the manifest)."""
        committed = frozenset(store.manifest()) if committed is None else committed
        ids, texts, langs = [], [], []
        for cid, text, meta in store.iter_chunks():
            if meta.get("doc_id") not in committed:
                continue
            ids.append(cid)
            texts.append(lexical_text(str(meta.get("title", "")), text))
            langs.append(str(meta.get("lang", "en")))
        index = LexicalIndex()
        index.build(ids, texts, langs, version)
        return index

    def commit(self, store: IndexStore | None = None) -> None:
        """After writes: new version stamp, lexical index rebuilt and saved for other processes."""
        store = store or self.store
        version = store.bump_version()
        if store is self.store:
            with self._lock:
                self._load_lexical(version)
                self._forget_articles()
                self._seen_version = version

    # ---- switching generations (rebuild) ------------------------------------------------------
    def start_generation(self) -> IndexStore:
        return self._open(new_generation())

    def _open(self, generation: str) -> IndexStore:
        return IndexStore(self.client, self.name, generation, pieces_dir=self.index_dir / "pieces")

    def activate(self, store: IndexStore, drop_old: bool = True) -> None:
        """Make ``store`` the live generation, then (unless told not to) drop every other one."""
        version = store.bump_version()
        committed = frozenset(store.manifest())
        lexical = self.build_lexical(store, version, committed)
        folder = self.index_dir / "lexical" / f"{self.name}-{store.generation}"
        lexical.save(folder)
        with self._lock:
            self.registry.set_active(store.generation)
            self.store = store
            self.lexical = lexical
            self.committed = committed
            self._seen_version = version
            self._forget_articles()
        if drop_old:
            self.drop_others()

    def drop_others(self) -> None:
        """Drop the replaced generation and any half-built one a killed rebuild left behind.

        This also ends a rebuild another process may have running: it then fails and the
        generation it was replacing (this one) goes on serving.
        """
        for generation in self.stale_generations():
            self.drop_generation(generation)

    def drop_generation(self, generation: str) -> None:
        """Drop a generation's collections and every file of it (see chatbot.store.chroma_files)."""
        if generation == self.store.generation:
            return
        self.registry.drop(generation)
        import shutil

        shutil.rmtree(self.index_dir / "lexical" / f"{self.name}-{generation}", ignore_errors=True)
        PieceStore.remove_file(pieces_file(self.index_dir / "pieces", self.name, generation))
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
        generation a reader is using; the reader then follows the switch instead of failing.
        """
        for attempt in range(3):
            try:
                return read()
            except Exception as exc:
                if not is_gone(exc) or attempt == 2:
                    raise
                log.info("generation dropped under a reader; following the switch")
                with self._lock:
                    self._seen_version = None
                    self._forget_articles()
                if refresh_first:
                    self._refresh_once()
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
