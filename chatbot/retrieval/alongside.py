"""The lexical (BM25) step of a search, and the read of its hits' chunks, run while the encoder
encodes the question.

Why: the lexical step does not need the question's vector, and ONNX Runtime releases the GIL while
it encodes; one short question is a poor fit for two cores (two threads encode it only about 10%
faster than one), so a core is partly idle meanwhile. Under a filter, BM25 over 100,000 chunks
(4-8 ms: 600 hits listed, then checked against the filter) then costs the search almost nothing it
waits for. The chunks of BM25's hits are read there too (texts, metadata, vectors: about 4 ms for
30), all of them, since which ones the dense search missed is known only after the encoding; the
fusion then reads nothing (BENCHMARKS.md 24a). The index's freshness check (the active generation
and the version stamp, two store reads of about 2 ms) and a filter's resolution run there as well,
before BM25 (a filter that passed no article in the index as last seen is checked before the
encoding, which it then spares). The results are the ones the sequential steps gave: the same
calls, elsewhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from chatbot.retrieval.filters import Scope
from chatbot.store.hits import Hit
from chatbot.store.live_index import View

T = TypeVar("T")
U = TypeVar("U")
# a few searches at once: each waits for its own lexical step, never for another search's
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lexical")


def lexical_hits(view: View, query: str, n: int, scope: Scope | None, overfetch: int) -> list[tuple[str, float]]:
    """BM25's best ``n`` (chunk id, score) of ``view``; under a filter, ``n x overfetch`` are asked
    and only those of passing articles kept (BM25 knows no metadata)."""
    hits = view.lexical.search(query, n * (overfetch if scope is not None else 1))
    if scope is not None:
        hits = [hit for hit in hits if scope.chunk_passes(hit[0])][:n]
    return hits


@dataclass
class LexicalFound:
    hits: list[tuple[str, float]]  # (chunk id, BM25 score), best first
    records: dict[str, Hit]  # those chunks with their texts, metadata and vectors


def lexical_step(view: View, query: str, n: int, scope: Scope | None, overfetch: int) -> LexicalFound:
    """``lexical_hits`` and the chunks they name, read in one call."""
    hits = lexical_hits(view, query, n, scope, overfetch)
    return LexicalFound(hits, view.store.get_chunks([cid for cid, _ in hits]))


def while_encoding(encode: Callable[[], T], lexical: Callable[[], U], *,
                   alongside: bool = True) -> tuple[T, U, float, float]:
    """``encode()`` here, ``lexical()`` in a worker meanwhile (``alongside``; else one after the
    other, here): both results, the encoding's time and the lexical step's own time (ms). An error
    of either is raised here."""
    started = time.perf_counter()

    def timed() -> tuple[U, float]:
        begin = time.perf_counter()
        hits = lexical()
        return hits, (time.perf_counter() - begin) * 1000

    if not alongside:
        encoded = encode()
        encode_ms = (time.perf_counter() - started) * 1000
        hits, lexical_ms = timed()
        return encoded, hits, encode_ms, lexical_ms
    future = _POOL.submit(timed)
    try:
        encoded = encode()
    finally:
        encode_ms = (time.perf_counter() - started) * 1000
        hits, lexical_ms = future.result()
    return encoded, hits, encode_ms, lexical_ms
