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

import itertools
import logging
import threading
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from chatbot.store.chroma import IndexStore
from chatbot.store.hits import Hit
from chatbot.store.live_index import View, fingerprint

log = logging.getLogger(__name__)
_KEPT = 8  # index versions (and generation, language pairs held) kept before a cache is emptied
# Rows of replaced or removed articles are masked, not copied out (copying a 20,000-row matrix for each
# upload took longer than the search); past this share of masked rows, or this many blocks, the held
# rows are packed into one block again.
_DEAD_SHARE = 0.25
_BLOCKS = 16


@dataclass(frozen=True)
class Articles:
    """One language's articles in one index version."""

    versions: dict[str, str]  # doc_id -> fingerprint: equal versions, equal chunks
    sizes: dict[str, int]  # doc_id -> its chunk count, for the records that give one
    chunks: int | None  # its chunks as the manifest counts them (None: a record without a count)

    @cached_property
    def docs(self) -> frozenset[str]:
        return frozenset(self.versions)


@dataclass(frozen=True)
class Held:
    """A language's chunks in memory, for one version of its articles. Never changed once built: a
    question in another thread may be searching it while the next one is made from it."""

    versions: dict[str, str]  # doc_id -> the fingerprint its rows were read at
    members: tuple[Hit, ...]  # without their vectors: those are the rows of ``blocks``, in order
    blocks: tuple[np.ndarray, ...]  # one block per read
    dead: np.ndarray  # per member: True for rows of articles replaced or removed since they were read
    _rows: dict[frozenset[str], np.ndarray] = field(default_factory=dict, compare=False, repr=False)  # rows_of

    def rows_of(self, docs: frozenset[str]) -> np.ndarray:
        """Per member: whether its article is one of ``docs`` (a filter's articles), worked out
        once per set of articles (a filter asked again finds it; 8,000 members took about 1 ms)."""
        found = self._rows.get(docs)
        if found is None:
            found = np.fromiter((m.doc_id in docs for m in self.members), bool, len(self.members))
            if len(self._rows) >= _KEPT:
                self._rows.clear()
            self._rows[docs] = found
        return found

    def similarities(self, qvec: np.ndarray) -> np.ndarray:
        """Cosine similarity of every member to ``qvec``; -inf for dead rows."""
        if not self.blocks:
            return np.zeros(0, dtype=np.float32)
        sims = self.blocks[0] @ qvec if len(self.blocks) == 1 else np.concatenate([b @ qvec for b in self.blocks])
        return np.where(self.dead, -np.inf, sims)


def _read(hits: list[Hit]) -> tuple[tuple[Hit, ...], tuple[np.ndarray, ...]]:
    """Members without their vectors, and the block of those vectors (none for no hit)."""
    members = tuple(replace(h, vector=None) for h in hits)
    return members, (np.stack([h.vector for h in hits]).astype(np.float32, copy=False),) if hits else ()


def _packed(held: Held) -> Held:
    """``held`` with its live rows in one block, when masked rows or blocks have piled up."""
    if held.dead.sum() <= _DEAD_SHARE * len(held.members) and len(held.blocks) <= _BLOCKS:
        return held
    live = np.flatnonzero(~held.dead)
    members = tuple(held.members[i] for i in live)
    blocks = (np.concatenate(held.blocks)[live],) if members else ()
    return Held(held.versions, members, blocks, np.zeros(len(members), dtype=bool))


