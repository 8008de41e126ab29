"""Nearest chunks among some of the articles, without Chroma's metadata-filtered query when possible.

On a 100k-chunk index a Chroma query with a ``where`` costs 100-650 ms whatever share of the index
passes (the metadata is scanned first), while the plain nearest-neighbour query costs about 2 ms for
30 ids and grows with the ids asked (about 6 ms for 270, 11 ms for 600; BENCHMARKS.md sections 20
and 23a). A filter (dates, outlets, doc_ids) or a language is a set of articles, known from the
manifest, so:

* few chunks pass (at most ``SMALL_SUBSET``): their vectors are read by id (their ids follow from
  the manifest's chunk counts) and ranked exactly, then the texts of the best ``n`` only are read;
  the vectors are kept for the next search among the same articles (``Memory``);
* more pass, but few enough to keep (at most ``Memory.ROWS``), and the same articles are searched
  among again (an outlet or a date range picked on the page, then several questions): their
  vectors are read by id once, in a background thread, a part at a time while no search runs
  (about 1 s of idle time for 15,000), and kept; from then on they are ranked exactly (1.5 ms for
  15,000) instead of over-fetched (11 ms). Until they are there, the over-fetch below answers: no
  search waits for the read (read at once, beside searches, it held them up by up to a second);
* a large share passes: the plain query fetches ``n / share x OVERFETCH`` nearest ids and keeps
  those whose article passes. When at least ``n`` pass, they are the nearest ``n`` that pass as the
  index finds them. The size is not learnt smaller from earlier searches: the index's recall falls
  with the ids asked (its search breadth is the larger of ``ef_search`` and the ids asked), so a
  smaller fetch would change which chunks come last (measured in BENCHMARKS.md section 23a);
* otherwise (too few passed, or the share is too small for an affordable over-fetch), the filtered
  Chroma query, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from chatbot.schemas import chunk_ids, doc_of_chunk
from chatbot.store import reads
from chatbot.store.hits import Hit

log = logging.getLogger(__name__)

# chunks read by id and ranked exactly: a chunk's vector read by id costs about 0.1 ms on a 100k-chunk
# index (2,000 took 190 ms, texts and metadata with them 320 ms), so they are kept (``Memory``)
SMALL_SUBSET = 2000
OVERFETCH = 3  # the share's prediction of the ids needed is multiplied by this, as a margin
MAX_FETCH = 2000  # above this the filtered query is cheaper than fetching that many ids
# ... and a fetch that found too few is tried again this many times larger, up to MAX_FETCH: at 100k
# chunks 128 ids cost 3-4 ms, 512 8 ms, 2,000 26 ms, the filtered query 355-376 ms (BENCHMARKS.md 29)
REFETCH = 4
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
    """What searches among some articles keep for the next ones: the vectors of the sets read by id
    (a ``doc_ids`` filter asked again reads only the texts of its best chunks; an outlet asked again
    reads nothing but them). Vectors are kept for the current manifest (index version) only, at
    most ``ROWS`` of them (3 KB each: 60 MB, as much as one language held in memory at most)."""

    ROWS = 20_000
    SEEN = 256  # sets of articles remembered as searched once (their vectors are read when asked again)
    PART = 128  # vectors read at a time in the background (about 7 ms of Chroma holding the interpreter)
    IDLE_S = 0.05  # the background read goes on only once no search has run for this long

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._manifest: Mapping[str, Mapping[str, Any]] | None = None
        self._vectors: OrderedDict[frozenset[str], tuple[list[str], np.ndarray]] = OrderedDict()
        self._seen: OrderedDict[frozenset[str], None] = OrderedDict()
        self._reading: dict[frozenset[str], threading.Thread] = {}
        self._idle = threading.Condition()  # searches running, and when the last one ended
        self._busy = 0
        self._last = 0.0

    @contextmanager
    def searching(self) -> Iterator[None]:
        """Mark a search as running: the background reads wait for the searches to leave the machine
        idle (a Chroma read holds the interpreter, and two cores are shared with the encoder)."""
        with self._idle:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._last = time.monotonic()
                self._idle.notify_all()

    def _wait_idle(self) -> None:
        with self._idle:
            while True:
                self._idle.wait_for(lambda: self._busy == 0)
                left = self.IDLE_S - (time.monotonic() - self._last)
                if left <= 0:
                    return
                self._idle.wait(left)

    def _follow(self, manifest: Mapping[str, Mapping[str, Any]]) -> None:
        """Forget what belongs to another index version (under the lock)."""
        if self._manifest is not manifest:
            self._manifest, self._vectors, self._seen = manifest, OrderedDict(), OrderedDict()

    def _keep(self, docs: frozenset[str], found: tuple[list[str], np.ndarray]) -> None:
        """Keep ``found`` as the vectors of ``docs``, the least recently used dropped (under the lock)."""
        self._vectors[docs] = found
        while sum(len(ids) for ids, _ in self._vectors.values()) > self.ROWS and len(self._vectors) > 1:
            self._vectors.popitem(last=False)

    def kept(self, docs: frozenset[str], manifest: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], np.ndarray] | None:
        """The ids and vectors of ``docs`` if kept for this index version, else None (never reads)."""
        with self._lock:
            self._follow(manifest)
            found = self._vectors.get(docs)
            if found is not None:
                self._vectors.move_to_end(docs)
            return found

    def vectors(self, store: Any, docs: frozenset[str],
                manifest: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], np.ndarray]:
        """The ids and vectors of the chunks of ``docs`` in this manifest's index version (read now
        when not kept)."""
        found = self.kept(docs, manifest)
        if found is not None:
            return found
        found = _read_vectors(store, docs, manifest)
        with self._lock:
            self._follow(manifest)
            self._keep(docs, found)
        return found

    def searched(self, store: Any, docs: frozenset[str], manifest: Mapping[str, Mapping[str, Any]]) -> None:
        """Note a search among ``docs``; the second one starts reading their vectors in the background
        (a set searched once, a date range tried and left, costs no read)."""
        with self._lock:
            self._follow(manifest)
            if docs in self._vectors or docs in self._reading:
                return
            if docs not in self._seen or self._reading:  # one read at a time: a busy server starts no more
                self._seen[docs] = None
                while len(self._seen) > self.SEEN:
                    self._seen.popitem(last=False)
                return
            del self._seen[docs]
            reader = threading.Thread(target=self._read_in_background, args=(store, docs, manifest),
                                      name="filter-vectors", daemon=True)
            self._reading[docs] = reader
        reader.start()

    def _read_in_background(self, store: Any, docs: frozenset[str], manifest: Mapping[str, Mapping[str, Any]]) -> None:
        def idle_and_current() -> bool:
            self._wait_idle()
            return self._manifest is manifest  # another index version: stop reading this one's

        try:
            found = _read_in_parts(store, docs, manifest, self.PART, idle_and_current)
        except Exception as exc:  # an index version switched meanwhile: the next search reads again
            log.info("vectors of %d articles not kept: %s", len(docs), exc)
            found = None
        with self._lock:
            self._reading.pop(docs, None)
            if found is not None and self._manifest is manifest:
                self._keep(docs, found)

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait for the background reads under way (tests and benchmarks)."""
        with self._lock:
            readers = list(self._reading.values())
        for reader in readers:
            reader.join(timeout_s)


