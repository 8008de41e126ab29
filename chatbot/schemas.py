"""The data shapes that flow between stages and out through the CLI and the APIs.

Field names follow the JSON contract (Passage, Answer, Document) so that every shell can dump these
models as they are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Article(BaseModel):
    """One loaded article; ``text`` is the stored text that every offset refers to."""

    doc_id: str
    title: str
    text: str
    sha256: str
    date: str | None = None
    source: str | None = None
    url: str | None = None
    lang: str = "und"
    origin: str | None = None  # where it came from (file path or upload name), for replacement


class Chunk(BaseModel):
    """A contiguous slice ``article.text[start:end]``."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str


class Passage(BaseModel):
    doc_id: str
    title: str
    source: str | None = None
    date: str | None = None
    lang: str = "und"
    chunk_id: str
    start: int
    end: int
    text: str
    score: float = 0.0


class Translation(BaseModel):
    """A checked translation of a citation's quote into the question's language (never replaces it)."""

    lang: str
    text: str


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    source: str | None = None
    date: str | None = None
    start: int
    end: int
    quote: str
    chunk_id: str | None = None
    translation: Translation | None = None


class Answer(BaseModel):
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    query: str = ""
    passages: list[Passage] = Field(default_factory=list)
    answerer: str = "extractive"
    fallback: str | None = None
    evidence_score: float | None = None  # the best supporting sentence's score (refusal gate input)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class Document(BaseModel):
    doc_id: str
    title: str
    source: str | None = None
    date: str | None = None
    lang: str = "und"
    chunks: int = 0
    sha256: str
    url: str | None = None


class Message(BaseModel):
    """One turn of a conversation, as the history file and the APIs give it."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant", "system"]
    content: str


class SyncReport(BaseModel):
    """What one ``index add`` (or rebuild) did, per outcome."""

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    failed: list[dict[str, str]] = Field(default_factory=list)  # {"path", "error"}
    chunks_embedded: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "failed": len(self.failed),
            "chunks_embedded": self.chunks_embedded,
        }
