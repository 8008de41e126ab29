"""The JSON API under ``/api``: health, ask (plain or server-sent events), search, documents, rebuild.

Every route is a thin shell over the one shared :class:`ChatService` of the process. Blocking
service calls run in the threadpool (plain ``def`` routes or ``run_in_threadpool``) so one slow
answer never stalls the event loop for other users. Routes that change the index pass
:func:`require_writer`, the shell of :func:`chatbot.service.access.check_writer` that the chat page
uses too: a bearer key when ``CHATBOT_API_KEY`` is set, otherwise requests from this machine only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from chatbot.http.filtering import filters_of
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
from chatbot.ingest.metadata import DateError, checked_overrides
from chatbot.schemas import Answer, Document
from chatbot.service import limits
from chatbot.service.access import AccessDenied, Caller, check_writer
from chatbot.service.chat import ChatService
from chatbot.service.status import NOT_READY, READY
from chatbot.service.streaming import stream_answer
from chatbot.store.identity import CONFLICT

log = logging.getLogger(__name__)
BEARER_HINT = "send 'Authorization: Bearer <CHATBOT_API_KEY>'"


# ---- shared plumbing (also used by the /v1 router) -------------------------------------------------
def get_service(request: Request) -> ChatService:
    return request.app.state.service


def require_ready(service: ChatService = Depends(get_service)) -> ChatService:
    """Questions need a loaded model and a built index: 503 (retry later) until then."""
    status = service.status.snapshot()
    state = status.get("state", READY)
    if state in NOT_READY:
        done, total = status.get("done", 0), status.get("total", 0)
        articles = status.get("articles_total", 0)
        of_articles = f", {status.get('articles_done', 0)}/{articles} articles" if articles else ""
        progress = f" ({done}/{total} chunks embedded{of_articles})" if total else ""
        raise ApiError(503, "index_building" if state == "indexing" else "loading",
                       f"{NOT_READY[state]}{progress}; try again shortly (GET /api/health shows progress)",
                       headers={"Retry-After": "5"})
    if state == "error":
        raise ApiError(503, "unavailable", str(status.get("error", "the service failed to start")))
    return service


def caller_of(request: Request) -> Caller:
    """The write request as the access check sees it: headers, bound port, bearer key if any."""
    header = request.headers.get("authorization")
    key = None
    if header is not None:
        scheme, _, given = header.partition(" ")
        key = given.strip() if scheme.lower() == "bearer" else ""  # presented, but not as a bearer key
    server = request.scope.get("server") or (None, None)
    return Caller(headers=request.headers, scheme=request.url.scheme, server_port=server[1], key=key,
                  key_hint=BEARER_HINT)


def require_writer(request: Request) -> ChatService:
    """Index-changing routes: see :mod:`chatbot.service.access` (key, loopback, busy)."""
    service: ChatService = request.app.state.service
    try:
        check_writer(service.settings, service.jobs, request.app.state.loopback, caller_of(request))
    except AccessDenied as exc:
        message = exc.message + (" in the Authorization header" if exc.message == "wrong API key" else "")
        raise ApiError(exc.status, exc.code, message, headers=exc.headers) from None
    return service


def json_body(request: Request) -> None:
    """Routes whose body is JSON: a body declared as another media type is a 415, not a parse error."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and not (ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))):
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type '{ctype}' is not accepted here: send the body as application/json")


def check_question(service: ChatService, text: str, field: str) -> None:
    try:
        limits.check_question(service.settings, text, field)
    except limits.TooLong as exc:
        raise ApiError(422, "question_too_long", exc.message, param=exc.field) from None