def _chunk_ids(docs: frozenset[str], manifest: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return [cid for d in sorted(docs) for cid in chunk_ids(d, int(manifest[d]["chunks"]))]


def _read_vectors(store: Any, docs: frozenset[str],
                  manifest: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], np.ndarray]:
    """The ids and vectors of the chunks of ``docs``, read at once."""
    ids = _chunk_ids(docs, manifest)
    return _stacked(ids, reads.vectors(store, ids))


def _read_in_parts(store: Any, docs: frozenset[str], manifest: Mapping[str, Mapping[str, Any]], part: int,
                   go_on: Callable[[], bool]) -> tuple[list[str], np.ndarray] | None:
    """The same, ``part`` at a time, ``go_on`` asked before each part (None when it said stop)."""
    ids = _chunk_ids(docs, manifest)
    vectors: dict[str, np.ndarray] = {}
    for start in range(0, len(ids), part):
        if not go_on():
            return None
        vectors.update(reads.vectors(store, ids[start:start + part]))
    return _stacked(ids, vectors)


def _stacked(ids: list[str], vectors: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    found = [cid for cid in ids if cid in vectors]
    matrix = np.stack([vectors[cid] for cid in found]) if found else np.zeros((0, 0), dtype=np.float32)
    return found, matrix


def _ranked(store: Any, qvec: np.ndarray, n: int, found: list[str], matrix: np.ndarray) -> list[Hit]:
    """The ``n`` nearest of the chunks ``found`` (their vectors ``matrix``), compared with ``qvec``,
    then the texts of those only (texts and metadata double the cost of a read by id)."""
    if not found:
        return []
    sims = matrix @ qvec
    best = np.argpartition(-sims, n)[:n] if len(sims) > n else np.arange(len(sims))
    best = best[np.argsort(-sims[best], kind="stable")]
    return reads.hits(store, [found[i] for i in best], [1.0 - float(sims[i]) for i in best])


def _ranked_by_id(store: Any, qvec: np.ndarray, n: int, docs: frozenset[str],
                  manifest: Mapping[str, Mapping[str, Any]], memory: Memory | None) -> list[Hit]:
    """The ``n`` nearest of a few chunks: every vector read by id (or kept from an earlier search
    among the same articles) and compared."""
    found, matrix = (memory.vectors(store, docs, manifest) if memory is not None
                     else _read_vectors(store, docs, manifest))
    return _ranked(store, qvec, n, found, matrix)


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
    if memory is not None and chunks <= memory.ROWS:
        kept = memory.kept(docs, manifest)
        if kept is not None:
            return _ranked(store, qvec, n, *kept)
        memory.searched(store, docs, manifest)
    predicted = int(n * _total(manifest) / max(chunks, 1) * OVERFETCH)
    while predicted <= MAX_FETCH:
        ids, distances = reads.nearest_ids(store, qvec, predicted)
        positions = [i for i, cid in enumerate(ids) if doc_of_chunk(cid) in docs]
        if len(positions) >= n or len(ids) < predicted:  # enough, or every chunk of the index was seen
            kept = positions[:n]
            return reads.hits(store, [ids[i] for i in kept], [distances[i] for i in kept])
        if predicted == MAX_FETCH:
            break
        # the question sits where the set is sparser than its share of the index (a French question
        # among French pages, the English nearest asked for): fetch more ids before the filtered query
        predicted = min(MAX_FETCH, predicted * REFETCH)
    return [hit for hit in store.query(qvec, n, where) if hit.doc_id in docs]

