"""The chat page (Gradio), mounted at ``/`` by the HTTP server.

Tabs: the chat (streamed answers, ``[n]`` markers linked to source cards, refusals styled apart,
a date range and outlet picker: ``filters_panel.py``), the timeline (``timeline_tab.py``) and the
articles (list, upload, paste, remove, rebuild: handlers in ``articles.py``). Everything runs through the one
``ChatService``, so the page answers exactly what the CLI and the APIs answer. Static labels follow
the browser language through ``gr.I18n``; text built per request (answers, reports) follows the
``Accept-Language`` header.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import gradio as gr

from chatbot.schemas import Answer, Message
from chatbot.service import limits
from chatbot.service.chat import ChatService
from chatbot.service.status import NOT_READY
from chatbot.service.streaming import stream_answer
from chatbot.settings import Settings
from chatbot.web import labels
from chatbot.web.articles import make_admin, request_lang
from chatbot.web.entities_tab import entities_tab
from chatbot.web.filters_panel import BadFilter, filter_panel, make_outlet_refresh, read_filters
from chatbot.web.render import (
    ADMIN,
    LABELS,
    render_answer,
    render_sources,
    sources_panel,
    text_to_html,
)
from chatbot.web.timeline_tab import build_timeline_tab

log = logging.getLogger(__name__)

CSS = (Path(__file__).parent / "static" / "ui.css").read_text("utf-8")
FILE_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".pdf"]
REVEAL_PAUSE_S = 0.03  # between word groups of an answer that did not stream, so it visibly grows
EXAMPLES = [
    "Qui dirige l'Armée nationale arabe libyenne ?",
    "Which countries back Haftar?",
    "Où se tiendra la conférence nationale ?",
    "What did the African Union announce?",
]

I18N = gr.I18n(**labels.PAGE)


# ---- chat ------------------------------------------------------------------------------------------
def bubble(css_class: str, text: str) -> dict[str, str]:
    return {"role": "assistant", "content": f'<div class="{css_class}">{text_to_html(text)}</div>'}


def article_lookup(service: ChatService) -> Any:
    """A doc_id -> stored text lookup, so a source card can show context around a quote."""
    def lookup(doc_id: str) -> str | None:
        try:
            found = service.index.article(doc_id)
        except Exception:  # noqa: BLE001 - context is optional
            return None
        return found[1] if found else None

    return lookup


def recent_history(settings: Settings, history: list[dict]) -> list[Message]:
    """The conversation the next question is read against: the latest turns within the limits
    every route applies (the page keeps the whole conversation for display only)."""
    most = settings.max_history_turns
    kept = history[-most:] if most else []
    return [Message(role=m["role"], content=str(m["content"])[:settings.max_turn_chars]) for m in kept]


def make_respond(service: ChatService) -> Any:
    async def respond(message: str, chat: list[dict], history: list[dict], turns: list[str],
                      request: gr.Request, since: str = "", until: str = "",
                      outlets: list[str] | None = None) -> AsyncIterator[tuple[Any, ...]]:
        """Answer one question within the date range and outlets picked, streaming the bubble,
        then fill the sources panel."""
        lang = request_lang(request)
        labels = LABELS[lang]
        question = (message or "").strip()
        chat, history, turns = list(chat or []), list(history or []), list(turns or [])
        if not question:
            yield gr.update(), chat, history, turns, gr.update()
            return
        try:
            limits.check_question(service.settings, question, "question")
        except limits.TooLong:
            limit = service.settings.max_question_chars
            chat.append({"role": "user", "content": text_to_html(question[:200] + "…")})
            chat.append(bubble("cb-error", labels["too_long"].format(n=len(question), limit=limit)))
            yield gr.update(), chat, history, turns, gr.update()
            return
        chat.append({"role": "user", "content": text_to_html(question)})
        try:
            filters = read_filters(since, until, outlets, lang)
        except BadFilter as exc:  # never answered from the whole index instead
            chat.append(bubble("cb-error", str(exc)))
            yield gr.update(), chat, history, turns, gr.update()
            return
        if service.status.state in NOT_READY:
            chat.append(bubble("cb-notice", labels["indexing"]))
            yield "", chat, history, turns, gr.update()
            return
        chat.append(bubble("cb-pending", labels["searching"]))
        yield "", chat, history, turns, gr.update()
        turn = len(turns) + 1
        streamed = ""
        answer: Answer | None = None
        try:
            async for kind, data in stream_answer(service, question, recent_history(service.settings, history),
                                                  pace_s=REVEAL_PAUSE_S, filters=filters):
                if kind == "delta":
                    streamed += str(data)
                    chat[-1] = bubble("cb-answer", streamed)
                    yield "", chat, history, turns, gr.update()
                elif kind == "answer":
                    answer = data
        except Exception as exc:  # noqa: BLE001 - reported in the chat (logged by the bridge)
            chat[-1] = bubble("cb-error", labels["error"] + str(exc))
            yield "", chat, history, turns, gr.update()
            return
        if answer is None:  # the bridge always ends with an answer or an error
            return
        chat[-1] = {"role": "assistant", "content": render_answer(answer, turn, lang)}
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        turns.append(render_sources(answer, turn, question, lang, article_lookup(service)))
        yield "", chat, history, turns, sources_panel(turns, lang)

    return respond


# ---- page -------------------------------------------------------------------------------------------
def build_ui(service: ChatService, *, loopback: bool = True) -> gr.Blocks:
    """The whole page over ``service``; the caller mounts it (``gr.mount_gradio_app``).

    ``loopback``: the server listens only on this machine (without an API key, index changes are
    refused otherwise). Uploaded files left unused are deleted after an hour (``delete_cache``).
    """
    i18n = I18N
    built: list[gr.Blocks] = []

    def uploaded() -> set[str]:
        """Paths Gradio's upload route stored (the live set: reading one removes it)."""
        return built[0].upload_file_set if built else set()

    admin = make_admin(service, loopback, uploaded)
    settings = service.settings
    with gr.Blocks(title="News Q&A", delete_cache=(600, 3600)) as demo:
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
                                                  elem_id="question", scale=5, lines=1, max_lines=4,
                                                  max_length=settings.max_question_chars)
                            send = gr.Button(i18n("send"), variant="primary", elem_id="send", scale=1)
                        panel = filter_panel(i18n, "chat")
                        new = gr.Button(i18n("new"), elem_id="new-conversation", size="sm")
                    with gr.Column(scale=2):
                        gr.Markdown(i18n("sources"))
                        sources = gr.HTML("", elem_id="sources")
            timeline = build_timeline_tab(service, i18n)
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
            entities_tab(service, i18n)

        respond = make_respond(service)
        # Questions are answered side by side (up to CHATBOT_PAGE_CONCURRENCY), not one user at a time.
        chat_io = dict(inputs=[question, chat, history, turns, *panel.inputs],
                       outputs=[question, chat, history, turns, sources],
                       concurrency_limit=settings.page_concurrency, concurrency_id="chat")
        question.submit(respond, api_name="ask_filtered", **chat_io)
        send.click(respond, api_name="ask_button", api_visibility="undocumented", **chat_io)
        # Gradio API clients of `ask` keep its four inputs (no filters): an event of its own
        api_ask = gr.Button(visible=False, elem_id="api-ask")
        api_ask.click(respond, api_name="ask", **{**chat_io, "inputs": [question, chat, history, turns]})

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
        pickers = [panel.outlets, timeline.panel.outlets]  # the outlets follow the article list
        table.change(make_outlet_refresh(service, len(pickers)), pickers, pickers, queue=False)
        add_files.click(admin["add_files"], [key, files], [report, *listing], api_name="add_files").then(
            lambda: None, None, files)
        add_text.click(admin["add_text"], [key, title, text, date, source], [report, *listing], api_name="add_text")
        remove.click(admin["remove"], [key, pick], [report, *listing], api_name="remove")
        rebuild.click(admin["rebuild"], [key], [report, *listing], api_name="rebuild")
    demo.i18n_instance = i18n
    built.append(demo)
    return demo
