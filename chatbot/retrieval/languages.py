"""The chunks of a small language held in memory, so that its nearest chunks are found exactly.

In a corpus of several languages, each language's own nearest chunks are read as well as the
global ones (see chatbot.retrieval.retriever.PER_LANGUAGE). A metadata-filtered Chroma query for
them costs about 100 ms on a 100k-chunk index even when few chunks match; a language of at most
``limit`` chunks is therefore read once, with its vectors, and searched by one matrix product.

What is held follows that language's articles one by one, as the lexical index does: each held
chunk is kept with the stored version of its article (``chatbot.store.live_index.fingerprint``) it
was read at. When an article of the language is added, replaced or removed, only the chunks of the
articles whose version changed are read from Chroma, and the rest are taken from what was held
(reading the whole language again cost about 1.1 s per 5,000 chunks, on the next user's question).
An upload in another language leaves a language as it was. Whether a language fits is told by the
chunk counts of its manifest records, so a language too large to hold is never read to find out.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from chatbot.store.chroma import IndexStore
from chatbot.store.hits import Hit
from chatbot.store.live_index import View, fingerprint

log = logging.getLogger(__name__)
_KEPT = 8  # index versions (and generation, language pairs held) kept before a cache is emptied


@dataclass(frozen=True)
class Articles:
    """One language's articles in one index version."""

    signature: str  # of every article and its stored version: equal signatures, equal chunks
    versions: dict[str, str]  # doc_id -> fingerprint
    chunks: int | None  # its chunks as the manifest counts them (None: a record without a count)


@dataclass(frozen=True)
class Held:
    """A language's chunks in memory, for one signature. Never changed once built: a question in
    another thread may be searching it while the next one is made."""

    signature: str
    versions: dict[str, str]  # doc_id -> the fingerprint its rows were read at
    members: tuple[Hit, ...]  # without their vectors: those are the rows of ``matrix``
    matrix: np.ndarray | None  # None: no chunk


def _hold(signature: str, versions: dict[str, str], members: list[Hit], rows: list[np.ndarray]) -> Held:
    matrix = np.vstack(rows).astype(np.float32, copy=False) if rows else None
    return Held(signature, versions, tuple(replace(m, vector=None) for m in members), matrix)


class HeldLanguages:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()  # around the dicts below, never held during a read from Chroma
        self._build_lock = threading.Lock()  # one thread at a time reads a language's changes
        # (generation, language) -> (signature, what is held for it; None: too large to hold)
        self._held: dict[tuple[str, str], tuple[str, Held | None]] = {}
        self._docs: dict[tuple, frozenset[str]] = {}  # a large language's articles
        self._languages: dict[tuple, dict[str, Articles]] = {}  # per index version: language -> articles

    def language(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> Articles:
        """``lang``'s articles in ``view``'s index version, worked out once per version."""
        version = (view.store.generation, view.lexical.version)
        with self._lock:
            languages = self._languages.get(version)
        if languages is None:
            by_lang: dict[str, dict[str, str]] = {}
            counts: dict[str, int | None] = {}
            for doc_id, record in manifest.items():
                name = str(record.get("lang"))
                by_lang.setdefault(name, {})[doc_id] = fingerprint(record)
                count, total = record.get("chunks"), counts.get(name, 0)
                counts[name] = None if count is None or total is None else total + int(count)
            languages = {name: Articles(hashlib.sha1("\n".join(sorted(f"{d}\t{fp}" for d, fp in docs.items()))
                                                     .encode()).hexdigest(), docs, counts[name])
                         for name, docs in by_lang.items()}
            with self._lock:
                if len(self._languages) >= _KEPT:
                    self._languages.clear()
                self._languages[version] = languages
        return languages.get(lang) or Articles("", {}, 0)

    def nearest(self, view: View, manifest: dict[str, dict[str, Any]], lang: str, qvec: np.ndarray,
                n: int) -> list[Hit] | None:
        """The ``n`` nearest committed chunks of ``lang``, or None when the language is too large
        to hold (the caller then searches among its articles)."""
        held = self.held(view, manifest, lang)
        if held is None:
            return None
        if held.matrix is None:
            return []
        sims = held.matrix @ qvec
        members = held.members
        nearest = (i for i in np.argsort(-sims) if members[i].doc_id in view.committed)
        return [replace(members[i], similarity=float(sims[i])) for i in itertools.islice(nearest, n)]

    def held(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> Held | None:
        """What is held of ``lang`` for ``view``'s version, brought up to date first if need be."""
        wanted = self.language(view, manifest, lang)
        slot = (view.store.generation, lang)
        with self._lock:
            signature, before = self._held.get(slot, ("", None))
        if signature == wanted.signature and slot in self._held:
            return before
        with self._build_lock:
            with self._lock:  # another thread may have brought it up to date meanwhile
                signature, before = self._held.get(slot, ("", None))
                if signature == wanted.signature and slot in self._held:
                    return before
            held = self._follow(view.store, before, wanted, lang)
            with self._lock:
                if slot not in self._held and len(self._held) >= _KEPT:
                    self._held.clear()
                self._held[slot] = (wanted.signature, held)
        return held

    def _follow(self, store: IndexStore, before: Held | None, wanted: Articles, lang: str) -> Held | None:
        """``lang`` held for ``wanted``: from ``before`` and the chunks of the articles that
        changed since, or read whole when nothing usable is held; None when it is too large."""
        if wanted.chunks is not None and wanted.chunks > self.limit:
            return None
        if before is None:
            members = store.chunks_where({"lang": lang}, self.limit)
            if members is None:
                return None
            log.info("language %s held: %d chunks read", lang, len(members))
            return _hold(wanted.signature, wanted.versions, members, [m.vector for m in members])
        changed = [d for d, fp in wanted.versions.items() if before.versions.get(d) != fp]
        keep = [i for i, m in enumerate(before.members)
                if m.doc_id in wanted.versions and before.versions.get(m.doc_id) == wanted.versions[m.doc_id]]
        fresh = [hit for hit in store.chunks_with_vectors(changed) if hit.lang == lang]
        if len(keep) + len(fresh) > self.limit:
            return None
        log.info("language %s held: %d articles read again (%d chunks), %d chunks dropped", lang, len(changed),
                 len(fresh), len(before.members) - len(keep))
        rows = [before.matrix[keep]] if keep and before.matrix is not None else []
        rows += [np.stack([h.vector for h in fresh])] if fresh else []
        return _hold(wanted.signature, wanted.versions, [before.members[i] for i in keep] + fresh, rows)

    def articles(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> frozenset[str]:
        """The articles of ``lang`` (for a language too large to hold)."""
        key = (view.store.generation, lang, self.language(view, manifest, lang).signature)
        with self._lock:
            docs = self._docs.get(key)
        if docs is None:
            docs = frozenset(d for d, m in manifest.items() if m.get("lang") == lang)
            with self._lock:
                if len(self._docs) >= _KEPT:
                    self._docs.clear()
                self._docs[key] = docs
        return docs