class HeldLanguages:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()  # around the dicts below, never held during a read from Chroma
        self._build_lock = threading.Lock()  # one thread at a time reads a language's changes
        # (generation, language) -> (its articles' versions, what is held for them; None: too large)
        self._held: dict[tuple[str, str], tuple[dict[str, str], Held | None]] = {}
        self._languages: dict[tuple, dict[str, Articles]] = {}  # per index version: language -> articles

    def language(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> Articles:
        """``lang``'s articles in ``view``'s index version (see ``languages``)."""
        return self.languages(view, manifest).get(lang) or Articles({}, {}, 0)

    def languages(self, view: View, manifest: dict[str, dict[str, Any]]) -> dict[str, Articles]:
        """Each language's articles in ``view``'s index version, worked out once per version.

        The fingerprints are the lexical index's, which worked them out for this version already
        (computing them again took about 90 ms for 14,000 articles under load); an article it does
        not hold yet gets its own."""
        version = view.version
        with self._lock:
            languages = self._languages.get(version)
        if languages is None:
            known = view.lexical.fingerprints()
            by_lang: dict[str, dict[str, str]] = {}
            sizes: dict[str, dict[str, int]] = {}
            counts: dict[str, int | None] = {}
            for doc_id, record in manifest.items():
                name, count = str(record.get("lang")), record.get("chunks")
                by_lang.setdefault(name, {})[doc_id] = known.get(doc_id) or fingerprint(record)
                total = counts.get(name, 0)
                counts[name] = None if count is None or total is None else total + int(count)
                if count is not None:
                    sizes.setdefault(name, {})[doc_id] = int(count)
            languages = {name: Articles(docs, sizes.get(name, {}), counts[name]) for name, docs in by_lang.items()}
            with self._lock:
                if len(self._languages) >= _KEPT:
                    self._languages.clear()
                self._languages[version] = languages
        return languages

    def nearest_by_language(self, view: View, manifest: dict[str, dict[str, Any]], qvec: np.ndarray, n: int,
                            among: frozenset[str] | None = None) -> dict[str, list[Hit]] | None:
        """Each language's ``n`` nearest committed chunks (of the articles ``among``, when given),
        ranked exactly, when every language of the index is held; None when one is too large.

        Chroma's HNSW search is approximate, and its graph is rebuilt from Chroma's log when a
        process opens the index, so which near chunks it misses changes from one start to the next
        (BENCHMARKS.md 37b); a corpus whose languages are all held (read anyway for the
        per-language search) is ranked exactly instead, at the cost of a matrix product per language.
        A language none of whose articles is ``among`` is left out."""
        languages = self.languages(view, manifest)
        if any(a.chunks is None or a.chunks > self.limit for a in languages.values()):
            return None  # told by the manifest's counts: nothing is read to find out
        found: dict[str, list[Hit]] = {}
        for lang, articles in languages.items():
            if among is not None and articles.docs.isdisjoint(among):
                continue
            hits = self.nearest(view, manifest, lang, qvec, n, among)
            if hits is None:
                return None
            found[lang] = hits
        return found

    def nearest(self, view: View, manifest: dict[str, dict[str, Any]], lang: str, qvec: np.ndarray,
                n: int, among: frozenset[str] | None = None) -> list[Hit] | None:
        """The ``n`` nearest committed chunks of ``lang`` (of the articles ``among``, when given: a
        filter's), or None when the language is too large to hold (the caller then searches among
        its articles)."""
        held = self.held(view, manifest, lang)
        if held is None:
            return None
        sims = held.similarities(qvec)
        if among is not None:
            sims = np.where(held.rows_of(among), sims, -np.inf)
        members = held.members
        nearest = (i for i in np.argsort(-sims) if sims[i] > -np.inf and members[i].doc_id in view.committed)
        return [replace(members[i], similarity=float(sims[i])) for i in itertools.islice(nearest, n)]

    def held(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> Held | None:
        """What is held of ``lang`` for ``view``'s version, brought up to date first if need be."""
        wanted = self.language(view, manifest, lang)
        slot = (view.store.generation, lang)
        with self._lock:
            entry = self._held.get(slot)
        if entry is not None and (entry[0] is wanted.versions or entry[0] == wanted.versions):
            if entry[0] is not wanted.versions:  # the same articles in a new index version: compared once
                with self._lock:
                    if self._held.get(slot) is entry:
                        self._held[slot] = (wanted.versions, entry[1])
            return entry[1]
        with self._build_lock:
            with self._lock:  # another thread may have brought it up to date meanwhile
                entry = self._held.get(slot)
            if entry is not None and entry[0] == wanted.versions:
                return entry[1]
            held = self._follow(view.store, None if entry is None else entry[1], wanted, lang)
            with self._lock:
                if slot not in self._held and len(self._held) >= _KEPT:
                    self._held.clear()
                self._held[slot] = (wanted.versions, held)
        return held

    def _follow(self, store: IndexStore, before: Held | None, wanted: Articles, lang: str) -> Held | None:
        """``lang`` held for ``wanted``: from ``before`` and the chunks of the articles that
        changed since, or read whole when nothing usable is held; None when it is too large."""
        if wanted.chunks is not None and wanted.chunks > self.limit:
            return None
        changed = [] if before is None else [d for d, fp in wanted.versions.items() if before.versions.get(d) != fp]
        if before is None or any(d not in wanted.sizes for d in changed):
            hits = store.chunks_where({"lang": lang}, self.limit)
            if hits is None:
                return None
            log.info("language %s held: %d chunks read", lang, len(hits))
            members, blocks = _read(hits)
            leftover = np.fromiter((m.doc_id not in wanted.versions for m in members), bool, len(members))
            return Held(wanted.versions, members, blocks, leftover)
        gone = {d for d, fp in before.versions.items() if wanted.versions.get(d) != fp}
        dead = before.dead
        if gone:
            dead = dead | np.fromiter((m.doc_id in gone for m in before.members), bool, len(before.members))
        fresh = [h for h in store.article_chunks({d: wanted.sizes[d] for d in changed}) if h.lang == lang]
        if len(before.members) - int(dead.sum()) + len(fresh) > self.limit:
            return None
        log.info("language %s held: %d articles read again (%d chunks), %d dropped", lang, len(changed),
                 len(fresh), len(gone))
        members, blocks = _read(fresh)
        return _packed(Held(wanted.versions, before.members + members, before.blocks + blocks,
                            np.concatenate([dead, np.zeros(len(members), dtype=bool)])))

    def articles(self, view: View, manifest: dict[str, dict[str, Any]], lang: str) -> frozenset[str]:
        """The articles of ``lang`` (for a language too large to hold)."""
        return self.language(view, manifest, lang).docs
