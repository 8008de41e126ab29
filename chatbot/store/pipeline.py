"""How the indexer gets its articles, chunks and vectors: in this process, or elsewhere.

The indexer decides what to write (manifest comparison, replacements, commit order); a pipeline
only does the work that can run anywhere: load files into articles, cut articles into chunks, and
encode chunk texts. Keeping that seam narrow is what lets a distributed run (Ray) write exactly
what an in-process run writes: same plan, same chunk ids, same write path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from chatbot.encoder.base import Embedder
from chatbot.encoder.pieces import piece_spans
from chatbot.ingest.chunking import chunk_article
from chatbot.ingest.loaders import LoadError, iter_paths, load_path
from chatbot.schemas import Article, Chunk, SyncReport

log = logging.getLogger(__name__)
ENCODE_BATCH = 64
Spans = list[tuple[int, int]]


@dataclass
class EncodedBatch:
    """Vectors for some chunks of one encode request, by their position in that request.

    Positions let a pipeline return batches in any order (a retried batch comes back late).
    ``pieces`` holds each chunk's sentence/clause spans and their vectors, when the encoder gives them.
    """

    positions: list[int]
    vectors: np.ndarray
    pieces: list[tuple[Spans, np.ndarray]] | None = None


class IndexingPipeline(Protocol):
    def load(self, paths: Iterable[Path], report: SyncReport) -> list[Article]:
        """Every article under ``paths``; failures go to ``report.failed`` with their reason."""
        ...

    def chunk(self, article: Article, chunk_size: int, overlap: int) -> list[Chunk]:
        """The article's chunks (deterministic ids and offsets)."""
        ...

    def encode(self, texts: list[str], titles: list[str], bulk: bool = True) -> Iterator[EncodedBatch]:
        """Document vectors for ``texts``, batch by batch, every position at least once.

        ``bulk=False``: a small add that should take the encoder like a question does.
        """
        ...

    def close(self) -> None:
        """Let go of what the pipeline started outside this process (a cluster connection)."""
        ...


def load_many(paths: Iterable[Path], report: SyncReport) -> list[Article]:
    """Load in this process; each failing file is reported and the others still load."""
    articles: list[Article] = []
    for item in iter_paths(list(paths)):
        results = [item] if isinstance(item, LoadError) else load_path(item)
        for result in results:
            if isinstance(result, LoadError):
                report.failed.append({"path": result.where, "error": result.problem})
                log.warning("%s", result)
            else:
                report.warnings += [{"path": result.origin or result.doc_id, "warning": n} for n in result.notes]
                articles.append(result)
    return articles


def encode_batch(embedder: Embedder, texts: list[str], titles: list[str], positions: list[int],
                 bulk: bool = True) -> EncodedBatch:
    """One encode call, with the sentence/clause vectors pooled from the same pass."""
    spans = [piece_spans(t) for t in texts]
    vectors, found = embedder.embed_documents_with_pieces(texts, titles, spans, bulk=bulk)
    return EncodedBatch(positions, np.asarray(vectors), list(zip(spans, found, strict=True)))


class LocalPipeline:
    """Everything in this process, with one embedder loaded on first use."""

    def __init__(self, embedder: Callable[[], Embedder]) -> None:
        self._embedder = embedder

    def load(self, paths: Iterable[Path], report: SyncReport) -> list[Article]:
        return load_many(paths, report)

    def chunk(self, article: Article, chunk_size: int, overlap: int) -> list[Chunk]:
        return chunk_article(article, chunk_size, overlap)

    def encode(self, texts: list[str], titles: list[str], bulk: bool = True) -> Iterator[EncodedBatch]:
        embedder = self._embedder()
        for begin in range(0, len(texts), ENCODE_BATCH):
            end = min(begin + ENCODE_BATCH, len(texts))
            yield encode_batch(embedder, texts[begin:end], titles[begin:end], list(range(begin, end)), bulk)

    def close(self) -> None:
        """Nothing runs outside this process."""
