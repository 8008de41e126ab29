"""The HTTP server: JSON API at ``/api``, OpenAI-compatible API at ``/v1``, chat page at ``/``.

One process holds one :class:`ChatService` (one embedding model, one index) shared by every request;
uvicorn serves users concurrently and blocking work runs in the threadpool. Every error, whatever
raised it, leaves as ``{"error": {"code", "message"}}``: 4xx for bad input, 500 only for real faults.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import Scope

from chatbot.http import api, news_api, openai_api
from chatbot.http.middleware import (
    API_PREFIXES,
    BodyLimit,
    BodyTimeout,
    KnownSessions,
    SecurityHeaders,
    UploadGuard,
    error_response,
)
from chatbot.http.schemas import ApiError
from chatbot.service.access import Caller, check_upload, is_loopback_host
from chatbot.service.chat import ChatService

log = logging.getLogger(__name__)
BODY_PARSE_ERROR = "There was an error parsing the body"  # FastAPI's detail for a body it cannot decode
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
              422: "invalid_request", 429: "too_many_requests", 503: "unavailable"}


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    return is_loopback_host(host)


def _field(loc: tuple[Any, ...]) -> str:
    """``("body", "history", 0, "role")`` -> ``history[0].role``."""
    parts = list(loc[1:]) if len(loc) > 1 and loc[0] in ("body", "query", "path", "header") else list(loc)
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        details = []
        for e in errors:
            field = _field(tuple(e.get("loc", ())))
            if e.get("type") == "json_invalid":
                details.append({"param": "body", "message": "malformed JSON body"})
            elif e.get("type") == "missing" and field == "body":
                details.append({"param": "body", "message": "a JSON body is required"})
            else:
                details.append({"param": field, "message": str(e.get("msg", "invalid value"))})
        first = details[0] if details else {"param": "body", "message": "invalid request"}
        message = "; ".join(f"{d['param']}: {d['message']}" for d in details[:5])
        return error_response(422, "invalid_request", message, param=first["param"], details=details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_PARSE_ERROR:
            # FastAPI's own parse failure: JSON that is not UTF-8, nested too deeply, a huge number
            return error_response(422, "invalid_request", "body: unreadable JSON body (it must be UTF-8 "
                                  "JSON of reasonable depth and number sizes)", param="body")
        code = HTTP_CODES.get(exc.status_code, "error" if exc.status_code < 500 else "internal_error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def server_fault(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal server error; see the server log")


def _allowed_methods(app: FastAPI, scope: Scope) -> set[str]:
    """The methods of the API routes whose path matches the request's (empty: no such path)."""
    allowed: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, Mount) or (isinstance(route, APIRoute) and not route.include_in_schema):
            continue  # the chat page's mount and the catch-all routes match any path
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if route.matches({**scope, "method": method})[0] == Match.FULL:
                allowed.add(method)
    return allowed


def _not_found_routes(app: FastAPI) -> None:
    """JSON 404s for unknown paths under /api and /v1 (the chat page at / would answer otherwise),
    and JSON 405s naming the allowed methods for a known path asked with another method."""
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    for prefix in API_PREFIXES:
        async def unknown(request: Request, path: str) -> JSONResponse:
            allowed = _allowed_methods(request.app, request.scope)
            if allowed:
                return error_response(405, "method_not_allowed", f"{request.url.path} accepts "
                                      f"{', '.join(sorted(allowed))}, not {request.method}",
                                      headers={"Allow": ", ".join(sorted(allowed))})
            return error_response(404, "not_found", f"no route {request.method} {request.url.path} "
                                  "(see /docs for the API)")

        app.add_api_route(f"{prefix}/{{path:path}}", unknown, methods=methods, include_in_schema=False)


