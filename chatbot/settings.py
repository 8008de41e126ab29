"""One typed settings object for the whole chatbot.

Every knob is read from the environment with the ``CHATBOT_`` prefix (or a ``.env`` file), so the
CLI, the HTTP server and the tests all agree on where the index lives and which models answer.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EMBEDDING_FOLDER = "embeddinggemma-300m"
LLM_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


class Settings(BaseSettings):
    """All configuration; see the README's settings table for the meaning of each field."""

    model_config = SettingsConfigDict(env_prefix="CHATBOT_", env_file=".env", extra="ignore")

    index_dir: Path = Path("./index")
    articles_dir: Path = Path("./seeds")
    models_dir: Path = Path("./models")
    embedding_model: str = Field(
        default="",
        description="sentence-transformers path or hub id; empty means the fetched EmbeddingGemma",
    )
    embedding_quantize: bool = Field(
        default=True, description="int8 dynamic quantization of the encoder's linear layers (CPU)"
    )
    embedding_backend: Literal["auto", "onnx", "torch"] = Field(
        default="auto",
        description="auto: ONNX Runtime when quantizing and the model folder holds its ONNX export "
        "(made by `chatbot models fetch`), else torch",
    )
    embedding_batch_size: int = 16
    embedding_threads: int = 0
    chroma_url: str | None = None
    collection: str = "articles"
    hnsw_ef_search: int = Field(
        default=200, ge=1, description="breadth of the vector index's search (Chroma's HNSW ef_search): "
        "wider finds more of the true nearest chunks, and the same ones whichever process loaded the index",
    )

    chunk_size: int = 600
    chunk_overlap: int = 120
    entities: bool = Field(
        default=True, description="list the people, organisations and places the articles name (read "
        "with spaCy at indexing; /api/entities, `chatbot entities`, the Entities tab)",
    )

    answerer: Literal["extractive", "llm"] = "extractive"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_path: str = ""
    llm_timeout_s: float = 60.0
    llm_max_tokens: int = 384
    llm_ctx: int = 4096

    translate: bool | None = Field(
        default=None,
        description="translate quotes whose language differs from the question's (checked; the "
        "quote is shown at once, the translation follows within translate_timeout_s or not at all). "
        "Unset: on when an LLM server is configured or the LLM answers, off for the embedded "
        "extractive default (the local model would compete for the CPU with every answer)",
    )
    translate_timeout_s: float = Field(
        default=4.0, description="how long an answer waits for its quotes' translations"
    )
    translate_min_similarity: float = Field(
        default=0.0, description="minimum quote/translation cosine; 0 means the calibrated default"
    )
    translate_cache_size: int = 2048

    reranker_model: str | None = None
    search_k: int = 5
    candidates: int = 30
    refusal_threshold: float = Field(
        default=0.0, description="minimum evidence score; 0 means the calibrated built-in default"
    )

    ray_address: str | None = Field(
        default=None, description="a Ray cluster (e.g. 127.0.0.1:6379 or ray://host:10001) that loads, "
        "chunks and encodes when indexing; unset: in this process")
    ray_actors: int = Field(default=2, ge=1, description="encoder actors on the Ray cluster")
    ray_batch_size: int = Field(default=64, ge=1, description="chunks per encode batch on Ray")

    api_key: str | None = None
    max_upload_mb: float = 20.0
    max_question_chars: int = 2000
    max_history_turns: int = Field(default=40, ge=0, description="earlier messages a question may carry")
    max_turn_chars: int = Field(default=8000, ge=1, description="characters of each earlier message")
    body_timeout_s: float = Field(default=30.0, gt=0, description="time a request body may take to arrive")
    page_concurrency: int = Field(default=8, ge=1, description="chat page questions answered at once")

    @property
    def embedding_path(self) -> str:
        """The model the embedder loads: the configured one, else the fetched EmbeddingGemma."""
        return self.embedding_model or str(self.models_dir / EMBEDDING_FOLDER)

    @property
    def translation_on(self) -> bool:
        """Whether quotes are translated (``translate``, or its default when unset)."""
        if self.translate is not None:
            return self.translate
        return bool(self.llm_base_url) or self.answerer == "llm"

    @property
    def llm_gguf_path(self) -> Path:
        """The GGUF file the embedded LLM loads."""
        return Path(self.llm_path) if self.llm_path else self.models_dir / LLM_FILE


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
