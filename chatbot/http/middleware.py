"""ASGI layers around the whole application: body size and arrival time, security headers, and the
guard of the chat page's file-upload routes.

They sit below the routes (pure ASGI, no body buffering) so a refused request costs nothing, and
they answer in the API's error shape ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot.http.schemas import ApiError
from chatbot.service.access import AccessDenied, Caller

API_PREFIXES = ("/api", "/v1")
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"),
    (b"referrer-policy", b"same-origin"),
]
# Routes of the chat page that store request bodies on disk (file uploads, recordings, streams).
UPLOAD_PATHS = ("/gradio_api/upload", "/gradio_api/process_recording", "/gradio_api/stream/")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status,
                        headers=headers)


class _AnswerInstead:
    """The ``send`` given to the app while its request body is watched: the app's messages pass
    through until the body failed (too big, too slow); then, whatever the app made of the cut-off
    body (a 400 parse error...), the one response sent is ``error``."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, error: ASGIApp) -> None:
        self.scope, self.receive, self.send, self.error = scope, receive, send, error
        self.failed = False
        self.answered = False

    async def __call__(self, message: Message) -> None:
        if not self.failed:
            await self.send(message)
        elif message["type"] == "http.response.start":
            await self.answer()

    async def answer(self) -> None:
        """Send ``error`` unless it was sent already."""
        if not self.answered:
            self.answered = True
            await self.error(self.scope, self.receive, self.send)


class BodyLimit:
    """Refuses request bodies above ``limit`` bytes with a 413, before the parser buffers them.

    A declared Content-Length is checked up front; a chunked body is counted as it arrives and
    cut off with :class:`ApiError`, which the exception handlers turn into the same 413. Compressed
    bodies (``Content-Encoding: gzip``...) are refused with a 415 and never inflated, so a small
    compression bomb cannot expand past the limit.
    """

    def __init__(self, app: ASGIApp, limit: int, limit_mb: float) -> None:
        self.app = app
        self.limit = limit
        self.message = f"request body exceeds the {limit_mb:g} MB limit (CHATBOT_MAX_UPLOAD_MB)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # every route: the APIs, the page's uploads and its calls
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        encoding = headers.get(b"content-encoding", b"").strip().lower()
        if encoding not in (b"", b"identity"):
            await error_response(415, "unsupported_media_type",
                                 f"Content-Encoding '{encoding.decode('latin-1')}' is not accepted: "
                                 "send the request body uncompressed")(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await error_response(413, "payload_too_large", self.message)(scope, receive, send)
            return
        seen = 0
        guarded = _AnswerInstead(scope, receive, send, error_response(413, "payload_too_large", self.message))

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    guarded.failed = True
                    raise ApiError(413, "payload_too_large", self.message)
            return message

        try:
            await self.app(scope, limited, guarded)
        except ApiError:
            await guarded.answer()


class BodyTimedOut(Exception):
    """The request body did not arrive within the allowed time."""


class BodyTimeout:
    """Cuts off a request whose body trickles in: the whole body must arrive within ``timeout_s``.

    A client that opens a request and sends its body a byte at a time would otherwise hold a
    connection and a worker for as long as it likes. The answer is a 408; once the body is
    complete (or the route never reads it) nothing is timed.
    """

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.message = f"the request body did not arrive within {timeout_s:g} s (CHATBOT_BODY_TIMEOUT_S)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        complete = False
        guarded = _AnswerInstead(scope, receive, send, error_response(
            408, "request_timeout", self.message, {"Connection": "close"}))

        async def timed() -> Message:
            nonlocal deadline, complete
            if complete:
                return await receive()
            if deadline is None:
                deadline = loop.time() + self.timeout_s
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0.0))
            except TimeoutError:
                guarded.failed = True
                raise BodyTimedOut from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        try:
            await self.app(scope, timed, guarded)
        except BodyTimedOut:
            await guarded.answer()


class SecurityHeaders:
    """Adds anti-framing, no-sniffing and a content security policy to every HTTP response.

    An HTML page also gets a ``script-src`` policy: scripts load only from this server, and an
    inline script runs only if it carries the nonce drawn for that response, which the page's own
    scripts are given here. A script that reaches a page any other way (text of an article shown
    unescaped by mistake, an injected attribute) does not run. A page is small, so it is held until
    complete to add the nonces; other responses (answers streamed as events, files) pass as they come.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None  # the start of an HTML page, sent once its body is complete
        body = bytearray()

        async def with_headers(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": headers}
                if _plain_html(headers):
                    held = message
                    return
            elif held is not None and message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body"):
                    return
                start, page = _with_nonce(held, bytes(body))
                await send(start)
                message = {"type": "http.response.body", "body": page}
            await send(message)

        await self.app(scope, receive, with_headers)


_SCRIPT_TAG = re.compile(rb"<script\b(?![^>]*\bnonce=)", re.I)


def _plain_html(headers: list[tuple[bytes, bytes]]) -> bool:
    """An uncompressed HTML page (a compressed one passes unchanged, with the base policy)."""
    found = {name.lower(): value.lower() for name, value in headers}
    return found.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in found


def _with_nonce(start: Message, page: bytes) -> tuple[Message, bytes]:
    nonce = secrets.token_urlsafe(18).encode()
    page = _SCRIPT_TAG.sub(b'<script nonce="' + nonce + b'"', page)
    policy = dict(SECURITY_HEADERS)[b"content-security-policy"] + b"; script-src 'self' 'unsafe-eval' 'nonce-" + nonce + b"'"
    headers = [(name, value) for name, value in start["headers"]
               if name.lower() not in (b"content-length", b"content-security-policy")]
    headers += [(b"content-length", str(len(page)).encode()), (b"content-security-policy", policy)]
    return {**start, "headers": headers}, page


def caller_of_scope(scope: Scope) -> Caller:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    server = scope.get("server") or (None, None)
    return Caller(headers=headers, scheme=scope.get("scheme", "http"), server_port=server[1])


class UploadGuard:
    """The chat page's upload routes carry no key: they get the write check that fits them.

    ``check(caller)`` raises :class:`AccessDenied` for a request that may not store a file (another
    site's page, a DNS-rebinding ``Host``, a read-only server). Gradio's own ``max_file_size``
    bounds the size.
    """

    def __init__(self, app: ASGIApp, check: Callable[[Caller], Any]) -> None:
        self.app = app
        self.check = check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS") \
                and scope["path"].startswith(UPLOAD_PATHS):
            try:
                self.check(caller_of_scope(scope))
            except AccessDenied as exc:
                await error_response(exc.status, exc.code, exc.message, exc.headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class KnownSessions:
    """The page's event stream for a session it does not know is a quiet 404.

    Gradio answers ``GET /gradio_api/queue/data?session_hash=...`` with a stream first and only then
    finds the session missing, which ends the stream with a logged traceback; a client that joined
    the queue always has its session, so an unknown one is refused up front.
    """

    def __init__(self, app: ASGIApp, known: Callable[[str], bool]) -> None:
        self.app = app
        self.known = known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == "/gradio_api/queue/data":
            session = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_hash", [""])[0]
            if not session or not self.known(session):
                await error_response(404, "unknown_session", "no such page session: reload the page")(
                    scope, receive, send)
                return
        await self.app(scope, receive, send)
