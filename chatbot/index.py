"""The live index: the active Chroma generation plus its derived lexical index, kept in step.

One ``ArticleIndex`` per process. It notices when another process (or a rebuild) changed the store,
by comparing the registry's active generation and the store's version stamp, and then refreshes
what it derives: the BM25 index (rebuilt from Chroma alone) and its cache of article texts.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatbot.lexical import LexicalIndex
from chatbot.store import IndexStore, Registry, make_client, new_generation

log = logging.getLogger(__name__)


def lexical_text(title: str, text: str) -> str:
    """What BM25 indexes for a chunk: the article title makes titles searchable too."""
    return f"{title}\n{text}" if title else text


class ArticleIndex:
    def __init__(self, index_dir: Path, chroma_url: str | None, name: str = "articles") -> None:
        self.index_dir = index_dir
        self.client = make_client(index_dir, chroma_url)
        self.registry = Registry(self.client, name)
        self.name = name
        self._lock = threading.RLock()
        self.write_lock = threading.Lock()  # one writer at a time in this process
        generation = self.registry.active()
        if generation is None:
            generation = new_generation()
            IndexStore(self.client, name, generation)
            self.registry.set_active(generation)
        self.store = IndexStore(self.client, name, generation)
        self.lexical = LexicalIndex()
        self._seen_version: str | None = None

    # ---- freshness ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Follow a generation switch and rebuild derived data when the version stamp moved."""
        with self._lock:
            active = self.registry.active()
            if active and active != self.store.generation:
                log.info("index generation switched to %s", active)
                self.store = IndexStore(self.client, self.name, active)
                self._seen_version = None
            version = self.store.version()
            if version != self._seen_version:
                self._load_lexical(version)
                self._article_cache.cache_clear()
                self._seen_version = version

    def _lexical_dir(self) -> Path:
        return self.index_dir / "lexical" / f"{self.name}-{self.store.generation}"

    def _load_lexical(self, version: str) -> None:
        folder = self._lexical_dir()
        loaded = LexicalIndex.load(folder) if folder.exists() else None
        if loaded is not None and loaded.version == version:
            self.lexical = loaded
            return
        self.lexical = self.build_lexical(self.store, version)
        try:
            self.lexical.save(folder)
        except OSError as exc:  # a read-only index folder still serves from memory
            log.warning("could not save the lexical index to %s: %s", folder, exc)

    @staticmethod
    def build_lexical(store: IndexStore, version: str) -> LexicalIndex:
        ids, texts, langs = [], [], []
        for cid, text, meta in store.iter_chunks():
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
                self._article_cache.cache_clear()
                self._seen_version = version

    # ---- switching generations (rebuild) ------------------------------------------------------
    def start_generation(self) -> IndexStore:
        return IndexStore(self.client, self.name, new_generation())

    def activate(self, store: IndexStore) -> None:
        """Make ``store`` the live generation, then drop every other generation."""
        version = store.bump_version()
        lexical = self.build_lexical(store, version)
        folder = self.index_dir / "lexical" / f"{self.name}-{store.generation}"
        lexical.save(folder)
        with self._lock:
            old = self.store.generation
            self.registry.set_active(store.generation)
            self.store = store
            self.lexical = lexical
            self._seen_version = version
            self._article_cache.cache_clear()
        # the old generation, and any half-built one a killed rebuild left behind
        for generation in {old, *self.stale_generations()}:
            self.drop_generation(generation)

    def drop_generation(self, generation: str) -> None:
        if generation == self.store.generation:
            return
        self.registry.drop(generation)
        import shutil

        shutil.rmtree(self.index_dir / "lexical" / f"{self.name}-{generation}", ignore_errors=True)

    def stale_generations(self) -> list[str]:
        return [g for g in self.registry.generations() if g != self.store.generation]

    # ---- reads --------------------------------------------------------------------------------
    def article(self, doc_id: str) -> tuple[dict[str, Any], str] | None:
        """(metadata, stored text) of one article, cached until the index changes."""
        return self._article_cache(doc_id)

    @lru_cache(maxsize=512)  # noqa: B019 - one index object per process, cleared on change
    def _article_cache(self, doc_id: str) -> tuple[dict[str, Any], str] | None:
        return self.store.get_article(doc_id)

    def counts(self) -> tuple[int, int]:
        return len(self.store.manifest()), self.store.chunk_count()
