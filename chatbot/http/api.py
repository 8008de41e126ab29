"""The JSON API under ``/api``: health, ask (plain or server-sent events), search, documents, rebuild.

Every route is a thin shell over the one shared :class:`ChatService` of the process. Blocking
service calls run in the threadpool (plain ``def`` routes or ``run_in_threadpool``) so one slow
answer never stalls the event loop for other users. Routes that change the index pass
:func:`require_writer`: a bearer key when ``CHATBOT_API_KEY`` is set, otherwise loopback only.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from chatbot.http.schemas import (
    ApiError,
    AskRequest,
    DocumentIn,
    ErrorResponse,
    Health,
    JobStatus,
    RebuildRequest,
    SearchRequest,
    SearchResponse,
    SyncResult,
)
from chatbot.ingest.loaders import LoadError
from chatbot.schemas import Answer, Document, Message, SyncReport
from chatbot.service.chat import ChatService
from chatbot.store.indexer import Progress

log = logging.getLogger(__name__)
BUSY_STATES = {"loading": "the embedding model is loading", "indexing": "the index is being built"}
RESULT_KEYS = {"loading": "last_indexing", "indexing": "last_indexing", "rebuilding": "last_rebuild"}
WORDS_PER_DELTA = 4


# ---- shared plumbing (also used by the /v1 router) -------------------------------------------------
class IndexJobs:
    """At most one background job that rewrites the index (first-start indexing or a rebuild).

    Progress goes to ``service.status`` so ``/api/health`` can show it while the job runs.
    """

    def __init__(self, service: ChatService) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, state: str, work: Callable[[Progress], SyncReport | None],
              on_done: Callable[[], None] | None = None) -> bool:
        """Run ``work(progress)`` in a thread; False when another job is still running."""
        with self._lock:
            if self.busy:
                return False
            self.service.status = {"state": state, "done": 0, "total": 0}
            self._thread = threading.Thread(target=self._run, args=(state, work, on_done),
                                            name=f"chatbot-{state}", daemon=True)
            self._thread.start()
            return True

    def _run(self, state: str, work: Callable[[Progress], SyncReport | None],
             on_done: Callable[[], None] | None) -> None:
        def progress(done: int, total: int) -> None:
            self.service.status = {"state": state, "done": done, "total": total}

        try:
            report = work(progress)
            self.service.status = {"state": "ready"}
            if report is not None:
                self.service.status[RESULT_KEYS.get(state, f"last_{state}")] = {**report.counts(), "failures": report.failed}
            log.info("%s job finished: %s", state, report.counts() if report else "nothing to do")
        except Exception as exc:  # noqa: BLE001 - a failed job is reported in health, never lost
            log.exception("%s failed", state)
            failed = "error" if state == "loading" else "ready"
            self.service.status = {"state": failed, "error": f"{state} failed: {exc}"}
        if on_done:
            on_done()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def get_service(request: Request) -> ChatService:
    return request.app.state.service


def require_ready(service: ChatService = Depends(get_service)) -> ChatService:
    """Questions need a loaded model and a built index: 503 (retry later) until then."""
    state = service.status.get("state", "ready")
    if state in BUSY_STATES:
        done, total = service.status.get("done", 0), service.status.get("total", 0)
        progress = f" ({done}/{total} chunks embedded)" if total else ""
        raise ApiError(503, "index_building" if state == "indexing" else "loading",
                       f"{BUSY_STATES[state]}{progress}; try again shortly (GET /api/health shows progress)",
                       headers={"Retry-After": "5"})
    if state == "error":
        raise ApiError(503, "unavailable", str(service.status.get("error", "the service failed to start")))
    return service


def require_writer(request: Request) -> ChatService:
    """Index-changing routes: bearer key when one is set, else only when bound to loopback."""
    app = request.app
    key: str | None = app.state.service.settings.api_key
    if key:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), key.encode()):
            raise ApiError(401, "unauthorized",
                           "this route changes the index: send 'Authorization: Bearer <CHATBOT_API_KEY>'"
                           if not header else "wrong API key in the Authorization header",
                           headers={"WWW-Authenticate": "Bearer"})
    elif not app.state.loopback:
        raise ApiError(403, "read_only",
                       "write routes are disabled: the server listens on a non-loopback address and "
                       "CHATBOT_API_KEY is not set; set it to enable uploads, deletions and rebuilds")
    if app.state.jobs.busy:
        raise ApiError(409, "index_busy", f"the index is busy ({app.state.service.status.get('state')}); "
                       "try again when GET /api/health no longer shows a state")
    return app.state.service


def json_body(request: Request) -> None:
    """Routes whose body is JSON: a body declared as another media type is a 415, not a parse error."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and not (ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))):
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type '{ctype}' is not accepted here: send the body as application/json")


