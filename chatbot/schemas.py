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
    author: str | None = None
    copies: list[str] = Field(default_factory=list)  # doc_ids of near-identical articles
    fingerprint: str | None = None  # MinHash signature (chatbot.store.copies), kept with the record
    entities: str | None = Field(default=None, exclude=True)  # what it names (chatbot.text.entities), as JSON
    notes: list[str] = Field(default_factory=list, exclude=True)  # problems read past (a bad date)


def chunk_ids(doc_id: str, count: int) -> list[str]:
    """The ids of an article's first ``count`` chunks, ``{doc_id}:{n:04d}`` in reading order.

    Deterministic, so writing an article again overwrites its chunks instead of adding copies, and
    the chunks an older, longer version left behind can be named for deletion.
    """
    return [f"{doc_id}:{n:04d}" for n in range(count)]


def doc_of_chunk(chunk_id: str) -> str:
    """The doc_id a chunk id of :func:`chunk_ids` belongs to (read from the id, no lookup)."""
    return chunk_id.rsplit(":", 1)[0]


class Chunk(BaseModel):
    """A contiguous slice ``article.text[start:end]``."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str


class ArticleFields(BaseModel):
    """What a passage and an article listing both say of the article (first in the JSON, in this order)."""

    doc_id: str
    title: str
    source: str | None = None
    date: str | None = None
    lang: str = "und"


class Passage(ArticleFields):
    chunk_id: str
    start: int
    end: int
    text: str
    score: float = 0.0
    also_in: list[dict[str, str | None]] = Field(default_factory=list)  # copies: {doc_id, source, date}


class Translation(BaseModel):
    """A checked translation of a citation's quote into the question's language (never replaces it)."""

    lang: str
    text: str


class ResolvedDate(BaseModel):
    """A relative expression of a quote ("hier", "last week") and the period it names, worked out
    from the article's publication date (chatbot.answering.relative_dates).

    ``start``/``end``: offsets in the quote; ``date``: first day of the period (ISO), ``until``: its
    last day (equal to ``date`` for a single day); ``precision``: day, week, month or year."""

    text: str
    start: int
    end: int
    date: str
    until: str
    precision: Literal["day", "week", "month", "year"]


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
    also_in: list[dict[str, str | None]] = Field(default_factory=list)  # copies carrying the quote
    dates: list[ResolvedDate] = Field(default_factory=list)  # relative dates of the quote, resolved
    translation: Translation | None = None


class ShortAnswerItem(BaseModel):
    """One item of a short answer that lists several ("égyptien", "saoudien", "émirati")."""

    text: str
    start: int
    end: int


class ShortAnswer(BaseModel):
    """The name, place, number or date asked for: a verbatim span of citation ``n``'s article at
    ``start:end`` (offsets in the article's stored text, like a citation's)."""

    text: str
    n: int
    start: int
    end: int
    items: list[ShortAnswerItem] = Field(default_factory=list)  # when the question asks for several
    # the same answer named in the reader's language when the article is in another one and every
    # item is a known place or body ("Egypt, Saudi Arabia and the United Arab Emirates" for
    # "égyptien, saoudien et émirati"); shown before the verbatim ``text``, never instead of it
    rendered: str | None = None


class Answer(BaseModel):
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    short_answer: ShortAnswer | None = None
    kind: Literal["quote", "short", "overview", "refusal"] = "quote"  # how the answer is laid out
    refused: bool = False
    query: str = ""
    passages: list[Passage] = Field(default_factory=list)
    answerer: str = "extractive"
    fallback: str | None = None
    evidence_score: float | None = None  # the best supporting sentence's score (refusal gate input)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class Document(ArticleFields):
    chunks: int = 0
    sha256: str
    url: str | None = None
    copies: list[str] = Field(default_factory=list)


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
    warnings: list[dict[str, str]] = Field(default_factory=list)  # {"path", "warning"}: indexed anyway
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
