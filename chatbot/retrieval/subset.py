"""Nearest chunks among some of the articles, without Chroma's metadata-filtered query when possible.

On a 100k-chunk index a Chroma query with a ``where`` costs 100-650 ms whatever share of the index
passes (the metadata is scanned first), while the plain nearest-neighbour query costs about 5 ms
(BENCHMARKS.md section 20). A filter (dates, outlets, doc_ids) or a language is a set of articles,
known from the manifest, so:

* few chunks pass (at most ``SMALL_SUBSET``): they are read by id (their ids follow from the
  manifest's chunk counts) and ranked exactly;
* a large share passes: the plain query fetches ``n / share * OVERFETCH`` nearest chunks and keeps
  those whose article passes. When at least ``n`` pass, they are exactly the nearest ``n`` that
  pass (every closer chunk was seen), so nothing is approximated beyond the index itself;
* otherwise (too few passed, or the share is too small for an affordable over-fetch), the filtered
  Chroma query, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from chatbot.schemas import chunk_ids, doc_of_chunk
from chatbot.store.hits import Hit

SMALL_SUBSET = 2000  # chunks read by id and ranked exactly
OVERFETCH = 3  # the plain query fetches this many times the chunks the share predicts are needed
MAX_FETCH = 2000  # above this the filtered query is cheaper than reading that many ids
_totals: dict[int, tuple[Mapping[str, Mapping[str, Any]], int]] = {}  # id(manifest) -> (it, its chunks)


def _total(manifest: Mapping[str, Mapping[str, Any]]) -> int:
    """Chunks of the whole manifest, summed once per manifest object (one per index version)."""
    got = _totals.get(id(manifest))
    if got is None or got[0] is not manifest:
        got = (manifest, sum(int(m.get("chunks") or 0) for m in manifest.values()))
        _totals.clear()  # only the current version's manifest is asked about
        _totals[id(manifest)] = got
    return got[1]


def nearest_among(store: Any, qvec: np.ndarray, n: int, docs: frozenset[str],
                  manifest: Mapping[str, Mapping[str, Any]], where: dict[str, Any]) -> list[Hit]:
    """The ``n`` chunks of ``docs`` nearest to ``qvec``, best first (``where`` selects the same
    chunks in Chroma, for the fallback)."""
    if not docs:
        return []
    counts = [manifest[d].get("chunks") if d in manifest else None for d in docs]
    if None in counts:  # a record without its chunk count (an older index): let Chroma filter
        return [hit for hit in store.query(qvec, n, where) if hit.doc_id in docs]
    chunks = sum(int(c) for c in counts)  # type: ignore[arg-type]
    total = _total(manifest)
    if chunks <= SMALL_SUBSET:
        ids = [cid for d in sorted(docs) for cid in chunk_ids(d, int(manifest[d]["chunks"]))]
        found = [hit for hit in store.get_chunks(ids).values() if hit.vector is not None]
        sims = [float(hit.vector @ qvec) for hit in found]  # type: ignore[operator]
        order = np.argsort(-np.asarray(sims, dtype=np.float32))[:n] if found else []
        return [replace(found[i], similarity=sims[i], vector=None) for i in order]
    wanted = int(n * total / max(chunks, 1) * OVERFETCH)
    if wanted <= MAX_FETCH:
        hits = store.query(qvec, wanted, keep=lambda cid: doc_of_chunk(cid) in docs, limit=n)
        if len(hits) >= n:
            return hits
    return [hit for hit in store.query(qvec, n, where) if hit.doc_id in docs]