def check_question(service: ChatService, text: str, field: str) -> None:
    limit = service.settings.max_question_chars
    if len(text) > limit:
        raise ApiError(422, "question_too_long",
                       f"{field}: {len(text)} characters, the limit is {limit} (CHATBOT_MAX_QUESTION_CHARS)",
                       param=field)


def text_pieces(text: str) -> list[str]:
    """``text`` in groups of a few words whose concatenation is exactly ``text``."""
    words = re.findall(r"\s*\S+\s*", text) or ([text] if text else [])
    return ["".join(words[i:i + WORDS_PER_DELTA]) for i in range(0, len(words), WORDS_PER_DELTA)]


async def stream_ask(service: ChatService, question: str, history: list[Message]) -> AsyncIterator[tuple[str, Any]]:
    """``service.ask`` as events: ("passages", list), ("delta", str)..., ("translation", dict)...,
    then ("answer", Answer).

    The answer runs in the threadpool; its callback hands events to this coroutine through the
    event loop. An answerer that does not stream gets its final text sent as word-group deltas, so
    clients see one protocol whichever answerer is configured.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def emit(kind: str, data: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (kind, data))

    def work() -> None:
        try:
            emit("answer", service.ask(question, history, on_event=emit))
        except Exception as exc:  # noqa: BLE001 - handed to the stream, which reports it
            log.exception("streamed answer failed")
            emit("error", exc)

    task = asyncio.ensure_future(run_in_threadpool(work))  # noqa: F841 - kept alive while streaming
    streamed = False
    while True:
        kind, data = await queue.get()
        if kind == "error":
            raise data
        if kind == "answer":
            if not streamed:
                for piece in text_pieces(data.answer):
                    yield "delta", piece
            yield "answer", data
            return
        if kind == "draft":  # the finished answer, before its quotes' translations
            if not streamed:
                for piece in text_pieces(data.answer):
                    yield "delta", piece
                streamed = True
            continue
        if kind == "delta":
            streamed = True
        yield kind, data


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 415, 422, 503)}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


# ---- reading ------------------------------------------------------------------------------------
@router.get("/health", response_model=Health)
def health(service: ChatService = Depends(get_service)) -> dict[str, Any]:
    """Counts of the index, plus ``state``/``done``/``total`` while it is being built or rebuilt."""
    return service.health()


@router.post("/ask", response_model=Answer, dependencies=[Depends(json_body)],
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "Answer, or with stream=true server-sent events: "
                                             "passages, delta..., translation..., answer, done"}})
async def ask(body: AskRequest, service: ChatService = Depends(require_ready)) -> Any:
    """Answer a question from the articles, with verified citations."""
    check_question(service, body.question, "question")
    if not body.stream:
        return await run_in_threadpool(service.ask, body.question, body.history)

    async def events() -> AsyncIterator[str]:
        try:
            async for kind, data in stream_ask(service, body.question, body.history):
                if kind == "passages":
                    yield sse("passages", [p.model_dump() for p in data])
                elif kind == "delta":
                    yield sse("delta", data)
                elif kind == "translation":
                    yield sse("translation", data)
                elif kind == "answer":
                    yield sse("answer", data.model_dump())
        except Exception:  # noqa: BLE001 - headers are sent: the error becomes an event
            yield sse("error", {"code": "internal_error", "message": "the answer failed; see the server log"})
        yield sse("done", {})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/search", response_model=SearchResponse, dependencies=[Depends(json_body)])
def search(body: SearchRequest, service: ChatService = Depends(require_ready)) -> SearchResponse:
    """The passages that best match ``query`` (hybrid dense + lexical retrieval)."""
    check_question(service, body.query, "query")
    return SearchResponse(passages=service.search(body.query, body.k))


@router.get("/documents", response_model=list[Document])
def documents(service: ChatService = Depends(get_service)) -> list[Document]:
    """The indexed articles."""
    return service.documents()


# ---- writing ------------------------------------------------------------------------------------
UPLOAD_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
    "application/json": {"schema": DocumentIn.model_json_schema()},
}}}


@router.post("/documents", response_model=SyncResult, openapi_extra=UPLOAD_BODY)
async def add_documents(request: Request, service: ChatService = Depends(require_writer)) -> SyncResult:
    """Add articles: files (txt, md, html, json, jsonl, pdf) as multipart, or one article as JSON.

    Unchanged articles are skipped and changed ones replaced. When nothing could be loaded the
    answer is a 422 naming each file and its problem; partial success lists the failures.
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        files: list[tuple[str, bytes]] = []
        try:
            async with request.form(max_files=1000, max_fields=100) as form:
                for _, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        files.append((value.filename or "upload.txt", await value.read()))
        except StarletteHTTPException as exc:  # a malformed multipart body (no boundary, too many parts)
            raise ApiError(422, "invalid_request", f"files: malformed multipart body ({exc.detail})",
                           param="files") from None
        if not files:
            raise ApiError(422, "invalid_request", "files: the upload holds no file "
                           "(send one or more files in a multipart field named 'files')", param="files")
        report = await run_in_threadpool(service.add_files, files)
    elif ctype == "application/json":
        doc = _document_in(await request.body())
        try:
            report = await run_in_threadpool(service.add_mapping, doc.model_dump(exclude_none=True))
        except LoadError as exc:
            raise ApiError(422, "invalid_document", f"text: {exc.problem}", param="text") from exc
    else:
        raise ApiError(415, "unsupported_media_type",
                       "send files as multipart/form-data or one article as application/json")
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise ApiError(422, "unreadable_upload", "; ".join(f"{f['path']}: {f['error']}" for f in report.failed),
                       failures=report.failed)
    return SyncResult.of(report)


