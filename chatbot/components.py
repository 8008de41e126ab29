"""Factories for the swappable parts, chosen by settings, all in one place.

Each factory returns something that satisfies a small protocol (``Embedder``, ``Answerer``, a
CrossEncoder-like reranker), so the service never names a concrete backend.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from chatbot.answering.base import Answerer
from chatbot.encoder.base import Embedder
from chatbot.encoder.embedder import SentenceTransformerEmbedder
from chatbot.encoder.onnx_export import export_is_current
from chatbot.settings import Settings
from chatbot.weights import require_embedding

log = logging.getLogger(__name__)


def make_embedder(settings: Settings) -> Embedder:
    """The encoder: ONNX Runtime on the int8 export when there is one (faster, closer to the float
    model; see chatbot.encoder.onnx_embedder), else sentence-transformers on torch."""
    path = settings.embedding_path
    require_embedding(path)
    max_len = max(128, int((settings.chunk_size + 200) / 3))  # ~3 chars per token, title room
    backend = resolve_backend(settings)
    if backend == "onnx":
        from chatbot.encoder.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(path, max_seq_length=max_len, batch_size=settings.embedding_batch_size,
                            threads=settings.embedding_threads)
    return SentenceTransformerEmbedder(
        path,
        quantize=settings.embedding_quantize,
        max_seq_length=max_len,
        batch_size=settings.embedding_batch_size,
        threads=settings.embedding_threads,
    )


def resolve_backend(settings: Settings) -> str:
    """``onnx`` or ``torch``: what ``auto`` means for this models folder."""
    if settings.embedding_backend != "auto":
        return settings.embedding_backend
    current = export_is_current(Path(settings.embedding_path))
    return "onnx" if settings.embedding_quantize and current else "torch"


def make_reranker(settings: Settings) -> Any | None:
    """A sentence-transformers CrossEncoder when one is configured (none ships offline)."""
    if not settings.reranker_model:
        return None
    from sentence_transformers import CrossEncoder

    log.info("loading reranker %s", settings.reranker_model)
    return CrossEncoder(settings.reranker_model, device="cpu")


def make_answerer(settings: Settings, embedder: Embedder) -> Answerer:
    """The extractive answerer, or the LLM one over it (which falls back to it)."""
    from chatbot.answering.extractive import ExtractiveAnswerer

    extractive = ExtractiveAnswerer(embedder, threshold=settings.refusal_threshold or None)
    if settings.answerer == "llm":
        from chatbot.answering.generative import GenerativeAnswerer, make_llm

        return GenerativeAnswerer(make_llm(settings), extractive, settings)
    return extractive


def _embedded_llm(settings: Settings) -> bool:
    """Whether the embedded model is the one answers and translations would use: no server is
    set and its weights are on disk (``chatbot models fetch --llm``)."""
    return not settings.llm_base_url and settings.llm_gguf_path.is_file()


def prepare_llm(settings: Settings) -> None:
    """Load the embedded language model now when answers or translations will use it, so that the
    first question does not wait for its weights (several seconds); a remote server needs nothing."""
    uses_llm = settings.answerer == "llm" or settings.translation_on
    if not uses_llm or not _embedded_llm(settings):
        return
    from chatbot.answering.llm import make_llm

    make_llm(settings).load()


def prepare_nlp() -> None:
    """Load every installed spaCy pipeline (short answers and tenses parse the question in its own
    language and each passage in its, so either may be needed by the first question), so that the
    first question does not wait for them (about a second each); the word frequency lists too.
    """
    from chatbot.text import nlp, rarity

    for lang in sorted(nlp.PIPELINES):
        if nlp.available(lang):
            nlp.pipeline_for(lang)
    rarity.warm()


def make_translator(settings: Settings, embedder: Embedder) -> Any | None:
    """Checked quote translations through the configured LLM (loaded on first use), or None when
    translation is off (``Settings.translation_on``) or no LLM is available (no server set and no local weights)."""
    if not settings.translation_on:
        return None
    if not settings.llm_base_url and not _embedded_llm(settings):
        log.info("quote translation off: no CHATBOT_LLM_BASE_URL and no local LLM at %s", settings.llm_gguf_path)
        return None
    from chatbot.answering.llm import make_llm
    from chatbot.answering.translation import Translator

    return Translator(lambda: make_llm(settings), embedder, timeout_s=settings.translate_timeout_s,
                      llm_timeout_s=settings.llm_timeout_s, min_similarity=settings.translate_min_similarity,
                      cache_size=settings.translate_cache_size)
