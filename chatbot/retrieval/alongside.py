"""The lexical (BM25) step of a search, run while the encoder encodes the question.

Why: the lexical step does not need the question's vector, and ONNX Runtime releases the GIL while
it encodes; one short question is a poor fit for two cores (two threads encode it only about 10%
faster than one), so a core is partly idle meanwhile. Under a filter, BM25 over 100,000 chunks
(4-8 ms: 600 hits listed, then checked against the filter) then costs the search almost nothing it
waits for; unfiltered (1-2 ms) the hand-over to a thread cost as much as it saved, so that step
stays where it was (BENCHMARKS.md 24a). The results are the ones the sequential steps gave: the
same call, elsewhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from chatbot.retrieval.filters import Scope
from chatbot.store.live_index import View

T = TypeVar("T")
# a few searches at once: each waits for its own lexical step, never for another search's
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lexical")


def lexical_hits(view: View, query: str, n: int, scope: Scope | None, overfetch: int) -> list[tuple[str, float]]:
    """BM25's best ``n`` (chunk id, score) of ``view``; under a filter, ``n x overfetch`` are asked
    and only those of passing articles kept (BM25 knows no metadata)."""
    hits = view.lexical.search(query, n * (overfetch if scope is not None else 1))
    if scope is not None:
        hits = [hit for hit in hits if scope.chunk_passes(hit[0])][:n]
    return hits


def while_encoding(encode: Callable[[], T], lexical: Callable[[], list[tuple[str, float]]], *,
                   alongside: bool = True) -> tuple[T, list[tuple[str, float]], float, float]:
    """``encode()`` here, ``lexical()`` in a worker meanwhile (``alongside``; else one after the
    other, here): both results, the encoding's time and the lexical step's own time (ms). An error
    of either is raised here."""
    started = time.perf_counter()

    def timed() -> tuple[list[tuple[str, float]], float]:
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
