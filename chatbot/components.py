"""Factories for the swappable parts, chosen by settings, all in one place.

Each factory returns something that satisfies a small protocol (``Embedder``, ``Answerer``, a
CrossEncoder-like reranker), so the service never names a concrete backend.
"""

from __future__ import annotations

import logging
from typing import Any

from chatbot.embeddings import Embedder, SentenceTransformerEmbedder
from chatbot.models import require_embedding
from chatbot.settings import Settings

log = logging.getLogger(__name__)


def make_embedder(settings: Settings) -> Embedder:
    path = settings.embedding_path
    require_embedding(path)
    max_len = max(128, int((settings.chunk_size + 200) / 3))  # ~3 chars per token, title room
    return SentenceTransformerEmbedder(
        path,
        quantize=settings.embedding_quantize,
        max_seq_length=max_len,
        batch_size=settings.embedding_batch_size,
        threads=settings.embedding_threads,
    )


def make_reranker(settings: Settings) -> Any | None:
    """A sentence-transformers CrossEncoder when one is configured (none ships offline)."""
    if not settings.reranker_model:
        return None
    from sentence_transformers import CrossEncoder

    log.info("loading reranker %s", settings.reranker_model)
    return CrossEncoder(settings.reranker_model, device="cpu")


def make_answerer(settings: Settings, embedder: Embedder) -> Any:
    from chatbot.answering.extractive import ExtractiveAnswerer

    extractive = ExtractiveAnswerer(embedder, threshold=settings.refusal_threshold or None)
    if settings.answerer == "llm":
        from chatbot.answering.generative import GenerativeAnswerer, make_llm

        return GenerativeAnswerer(make_llm(settings), extractive, settings)
    return extractive