def _document_in(raw: bytes) -> DocumentIn:
    try:
        return DocumentIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        if any(e["type"] == "json_invalid" for e in errors):
            errors = [{"type": "json_invalid", "loc": ("body",), "msg": "malformed JSON"}]
        raise RequestValidationError(errors) from None


@router.delete("/documents/{doc_id}", response_model=SyncResult)
def delete_document(doc_id: str, service: ChatService = Depends(require_writer)) -> SyncResult:
    """Remove one article and its passages."""
    report = service.remove([doc_id])
    if not report.removed:
        raise ApiError(404, "not_found", f"doc_id: no document '{doc_id}' in the index", param="doc_id")
    return SyncResult.of(report)


@router.post("/index/rebuild", status_code=202, response_model=JobStatus,
             dependencies=[Depends(require_writer), Depends(json_body)])  # the key is checked first
def rebuild(request: Request, body: RebuildRequest | None = None,
            service: ChatService = Depends(require_writer)) -> JSONResponse:
    """Rebuild the index in the background; the old index answers until the new one is complete."""
    source = (body or RebuildRequest()).source
    folder = service.settings.articles_dir if source == "articles_dir" else None
    if folder is not None and not folder.is_dir():
        raise ApiError(409, "no_articles_dir", f"source: the articles folder {folder} does not exist")
    started = request.app.state.jobs.start("rebuilding", lambda progress: service.rebuild(folder, progress))
    if not started:
        raise ApiError(409, "index_busy", "a rebuild or indexing job is already running")
    what = f"from {folder}" if folder else "from the indexed articles"
    return JSONResponse(status_code=202, content=JobStatus(
        state="rebuilding", message=f"rebuild started {what}; GET /api/health shows progress").model_dump())
