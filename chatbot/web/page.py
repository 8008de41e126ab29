"""The chat page (Gradio), mounted at ``/`` by the HTTP server.

Two tabs: the chat (streamed answers, ``[n]`` markers linked to source cards, refusals styled apart)
and the articles (list, upload, paste, remove, rebuild). Everything runs through the one
``ChatService``, so the page answers exactly what the CLI and the APIs answer. Static labels follow
the browser language through ``gr.I18n``; text built per request (answers, reports) follows the
``Accept-Language`` header.
"""

from __future__ import annotations

import hmac
import logging
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from chatbot.schemas import Answer, Message, SyncReport
from chatbot.service.chat import ChatService
from chatbot.web.render import (
    ADMIN,
    LABELS,
    page_language,
    problem_html,
    render_answer,
    render_sources,
    report_html,
    sources_panel,
    text_to_html,
)

log = logging.getLogger(__name__)

CSS = (Path(__file__).parent / "static" / "ui.css").read_text("utf-8")
FILE_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".pdf"]
REVEAL_STEP_WORDS = 3
REVEAL_PAUSE_S = 0.03
EXAMPLES = [
    "Qui dirige l'Armée nationale arabe libyenne ?",
    "Which countries back Haftar?",
    "Où se tiendra la conférence nationale ?",
    "What did the African Union announce?",
]

I18N = gr.I18n(
    en={
        "title": "## News Q&A: ask the articles",
        "intro": "Answers quote the indexed articles; each `[n]` links to its source on the right.",
        "tab_chat": "Chat", "tab_articles": "Articles", "chat": "Conversation",
        "question": "Your question", "placeholder": "Ask a question about the articles…",
        "send": "Ask", "new": "New conversation",
        "sources": "### Sources\nThe passages each answer quotes show here, the quoted words highlighted.",
        "articles": "### Indexed articles", "refresh": "Refresh",
        "api_key": "API key (required to change the index)",
        "upload": "Upload articles (txt, md, html, json, jsonl, pdf)", "add_files": "Add the files",
        "paste": "### Paste an article", "paste_title": "Title", "paste_text": "Text",
        "paste_date": "Date (optional, e.g. 2024-05-01)", "paste_source": "Source (optional)",
        "add_text": "Add the article", "remove_pick": "Articles to remove", "remove": "Remove",
        "rebuild": "Rebuild the index from the articles folder", "manage": "### Manage",
    },
    fr={
        "title": "## Questions sur l'actualité : interrogez les articles",
        "intro": "Les réponses citent les articles indexés ; chaque `[n]` renvoie à sa source, à droite.",
        "tab_chat": "Discussion", "tab_articles": "Articles", "chat": "Conversation",
        "question": "Votre question", "placeholder": "Posez une question sur les articles…",
        "send": "Demander", "new": "Nouvelle conversation",
        "sources": "### Sources\nLes passages cités par chaque réponse s'affichent ici, les mots cités surlignés.",
        "articles": "### Articles indexés", "refresh": "Actualiser",
        "api_key": "Clé d'API (requise pour modifier l'index)",
        "upload": "Téléverser des articles (txt, md, html, json, jsonl, pdf)", "add_files": "Ajouter les fichiers",
        "paste": "### Coller un article", "paste_title": "Titre", "paste_text": "Texte",
        "paste_date": "Date (facultative, ex. 2024-05-01)", "paste_source": "Source (facultative)",
        "add_text": "Ajouter l'article", "remove_pick": "Articles à supprimer", "remove": "Supprimer",
        "rebuild": "Reconstruire l'index depuis le dossier d'articles", "manage": "### Gérer",
    },
)


def request_lang(request: gr.Request | None) -> str:
    """The page language of the browser that sent ``request``."""
    headers = getattr(request, "headers", None)
    return page_language(headers.get("accept-language") if headers is not None else None)


# ---- chat ------------------------------------------------------------------------------------------
def bubble(css_class: str, text: str) -> dict[str, str]:
    return {"role": "assistant", "content": f'<div class="{css_class}">{text_to_html(text)}</div>'}


def reveal(text: str) -> Iterator[str]:
    """Growing prefixes of ``text``, a few words at a time, for answerers that do not stream."""
    words = text.split(" ")
    for i in range(REVEAL_STEP_WORDS, len(words), REVEAL_STEP_WORDS):
        yield " ".join(words[:i])


def run_ask(service: ChatService, question: str, history: list[Message]) -> Iterator[tuple[str, Any]]:
    """``service.ask`` in a worker thread, as events: ("delta", text)..., then ("answer"|"error", x).

    The thread keeps the page's event loop free and lets streamed deltas reach the browser as the
    answerer produces them.
    """
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def on_event(kind: str, data: Any) -> None:
        if kind in ("delta", "draft"):  # draft: the answer before its quotes' translations
            events.put((kind, data))

    def work() -> None:
        try:
            events.put(("answer", service.ask(question, history, on_event=on_event)))
        except Exception as exc:  # noqa: BLE001 - reported in the chat
            log.exception("answering failed")
            events.put(("error", exc))

    threading.Thread(target=work, name="chat-answer", daemon=True).start()
    while True:
        kind, data = events.get()
        yield kind, data
        if kind in ("answer", "error"):
            return


