"""The chunks of a small language held in memory, so that its nearest chunks are found exactly.

In a corpus of several languages, each language's own nearest chunks are read as well as the
global ones (see chatbot.retrieval.retriever.PER_LANGUAGE). A metadata-filtered Chroma query for
them costs about 100 ms on a 100k-chunk index even when few chunks match; a language of at most
``limit`` chunks is therefore read once, with its vectors, and searched by one matrix product.

What is held depends on the generation and on that language's articles, each in its stored
version (``chatbot.store.live_index.fingerprint``): an upload in another language leaves it as it
was, so a bilingual index with many uploads does not read its small language again after each one
(5,000 chunks with their vectors take about a second).
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from dataclasses import replace
from typing import Any

import numpy as np

from chatbot.store.hits import Hit
from chatbot.store.live_index import View, fingerprint

_KEPT = 8  # index versions and held languages kept before the caches are emptied


class HeldLanguages:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._held: dict[tuple, tuple[list[Hit], np.ndarray | None] | None] = {}  # None: too large
        self._docs: dict[tuple, frozenset[str]] = {}  # a large language's articles
        self._signatures: dict[tuple, dict[str, str]] = {}  # per index version: language -> signature

    def key(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> tuple:
        """(generation, language, signature of that language's articles and their versions)."""
        version = (view.store.generation, view.lexical.version)
        with self._lock:
            signatures = self._signatures.get(version)
        if signatures is None:
            by_lang: dict[str, list[str]] = {}
            for doc_id, record in manifest.items():
                by_lang.setdefault(str(record.get("lang")), []).append(f"{doc_id}\t{fingerprint(record)}")
            signatures = {name: hashlib.sha1("\n".join(sorted(docs)).encode()).hexdigest()
                          for name, docs in by_lang.items()}
            with self._lock:
                if len(self._signatures) >= _KEPT:
                    self._signatures.clear()
                self._signatures[version] = signatures
        return view.store.generation, lang, signatures.get(lang, "")

    def nearest(self, view: View, manifest: dict[str, dict[str, Any]], lang: str, qvec: np.ndarray,
                n: int) -> list[Hit] | None:
        """The ``n`` nearest committed chunks of ``lang``, or None when the language is too large
        to hold (the caller then searches among its articles)."""
        key = self.key(view, manifest, lang)
        with self._lock:
            found = key in self._held
            held = self._held.get(key)
        if not found:
            members = view.store.chunks_where({"lang": lang}, self.limit)
            held = None if members is None else (members, np.stack([m.vector for m in members]) if members else None)
            with self._lock:
                if len(self._held) >= _KEPT:
                    self._held.clear()
                self._held[key] = held
        if held is None:
            return None
        members, matrix = held
        if matrix is None:
            return []
        sims = matrix @ qvec
        nearest = (i for i in np.argsort(-sims) if members[i].doc_id in view.committed)
        return [replace(members[i], similarity=float(sims[i]), vector=None) for i in itertools.islice(nearest, n)]

    def articles(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> frozenset[str]:
        """The articles of ``lang`` (for a language too large to hold)."""
        key = self.key(view, manifest, lang)
        with self._lock:
            docs = self._docs.get(key)
        if docs is None:
            docs = frozenset(d for d, m in manifest.items() if m.get("lang") == lang)
            with self._lock:
                if len(self._docs) >= _KEPT:
                    self._docs.clear()
                self._docs[key] = docs
        return docs
