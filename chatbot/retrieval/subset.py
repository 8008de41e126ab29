"""Nearest chunks among some of the articles, without Chroma's metadata-filtered query when possible.

On a 100k-chunk index a Chroma query with a ``where`` costs 100-650 ms whatever share of the index
passes (the metadata is scanned first), while the plain nearest-neighbour query costs about 2 ms for
30 ids and grows with the ids asked (about 6 ms for 270, 11 ms for 600; BENCHMARKS.md sections 20
and 23a). A filter (dates, outlets, doc_ids) or a language is a set of articles, known from the
manifest, so:

* few chunks pass (at most ``SMALL_SUBSET``): their vectors are read by id (their ids follow from
  the manifest's chunk counts) and ranked exactly, then the texts of the best ``n`` only are read;
  the vectors are kept for the next search among the same articles (``Memory``);
* a large share passes: the plain query fetches ``n / share x OVERFETCH`` nearest ids and keeps
  those whose article passes. When at least ``n`` pass, they are the nearest ``n`` that pass as the
  index finds them. The size is not learnt smaller from earlier searches: the index's recall falls
  with the ids asked (its search breadth is the larger of ``ef_search`` and the ids asked), so a
  smaller fetch would change which chunks come last (measured in BENCHMARKS.md section 23a);
* otherwise (too few passed, or the share is too small for an affordable over-fetch), the filtered
  Chroma query, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from chatbot.schemas import chunk_ids, doc_of_chunk
from chatbot.store import reads
from chatbot.store.hits import Hit

# chunks read by id and ranked exactly: a chunk's vector read by id costs about 0.1 ms on a 100k-chunk
# index (2,000 took 190 ms, texts and metadata with them 320 ms), so they are kept (``Memory``)
SMALL_SUBSET = 2000
OVERFETCH = 3  # the share's prediction of the ids needed is multiplied by this, as a margin
MAX_FETCH = 2000  # above this the filtered query is cheaper than fetching that many ids
_totals: dict[int, tuple[Mapping[str, Mapping[str, Any]], int]] = {}  # id(manifest) -> (it, its chunks)


def _total(manifest: Mapping[str, Mapping[str, Any]]) -> int:
    """Chunks of the whole manifest, summed once per manifest object (one per index version)."""
    got = _totals.get(id(manifest))
    if got is None or got[0] is not manifest:
        got = (manifest, sum(int(m.get("chunks") or 0) for m in manifest.values()))
        _totals.clear()  # only the current version's manifest is asked about
        _totals[id(manifest)] = got
    return got[1]


def chunks_of(docs: frozenset[str], manifest: Mapping[str, Mapping[str, Any]]) -> int | None:
    """Chunks of ``docs`` as the manifest counts them; None when a record gives no count."""
    counts = [manifest[d].get("chunks") if d in manifest else None for d in docs]
    return None if None in counts else sum(int(c) for c in counts)  # type: ignore[arg-type]


class Memory:
    """What searches among some articles keep for the next ones: the vectors of the small sets read
    by id (a ``doc_ids`` filter asked again reads only the texts of its best chunks). Vectors are
    kept for the current manifest (index version) only, at most ``ROWS`` of them (3 KB each: 60 MB,
    as much as one language held in memory at most)."""

    ROWS = 20_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._manifest: Mapping[str, Mapping[str, Any]] | None = None
        self._vectors: OrderedDict[frozenset[str], tuple[list[str], np.ndarray]] = OrderedDict()

    def vectors(self, store: Any, docs: frozenset[str],
                manifest: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], np.ndarray]:
        """The ids and vectors of the chunks of ``docs`` in this manifest's index version."""
        with self._lock:
            found = self._vectors.get(docs) if self._manifest is manifest else None
            if found is not None:
                self._vectors.move_to_end(docs)
        if found is not None:
            return found
        found = _read_vectors(store, docs, manifest)
        with self._lock:
            if self._manifest is not manifest:
                self._manifest, self._vectors = manifest, OrderedDict()
            self._vectors[docs] = found
            while sum(len(ids) for ids, _ in self._vectors.values()) > self.ROWS:
                self._vectors.popitem(last=False)
        return found


def _read_vectors(store: Any, docs: frozenset[str],
                  manifest: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], np.ndarray]:
    ids = [cid for d in sorted(docs) for cid in chunk_ids(d, int(manifest[d]["chunks"]))]
    vectors = reads.vectors(store, ids)
    found = [cid for cid in ids if cid in vectors]
    matrix = np.stack([vectors[cid] for cid in found]) if found else np.zeros((0, 0), dtype=np.float32)
    return found, matrix


def _ranked_by_id(store: Any, qvec: np.ndarray, n: int, docs: frozenset[str],
                  manifest: Mapping[str, Mapping[str, Any]], memory: Memory | None) -> list[Hit]:
    """The ``n`` nearest of a few chunks: every vector read by id (or kept from an earlier search
    among the same articles) and compared, then the texts of the best ``n`` read (texts and
    metadata double the cost of a read by id)."""
    found, matrix = (memory.vectors(store, docs, manifest) if memory is not None
                     else _read_vectors(store, docs, manifest))
    if not found:
        return []
    sims = matrix @ qvec
    best = np.argsort(-sims, kind="stable")[:n]
    return reads.hits(store, [found[i] for i in best], [1.0 - float(sims[i]) for i in best])


def nearest_among(store: Any, qvec: np.ndarray, n: int, docs: frozenset[str],
                  manifest: Mapping[str, Mapping[str, Any]], where: dict[str, Any],
                  chunks: int | None = None, memory: Memory | None = None) -> list[Hit]:
    """The ``n`` chunks of ``docs`` nearest to ``qvec``, best first (``where`` selects the same
    chunks in Chroma, for the fallback). ``chunks``: the chunk count of ``docs`` when the caller
    knows it (counted from the manifest otherwise); ``memory``: what earlier searches kept."""
    if not docs:
        return []
    if chunks is None:
        chunks = chunks_of(docs, manifest)
    if chunks is None:  # a record without its chunk count (an older index): let Chroma filter
        return [hit for hit in store.query(qvec, n, where) if hit.doc_id in docs]
    if chunks <= SMALL_SUBSET:
        return _ranked_by_id(store, qvec, n, docs, manifest, memory)
    predicted = int(n * _total(manifest) / max(chunks, 1) * OVERFETCH)
    if predicted > MAX_FETCH:
        return [hit for hit in store.query(qvec, n, where) if hit.doc_id in docs]
    ids, distances = reads.nearest_ids(store, qvec, predicted)
    positions = [i for i, cid in enumerate(ids) if doc_of_chunk(cid) in docs]
    if len(positions) >= n or len(ids) < predicted:  # enough, or every chunk of the index was seen
        kept = positions[:n]
        return reads.hits(store, [ids[i] for i in kept], [distances[i] for i in kept])
    return [hit for hit in store.query(qvec, n, where) if hit.doc_id in docs]

