"""Request and response shapes of the HTTP APIs (``/api`` and the OpenAI-compatible ``/v1``).

Requests forbid unknown fields, so a misspelt option (``"histroy"``) is a 422 naming the field
instead of being silently ignored. Responses reuse the core shapes (Passage, Answer, Document) so the
HTTP contract cannot drift from what the CLI prints.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chatbot.schemas import Citation, Message, Passage, SyncReport

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
MODEL_ID = "news-chatbot"


class ApiError(Exception):
    """An error the client caused or must know about; rendered as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra


class ErrorBody(BaseModel):
    code: str
    message: str
    param: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class StrictModel(BaseModel):
    """Base of every request body: unknown fields are errors, and values keep their JSON types
    (``"stream": 0`` or ``"k": "5"`` is a 422, not silently read as ``false`` or ``5``)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class FilterFields(StrictModel):
    """Optional filters of /api/ask, /api/search and /v1/chat/completions (see chatbot.retrieval.filters)."""

    since: str | None = Field(default=None, description="ISO date: articles published on or after it")
    until: str | None = Field(default=None, description="ISO date: articles published on or before it")
    sources: list[str] | None = Field(default=None, description="outlets, e.g. ['aljazeera.com']")
    doc_ids: list[str] | None = Field(default=None, description="only these articles")


# ---- /api ----------------------------------------------------------------------------------------
class AskRequest(FilterFields):
    question: NonEmpty
    history: list[Message] = Field(default_factory=list, description="earlier turns, oldest first")
    stream: bool = Field(default=False, description="answer as server-sent events")


class SearchRequest(FilterFields):
    query: NonEmpty
    k: int | None = Field(default=None, ge=1, le=100, description="passages to return")


class SearchResponse(BaseModel):
    passages: list[Passage]
    message: str | None = None  # why there are none (a filter that matches no article)


class DocumentIn(StrictModel):
    """One article given as fields; ``doc_id`` is derived from the text when absent."""

    text: NonEmpty
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    lang: str | None = None
    doc_id: str | None = None
    replace: bool = Field(default=False, description="replace the article of the same doc_id, given "
                          "earlier through the API (409 when that doc_id names an article from another source)")


class RebuildRequest(StrictModel):
    source: Literal["current", "articles_dir"] = Field(
        default="current",
        description="'current' re-embeds the indexed articles; 'articles_dir' rebuilds from CHATBOT_ARTICLES_DIR",
    )


class SyncResult(BaseModel):
    """What an upload, removal or rebuild did: counts, the doc_ids by outcome, and each failure."""

    added: int
    updated: int
    unchanged: int
    removed: int
    failed: int
    chunks_embedded: int
    doc_ids: dict[str, list[str]]
    failures: list[dict[str, str]]
    warnings: list[dict[str, str]] = []  # {"path", "warning"}: indexed, but something was read past

    @classmethod
    def of(cls, report: SyncReport) -> SyncResult:
        return cls(**report.counts(), failures=report.failed, warnings=report.warnings, doc_ids={
            "added": report.added, "updated": report.updated, "unchanged": report.unchanged,
            "removed": report.removed})


class JobStatus(BaseModel):
    state: str
    message: str


class Health(BaseModel):
    model_config = ConfigDict(extra="allow")  # progress fields while indexing: state, done, total

    status: str
    documents: int
    chunks: int


# ---- /v1 (OpenAI chat completions) ---------------------------------------------------------------
class TextPart(StrictModel):
    type: Literal["text"]
    text: str


class ChatMessage(StrictModel):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None
    name: str | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class StreamOptions(StrictModel):
    include_usage: bool | None = None
    include_obfuscation: bool | None = None


class ChatCompletionRequest(FilterFields):
    """The OpenAI request; sampling options are accepted for compatibility and have no effect."""

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(default=1, ge=1, le=1, description="only one choice is produced")
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    user: str | None = None


class ChatCompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatCompletionMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    citations: list[Citation]
    refused: bool


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "chatbot"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