def mount_ui(app: FastAPI, service: ChatService, loopback: bool = True) -> bool:
    """Mount the chat page at ``/``; the APIs keep working when the page cannot be built.

    Gradio checks that files given to the page's functions were uploaded through its upload route
    only once its app counts as launched, which ``mount_gradio_app`` never sets: it is set here, so
    a request naming a server path (``/etc/passwd``) is refused before the file is read.
    """
    try:
        import gradio as gr

        from chatbot.web.page import build_ui

        blocks = build_ui(service, loopback=loopback)
        max_bytes = int(service.settings.max_upload_mb * 1024 * 1024)
        gr.mount_gradio_app(app, blocks, path="/", max_file_size=max_bytes)
        blocks.has_launched = True

        def known(session: str) -> bool:
            return session in blocks._queue.pending_messages_per_session

        app.add_middleware(KnownSessions, known=known)
        return True
    except Exception as exc:  # noqa: BLE001 - the page is optional, the API is not
        log.warning("chat page disabled (%s: %s); the API still serves at /api and /v1",
                    exc.__class__.__name__, exc)

        @app.get("/", include_in_schema=False)
        def no_page() -> JSONResponse:
            return error_response(404, "not_found", "the chat page is unavailable on this server; "
                                  "the JSON API is at /api and its documentation at /docs")

        return False


def create_app(service: ChatService | None = None, *, host: str = "127.0.0.1", ui: bool = True) -> FastAPI:
    """The whole application around ``service`` (a new one from the settings when None).

    ``host`` is where the server listens: without an API key, index-changing routes are only
    served on loopback.
    """
    service = service or ChatService()
    app = FastAPI(title="News Q&A chatbot", version="0.1.0",
                  description="Answers questions about news articles, citing them. Errors are "
                              '`{"error": {"code", "message"}}`.')
    app.state.service = service
    app.state.loopback = is_loopback(host)
    app.state.jobs = service.jobs
    app.state.writable = bool(service.settings.api_key) or app.state.loopback
    install_error_handlers(app)
    limit_mb = service.settings.max_upload_mb
    loopback = app.state.loopback

    def upload_check(caller: Caller) -> None:
        check_upload(service.settings, loopback, caller)

    app.add_middleware(UploadGuard, check=upload_check)
    app.add_middleware(BodyLimit, limit=int(limit_mb * 1024 * 1024), limit_mb=limit_mb)
    app.add_middleware(BodyTimeout, timeout_s=service.settings.body_timeout_s)
    # CORS closed: no origin is allowed. Declaring it here also stops the chat page's own CORS layer,
    # which would otherwise echo any Origin (with credentials) when the host is not localhost.
    app.add_middleware(CORSMiddleware, allow_origins=[], allow_credentials=False)
    app.include_router(api.router)
    app.include_router(openai_api.router)
    app.include_router(news_api.router)
    _not_found_routes(app)
    if ui:
        mount_ui(app, service, loopback=app.state.loopback)
    app.add_middleware(SecurityHeaders)  # outermost: CORS answers and refusals carry the headers too
    return app


def _start_up(app: FastAPI, url: str) -> None:
    """Load the model, then index the articles folder if the index is empty, in the background."""
    service: ChatService = app.state.service
    _ = service.index, service.indexer  # open the store now, not racing with the first health check

    def indexing(done: int, total: int, articles_done: int = 0, articles_total: int = 0) -> None:
        service.status.progress("indexing", done, total, articles_done, articles_total)

    def work(_: Any) -> Any:
        service.prepare()  # load the models once, before any request
        indexing(0, 0)
        return service.ensure_seeded(indexing)

    def ready() -> None:
        if service.status.state == "error":
            log.error("the chatbot cannot answer: %s", service.status.get("error"))
            return
        docs, chunks = service.index.counts()
        _say(f"Chatbot ready at {url} ({docs} articles, {chunks} passages indexed)")

    service.jobs.start("loading", work, on_done=ready)


def _say(text: str) -> None:
    """A line for the person who started the server (stdout, flushed: logs may go elsewhere)."""
    import sys

    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run(host: str, port: int) -> None:
    """``chatbot serve``: start at once, load the model and index the seed folder in the background."""
    import uvicorn

    logging.getLogger("chatbot").setLevel(logging.INFO)
    service = ChatService()
    app = create_app(service, host=host)
    everywhere = host in ("0.0.0.0", "::", "")
    shown = "127.0.0.1" if everywhere else (f"[{host}]" if ":" in host else host)
    url = f"http://{shown}:{port}/"
    if everywhere:
        _say(f"Listening on all interfaces ({host or '0.0.0.0'}), port {port}.")
    if not app.state.writable:
        _say(f"Write routes (uploads, deletions, rebuilds) are disabled: listening on {host} without "
             "CHATBOT_API_KEY, so they answer 403. Set CHATBOT_API_KEY to enable them.")
    _say(f"Serving at {url}; loading the model and checking the index (GET {url}api/health shows progress)")
    _start_up(app, url)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)

