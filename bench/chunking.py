"""Chunking cost against article size, and write latency while a large article is being ingested.

1. ``load_bytes`` (decode, normalise, language, title) then ``chunk_article`` on one-line texts of
   10 KB, 100 KB, 1 MB and 5 MB made of the seed article repeated: time per size and per KB (a
   constant time per KB is linear growth). Run it with the code of another checkout first on the
   path (``PYTHONPATH=/other/checkout``) to compare; ``--sizes`` takes smaller sizes for code that
   is quadratic.
2. ``ChatService.add_files`` of a tiny article and ``ChatService.remove`` of another, timed alone,
   then again while ``add_files`` of a large article (``--large-kb``) runs in another thread, from
   the moment its chunking starts. Both figures are medians of ``--repeat`` runs.

``python -m bench.chunking [--sizes 10000,100000,1000000,5000000] [--large-kb 300] [--skip-writes]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import SEED, header, load_embedder, service_for, setup_logging, write_json
from chatbot.ingest.chunking import chunk_article
from chatbot.ingest.loaders import load_bytes
from chatbot.schemas import Article
from chatbot.store import pipeline


def one_line_text(size: int) -> bytes:
    """The seed article repeated on one line, cut to ``size`` bytes on a character boundary."""
    seed = SEED.read_text("utf-8").replace("\n", " ")
    text = (seed + " ") * (size // len(seed.encode()) + 1)
    return text.encode()[:size].decode("utf-8", errors="ignore").encode()


def time_chunking(sizes: list[int]) -> list[dict]:
    rows = []
    load_bytes(one_line_text(2000), "warm-up.txt")  # the language model loads on first use
    for size in sizes:
        data = one_line_text(size)
        t0 = time.perf_counter()
        (article,) = load_bytes(data, f"long-{size}.txt")
        assert isinstance(article, Article), article
        t1 = time.perf_counter()
        chunks = chunk_article(article)
        t2 = time.perf_counter()
        rows.append({"bytes": size, "load_s": round(t1 - t0, 3), "chunk_s": round(t2 - t1, 3),
                     "total_s": round(t2 - t0, 3), "us_per_kb": round((t2 - t0) * 1e6 / (size / 1000), 1),
                     "chunks": len(chunks)})
        print(f"{size:>9,} B  load {t1 - t0:7.3f} s  chunk {t2 - t1:7.3f} s  "
              f"{rows[-1]['us_per_kb']:8.1f} us/KB  {len(chunks):,} chunks", flush=True)
    return rows


@contextmanager
def chunking_watched(min_chars: int) -> Iterator[threading.Event]:
    """An event set when the local indexing pipeline starts chunking an article longer than
    ``min_chars`` (``chatbot.store.pipeline.chunk_article`` is wrapped meanwhile)."""
    started = threading.Event()
    real_chunk = pipeline.chunk_article

    def watched(article: Article, *args: int) -> list:
        if len(article.text) > min_chars:
            started.set()
        return real_chunk(article, *args)

    pipeline.chunk_article = watched  # type: ignore[assignment]
    try:
        yield started
    finally:
        pipeline.chunk_article = real_chunk  # type: ignore[assignment]


def _timed(call) -> float:
    t0 = time.perf_counter()
    call()
    return (time.perf_counter() - t0) * 1000


def time_writes(large_kb: int, repeat: int) -> dict:
    embedder = load_embedder()
    with tempfile.TemporaryDirectory() as tmp:
        service = service_for(Path(tmp) / "index", embedder)
        service.add_paths([SEED])
        counter = iter(range(10_000))

        def tiny_upload() -> None:
            n = next(counter)
            report = service.add_files([(f"tiny-{n}.txt", f"Brève {n}. Le port de Misrata a reçu {n} navires "
                                         "cette semaine.".encode())])
            assert report.added, report

        def delete_one() -> None:
            n = next(counter)
            report = service.add_files([(f"gone-{n}.txt", f"Note {n} sur Syrte, vite retirée.".encode())])
            doc_id = report.added[0]
            t = _timed(lambda: service.remove([doc_id]))
            deletes.append(t)

        deletes: list[float] = []
        alone_upload = [_timed(tiny_upload) for _ in range(repeat)]
        for _ in range(repeat):
            delete_one()
        alone_delete = list(deletes)

        large = one_line_text(large_kb * 1000)
        done: dict = {}

        def ingest_large() -> None:
            t0 = time.perf_counter()
            done["report"] = service.add_files([("large.txt", large)])
            done["s"] = time.perf_counter() - t0

        with chunking_watched(len(large) // 2) as chunking:  # the tiny uploads are far shorter
            thread = threading.Thread(target=ingest_large)
            thread.start()
            if not chunking.wait(timeout=600):
                raise RuntimeError("the large article's chunking never started")
            deletes.clear()
            busy_upload, still_running = [], []
            for _ in range(repeat):
                busy_upload.append(_timed(tiny_upload))
                delete_one()
                still_running.append(thread.is_alive())
            busy_delete = list(deletes)
            thread.join()
    result = {
        "large_kb": large_kb, "large_chunks": done["report"].chunks_embedded, "large_s": round(done["s"], 1),
        "tiny_upload_ms": {"alone": round(statistics.median(alone_upload), 1),
                           "during_large": round(statistics.median(busy_upload), 1)},
        "delete_ms": {"alone": round(statistics.median(alone_delete), 1),
                      "during_large": round(statistics.median(busy_delete), 1)},
        "large_still_running_after_each": still_running,
    }
    print(json.dumps(result, indent=2), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000,5000000")
    parser.add_argument("--large-kb", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args()
    setup_logging()
    print(header("chunking against article size"), flush=True)
    results: dict = {"chunking": time_chunking([int(s) for s in args.sizes.split(",")])}
    if not args.skip_writes:
        results["writes"] = time_writes(args.large_kb, args.repeat)
    write_json(args.json, results)


if __name__ == "__main__":
    main()