def check_history(service: ChatService, turns: list[str], field: str, names: list[str] | None = None) -> None:
    try:
        limits.check_history(service.settings, turns, field, names)
    except limits.TooLong as exc:
        raise ApiError(422, "history_too_long", exc.message, param=exc.field) from None


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
    check_history(service, [m.content for m in body.history], "history")
    filters = filters_of(body)
    if not body.stream:
        return await run_in_threadpool(lambda: service.ask(body.question, body.history, filters=filters))

    async def events() -> AsyncIterator[str]:
        try:
            async for kind, data in stream_answer(service, body.question, body.history, filters=filters):
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
    filters = filters_of(body)
    if filters is None:
        return SearchResponse(passages=service.search(body.query, body.k))
    found = service.search_scoped(body.query, body.k, filters)  # also tells when no article matches
    return SearchResponse(passages=found.passages,
                          message=found.scope.message() if found.scope is not None and found.scope.empty else None)


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

    Identity is the content: an unchanged article is skipped, a new text is a new article. An
    upload replaces an earlier one only with ``replace=true`` (query parameter, form field, or JSON
    field) and only one from the same source (an upload of the same file name; a JSON article
    given with the same doc_id); a doc_id naming another article otherwise answers 409. When
    nothing could be loaded the answer is a 422 naming each file and its problem; partial success
    lists the failures.
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    replace = _flag(request.query_params.get("replace"), "replace")
    if ctype == "multipart/form-data":
        files: list[tuple[str, bytes]] = []
        fields: dict[str, str] = {}
        try:
            async with request.form(max_files=1000, max_fields=100) as form:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        files.append((value.filename or "upload.txt", await value.read()))
                    elif key == "replace":
                        replace = replace or _flag(value, "replace")
                    elif key in ("date", "source"):  # set or correct the uploaded articles' metadata
                        fields[key] = value
        except StarletteHTTPException as exc:  # a malformed multipart body (no boundary, too many parts)
            raise ApiError(422, "invalid_request", f"files: malformed multipart body ({exc.detail})",
                           param="files") from None
        if not files:
            raise ApiError(422, "invalid_request", "files: the upload holds no file "
                           "(send one or more files in a multipart field named 'files')", param="files")
        overrides = _metadata_fields(fields.get("date"), fields.get("source"))
        report = await run_in_threadpool(service.add_files, files, None, replace, overrides)
    elif ctype == "application/json":
        doc = _document_in(await request.body())
        _metadata_fields(doc.date, doc.source)  # a date typed by hand is checked, not dropped
        fields = doc.model_dump(exclude_none=True)
        replace = bool(fields.pop("replace", False)) or replace
        try:
            report = await run_in_threadpool(service.add_mapping, fields, replace)
        except LoadError as exc:
            raise ApiError(422, "invalid_document", f"text: {exc.problem}", param="text") from exc
    else:
        raise ApiError(415, "unsupported_media_type",
                       "send files as multipart/form-data or one article as application/json")
    if report.failed and not (report.added or report.updated or report.unchanged):
        if all(f.get("code") == CONFLICT for f in report.failed):
            raise ApiError(409, "doc_id_conflict", "; ".join(f"{f['path']}: {f['error']}" for f in report.failed),
                           param="doc_id", failures=report.failed)
        raise ApiError(422, "unreadable_upload", "; ".join(f"{f['path']}: {f['error']}" for f in report.failed),
                       failures=report.failed)
    return SyncResult.of(report)


def _flag(value: object, name: str) -> bool:
    """A boolean query parameter or form field: true/false, 1/0, yes/no (absent: false)."""
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off", ""}:
        return False
    raise ApiError(422, "invalid_request", f"{name}: expected true or false, got '{value}'", param=name)


def _metadata_fields(date: str | None, source: str | None) -> dict[str, str]:
    """A date and outlet set by the uploader; an unreadable date is a 422 naming the field."""
    try:
        return checked_overrides(date, source)
    except DateError as exc:
        raise ApiError(422, "invalid_date", str(exc), param="date") from None


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
    started = service.jobs.start("rebuilding", lambda progress: service.rebuild(folder, progress))
    if not started:
        raise ApiError(409, "index_busy", "a rebuild or indexing job is already running")
    what = f"from {folder}" if folder else "from the indexed articles"
    return JSONResponse(status_code=202, content=JobStatus(
        state="rebuilding", message=f"rebuild started {what}; GET /api/health shows progress").model_dump())
