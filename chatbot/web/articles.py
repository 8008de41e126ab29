"""The chat page's Articles tab handlers: list, upload, paste, remove, rebuild.

Every change passes the same check as the JSON API's write routes
(:func:`chatbot.service.access.check_writer`: key, this machine only, not while an index job runs),
and a rebuild is the same background job as ``POST /api/index/rebuild``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from chatbot.schemas import SyncReport
from chatbot.service.access import AccessDenied, Caller, check_writer
from chatbot.service.chat import ChatService
from chatbot.web.render import ADMIN, notice_html, page_language, problem_html, report_html

log = logging.getLogger(__name__)


def request_lang(request: gr.Request | None) -> str:
    """The page language of the browser that sent ``request``."""
    headers = getattr(request, "headers", None)
    return page_language(headers.get("accept-language") if headers is not None else None)


# ---- articles ----------------------------------------------------------------------------------------
DENIED_REASONS = {"unauthorized": "denied", "read_only": "read_only", "index_busy": "busy"}


def caller_of(request: gr.Request | None, key: str | None) -> Caller:
    """The page request as the write check sees it (headers, bound port) with the key field."""
    raw = getattr(request, "request", None)
    scope = getattr(raw, "scope", None) or {}
    headers = getattr(raw, "headers", None) or getattr(request, "headers", None) or {}
    server = scope.get("server") or (None, None)
    return Caller(headers={str(k).lower(): str(v) for k, v in dict(headers).items()},
                  scheme=str(scope.get("scheme", "http")), server_port=server[1], key=(key or None),
                  key_hint="type the API key in the key field")


def make_admin(service: ChatService, loopback: bool = True,
               uploaded: Callable[[], set[str]] | None = None) -> dict[str, Any]:
    """The Articles tab's handlers; each returns (report HTML, table, remove choices).

    Every change passes the same check as the JSON API's write routes (key, this machine only,
    not while an index job runs: :func:`chatbot.service.access.check_writer`). ``uploaded()`` gives
    the paths Gradio's upload route stored: only those files are read.
    """

    def listing(lang: str) -> tuple[Any, Any]:
        docs = service.documents()
        table = gr.update(value=[[d.title, d.date or "", d.lang, d.chunks, d.doc_id] for d in docs],
                          headers=ADMIN[lang]["headers"])
        choices = gr.update(choices=[(f"{d.title} ({d.doc_id})", d.doc_id) for d in docs], value=[])
        return table, choices

    def progress_of(progress: gr.Progress, lang: str) -> Any:
        def report(done: int, total: int, articles_done: int = 0, articles_total: int = 0) -> None:
            of_articles = f" ({articles_done}/{articles_total})" if articles_total > 1 else ""
            progress((done, max(total, 1)), desc=ADMIN[lang]["indexing"] + of_articles)
        return report

    def guarded(request: gr.Request | None, key: str | None, action: Any) -> tuple:
        """Checks the right to write, runs ``action(lang)``, and turns any failure into a message."""
        lang = request_lang(request)
        try:
            check_writer(service.settings, service.jobs, loopback, caller_of(request, key))
        except AccessDenied as exc:
            log.info("page write refused: %s", exc.message)
            return (problem_html(ADMIN[lang][DENIED_REASONS.get(exc.code, "foreign")]), *listing(lang))
        try:
            message = action(lang)
        except Exception as exc:  # noqa: BLE001 - shown to the user, logged for the operator
            log.exception("articles action failed")
            message = problem_html(str(exc))
        return (message, *listing(lang))

    def read_uploads(lang: str, paths: list[str]) -> tuple[list[tuple[str, bytes]], SyncReport]:
        """The bytes of files uploaded through the page; anything else is refused, by name."""
        limit = service.settings.max_upload_mb * 1024 * 1024
        stored = uploaded() if uploaded else set()
        files, refused = [], SyncReport()
        for path in paths:
            p = Path(path)
            if str(path) not in stored or p.is_symlink():
                refused.failed.append({"path": p.name, "error": ADMIN[lang]["not_uploaded"]})
                continue
            try:
                if p.stat().st_size > limit:
                    refused.failed.append({"path": p.name, "error": ADMIN[lang]["too_big"].format(
                        mb=service.settings.max_upload_mb)})
                else:
                    files.append((p.name, p.read_bytes()))
            finally:
                stored.discard(str(path))
                p.unlink(missing_ok=True)  # the upload is indexed or refused: its temp copy goes
        return files, refused

    def add_files(lang: str, progress: gr.Progress, paths: list[str] | None) -> str:
        if not paths:
            return problem_html(ADMIN[lang]["no_files"])
        files, refused = read_uploads(lang, list(paths))
        report = service.add_files(files, progress=progress_of(progress, lang)) if files else SyncReport()
        report.failed = refused.failed + report.failed
        return report_html(report, lang)

    def add_text(lang: str, title: str, text: str, date: str, source: str) -> str:
        if not (title or "").strip() or not (text or "").strip():
            return problem_html(ADMIN[lang]["need_text"])
        fields = {"title": title.strip(), "text": text.strip(), "date": (date or "").strip() or None,
                  "source": (source or "").strip() or None}
        return report_html(service.add_mapping({k: v for k, v in fields.items() if v}), lang)

    def remove(lang: str, doc_ids: list[str] | None) -> str:
        if not doc_ids:
            return problem_html(ADMIN[lang]["no_pick"])
        return report_html(service.remove(list(doc_ids)), lang)

    def rebuild(lang: str) -> str:
        """A background job, like ``POST /api/index/rebuild``: health shows it, writers wait."""
        if not service.jobs.start("rebuilding", lambda progress: service.rebuild(None, progress)):
            return problem_html(ADMIN[lang]["busy"])
        return notice_html(ADMIN[lang]["rebuild_started"])

    def on_add_files(key: str, paths: list[str] | None, request: gr.Request,
                     progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 - Gradio's idiom
        return guarded(request, key, lambda lang: add_files(lang, progress, paths))

    def on_add_text(key: str, title: str, text: str, date: str, source: str, request: gr.Request) -> tuple:
        return guarded(request, key, lambda lang: add_text(lang, title, text, date, source))

    def on_remove(key: str, doc_ids: list[str] | None, request: gr.Request) -> tuple:
        return guarded(request, key, lambda lang: remove(lang, doc_ids))

    def on_rebuild(key: str, request: gr.Request) -> tuple:
        return guarded(request, key, rebuild)

    def refresh(request: gr.Request) -> tuple[Any, Any]:
        return listing(request_lang(request))

    return {"add_files": on_add_files, "add_text": on_add_text, "remove": on_remove, "rebuild": on_rebuild,
            "refresh": refresh}