def article_lookup(service: ChatService) -> Any:
    """A doc_id -> stored text lookup, so a source card can show context around a quote."""
    def lookup(doc_id: str) -> str | None:
        try:
            found = service.index.article(doc_id)
        except Exception:  # noqa: BLE001 - context is optional
            return None
        return found[1] if found else None

    return lookup


def make_respond(service: ChatService) -> Any:
    def respond(message: str, chat: list[dict], history: list[dict], turns: list[str],
                request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Answer one question, streaming the bubble, then fill the sources panel."""
        lang = request_lang(request)
        labels = LABELS[lang]
        question = (message or "").strip()
        chat, history, turns = list(chat or []), list(history or []), list(turns or [])
        if not question:
            yield gr.update(), chat, history, turns, gr.update()
            return
        chat.append({"role": "user", "content": text_to_html(question)})
        if service.status.get("state") == "indexing":
            chat.append(bubble("cb-notice", labels["indexing"]))
            yield "", chat, history, turns, gr.update()
            return
        chat.append(bubble("cb-pending", labels["searching"]))
        yield "", chat, history, turns, gr.update()
        turn = len(turns) + 1
        streamed = ""
        answer: Answer | None = None
        for kind, data in run_ask(service, question, [Message(**m) for m in history]):
            if kind == "delta":
                streamed += str(data)
                chat[-1] = bubble("cb-answer", streamed)
                yield "", chat, history, turns, gr.update()
            elif kind == "draft":  # shown at once; translations come with the final answer
                chat[-1] = {"role": "assistant", "content": render_answer(data, turn, lang)}
                streamed = streamed or data.answer
                yield "", chat, history, turns, gr.update()
            elif kind == "error":
                chat[-1] = bubble("cb-error", labels["error"] + str(data))
                yield "", chat, history, turns, gr.update()
                return
            else:
                answer = data
        if answer is None:  # the worker always ends with an answer or an error; never leave "searching"
            return
        if not streamed:
            for partial in reveal(answer.answer):
                chat[-1] = bubble("cb-refusal" if answer.refused else "cb-answer", partial)
                yield "", chat, history, turns, gr.update()
                time.sleep(REVEAL_PAUSE_S)
        chat[-1] = {"role": "assistant", "content": render_answer(answer, turn, lang)}
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        turns.append(render_sources(answer, turn, question, lang, article_lookup(service)))
        yield "", chat, history, turns, sources_panel(turns, lang)

    return respond


# ---- articles ----------------------------------------------------------------------------------------
def make_admin(service: ChatService, writable: bool = True) -> dict[str, Any]:
    """The Articles tab's handlers; each returns (report HTML, table, remove choices).

    With an API key configured, changes need it; without one, they are allowed only when the server
    says so (``writable``: it listens on loopback), like the JSON API's index routes.
    """

    def authorized(key: str | None) -> bool:
        expected = service.settings.api_key
        if not expected:
            return writable
        return hmac.compare_digest((key or "").encode(), expected.encode())

    def listing(lang: str) -> tuple[Any, Any]:
        docs = service.documents()
        table = gr.update(value=[[d.title, d.date or "", d.lang, d.chunks, d.doc_id] for d in docs],
                          headers=ADMIN[lang]["headers"])
        choices = gr.update(choices=[(f"{d.title} ({d.doc_id})", d.doc_id) for d in docs], value=[])
        return table, choices

    def progress_of(progress: gr.Progress, lang: str) -> Any:
        def report(done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=ADMIN[lang]["indexing"])
        return report

    def guarded(request: gr.Request | None, key: str | None, action: Any) -> tuple:
        """Checks the key, runs ``action(lang)``, and turns any failure into a message on the page."""
        lang = request_lang(request)
        if not authorized(key):
            reason = "denied" if service.settings.api_key else "read_only"
            return (problem_html(ADMIN[lang][reason]), *listing(lang))
        try:
            message = action(lang)
        except Exception as exc:  # noqa: BLE001 - shown to the user, logged for the operator
            log.exception("articles action failed")
            message = problem_html(str(exc))
        return (message, *listing(lang))

    def add_files(lang: str, progress: gr.Progress, paths: list[str] | None) -> str:
        if not paths:
            return problem_html(ADMIN[lang]["no_files"])
        limit = service.settings.max_upload_mb * 1024 * 1024
        files, too_big = [], SyncReport()
        for path in paths:
            p = Path(path)
            if p.stat().st_size > limit:
                too_big.failed.append({"path": p.name, "error": ADMIN[lang]["too_big"].format(mb=service.settings.max_upload_mb)})
            else:
                files.append((p.name, p.read_bytes()))
        report = service.add_files(files, progress=progress_of(progress, lang)) if files else SyncReport()
        report.failed = too_big.failed + report.failed
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

    def rebuild(lang: str, progress: gr.Progress) -> str:
        return report_html(service.rebuild(progress=progress_of(progress, lang)), lang)

    def on_add_files(key: str, paths: list[str] | None, request: gr.Request,
                     progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 - Gradio's idiom
        return guarded(request, key, lambda lang: add_files(lang, progress, paths))

    def on_add_text(key: str, title: str, text: str, date: str, source: str, request: gr.Request) -> tuple:
        return guarded(request, key, lambda lang: add_text(lang, title, text, date, source))

    def on_remove(key: str, doc_ids: list[str] | None, request: gr.Request) -> tuple:
        return guarded(request, key, lambda lang: remove(lang, doc_ids))

    def on_rebuild(key: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008
        return guarded(request, key, lambda lang: rebuild(lang, progress))

    def refresh(request: gr.Request) -> tuple[Any, Any]:
        return listing(request_lang(request))

    return {"add_files": on_add_files, "add_text": on_add_text, "remove": on_remove, "rebuild": on_rebuild,
            "refresh": refresh}


# ---- page -------------------------------------------------------------------------------------------
def build_ui(service: ChatService, *, writable: bool = True) -> gr.Blocks:
    """The whole page over ``service``; the caller mounts it (``gr.mount_gradio_app``).

    ``writable=False`` (a server reachable beyond loopback with no API key) refuses index changes.
    """
    i18n = I18N
    admin = make_admin(service, writable)
    with gr.Blocks(title="News Q&A") as demo:
        gr.HTML(f"<style>{CSS}</style>", elem_id="cb-style", padding=False)
        gr.Markdown(i18n("title"))
        gr.Markdown(i18n("intro"))
        history = gr.State([])
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab(i18n("tab_chat"), id="chat", elem_id="tab-chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label=i18n("chat"), elem_id="chat", height=520, render_markdown=False,
                                          examples=[{"text": q} for q in EXAMPLES], feedback_options=None)
                        with gr.Row():
                            question = gr.Textbox(label=i18n("question"), placeholder=i18n("placeholder"),
                                                  elem_id="question", scale=5, lines=1, max_lines=4)
                            send = gr.Button(i18n("send"), variant="primary", elem_id="send", scale=1)
                        new = gr.Button(i18n("new"), elem_id="new-conversation", size="sm")
                    with gr.Column(scale=2):
                        gr.Markdown(i18n("sources"))
                        sources = gr.HTML("", elem_id="sources")
            with gr.Tab(i18n("tab_articles"), id="articles", elem_id="tab-articles"):
                key = gr.Textbox(label=i18n("api_key"), type="password", elem_id="api-key",
                                 visible=bool(service.settings.api_key))
                report = gr.HTML("", elem_id="articles-report")
                gr.Markdown(i18n("articles"))
                table = gr.Dataframe(headers=ADMIN["en"]["headers"], interactive=False, elem_id="documents",
                                     wrap=True)
                refresh = gr.Button(i18n("refresh"), size="sm", elem_id="refresh")
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label=i18n("upload"), file_count="multiple", file_types=FILE_TYPES,
                                        type="filepath", elem_id="upload")
                        add_files = gr.Button(i18n("add_files"), variant="primary", elem_id="add-files")
                    with gr.Column():
                        gr.Markdown(i18n("paste"))
                        title = gr.Textbox(label=i18n("paste_title"), elem_id="paste-title")
                        text = gr.Textbox(label=i18n("paste_text"), lines=6, elem_id="paste-text")
                        with gr.Row():
                            date = gr.Textbox(label=i18n("paste_date"), elem_id="paste-date")
                            source = gr.Textbox(label=i18n("paste_source"), elem_id="paste-source")
                        add_text = gr.Button(i18n("add_text"), variant="primary", elem_id="add-text")
                gr.Markdown(i18n("manage"))
                with gr.Row():
                    pick = gr.Dropdown(label=i18n("remove_pick"), multiselect=True, choices=[], elem_id="remove-pick",
                                       scale=4)
                    remove = gr.Button(i18n("remove"), variant="stop", elem_id="remove", scale=1)
                rebuild = gr.Button(i18n("rebuild"), elem_id="rebuild")

        respond = make_respond(service)
        chat_io = dict(inputs=[question, chat, history, turns], outputs=[question, chat, history, turns, sources])
        question.submit(respond, **chat_io)
        send.click(respond, **chat_io)

        def pick_example(evt: gr.SelectData) -> str:
            value = evt.value
            return value.get("text", "") if isinstance(value, dict) else str(value)

        chat.example_select(pick_example, None, question).then(respond, **chat_io)
        new.click(lambda: ([], [], [], "", ""), None, [chat, history, turns, sources, question], queue=False)
        # The chat's own clear button must forget the conversation too, or follow-ups would use it.
        chat.clear(lambda: ([], [], ""), None, [history, turns, sources], queue=False)

        listing = [table, pick]
        refresh.click(admin["refresh"], None, listing)
        demo.load(admin["refresh"], None, listing)
        add_files.click(admin["add_files"], [key, files], [report, *listing]).then(lambda: None, None, files)
        add_text.click(admin["add_text"], [key, title, text, date, source], [report, *listing])
        remove.click(admin["remove"], [key, pick], [report, *listing])
        rebuild.click(admin["rebuild"], [key], [report, *listing])
    demo.i18n_instance = i18n
    return demo
