"""Reads of the chunk collection in parts, for searches that pick chunks before reading them.

A Chroma read by id costs by the fields it returns: on a 100k-chunk index, vectors alone about
0.09 ms per chunk, with texts and metadata 0.16 ms; a nearest-neighbour query returning ids and
distances only about 2 ms for 30 ids. A search that ranks or filters chunks before it shows them
(chatbot.retrieval.subset) therefore reads ids, or vectors, first, and the texts of the few it keeps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chatbot.store.hits import Hit


def nearest_ids(store: Any, vector: np.ndarray, n: int) -> tuple[list[str], list[float]]:
    """The ids of the ``n`` nearest chunks (fewer when the collection holds fewer) and their cosine
    distances, best first, without their texts."""
    got = store.chunks.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=n,
                             include=["distances"])
    return list(got["ids"][0]), [float(d) for d in got["distances"][0]]


def hits(store: Any, ids: list[str], distances: list[float]) -> list[Hit]:
    """``ids`` with their texts and metadata, in the given order, ``similarity`` from the distances
    (a chunk deleted since its id was found is skipped)."""
    if not ids:
        return []
    rows = store.chunks.get(ids=ids, include=["documents", "metadatas"])
    found = {cid: (text or "", meta or {})
             for cid, text, meta in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)}
    return [Hit(cid, *found[cid], similarity=1.0 - dist) for cid, dist in zip(ids, distances, strict=True)
            if cid in found]


def vectors(store: Any, ids: list[str]) -> dict[str, np.ndarray]:
    """The vectors of the given chunks that exist, without their texts."""
    if not ids:
        return {}
    got = store.chunks.get(ids=ids, include=["embeddings"])
    return {cid: np.asarray(vec, dtype=np.float32) for cid, vec in zip(got["ids"], got["embeddings"], strict=True)
            if vec is not None}
