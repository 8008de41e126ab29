"""The chat page's Entities tab: who and what the articles talk about.

A table of the people, organisations and places the articles name (chatbot.service.entities), most
mentioned first, filtered by kind and by part of a name; picking a row shows the entity's other
spellings, the articles that name it and its timeline (dated quotes with their outlet), as
``GET /api/entities/{name}`` gives them. Every string from an article is HTML-escaped.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from chatbot.service.chat import ChatService
from chatbot.service.entities import EntitiesOff, EntitySummary
from chatbot.service.status import NOT_READY
from chatbot.text.entities import KINDS
from chatbot.web.articles import request_lang
from chatbot.web.labels import ENTITIES
from chatbot.web.render import esc, notice_html, problem_html

log = logging.getLogger(__name__)
SHOWN = 500  # rows of the table at most (the most mentioned)


def kind_choices(lang: str) -> list[tuple[str, str]]:
    words = ENTITIES[lang]
    return [(words["all"], ""), *((words[k], k) for k in KINDS)]


def rows(found: list[EntitySummary], lang: str) -> list[list[Any]]:
    words = ENTITIES[lang]
    return [[e.name, words[e.kind], e.mentions, len(e.documents), e.first_date or "", e.last_date or ""]
            for e in found]


def detail_html(service: ChatService, summary: EntitySummary, lang: str) -> str:
    """The entity: other spellings, its articles, its timeline."""
    words = ENTITIES[lang]
    docs = {d.doc_id: d for d in service.documents()}
    parts = [f'<section class="cb-entity"><h3>{esc(summary.name)}</h3>',
             f'<div class="cb-meta">{esc(words[summary.kind])} · {summary.mentions} · '
             f'{len(summary.documents)} {esc(words["articles"].lower())}</div>']
    if summary.aliases:
        parts.append(f'<div class="cb-aliases"><b>{esc(words["aliases"])}:</b> {esc(", ".join(summary.aliases))}</div>')
    parts.append(f'<h4>{esc(words["articles"])}</h4><ul class="cb-entity-docs">')
    for doc_id in summary.documents:
        doc = docs.get(doc_id)
        title = doc.title if doc else doc_id
        meta = f'{doc.date or words["no_date"]} · {doc.source or words["no_source"]}' if doc else ""
        parts.append(f'<li>{esc(title)} <span class="cb-meta">{esc(meta)} ({esc(doc_id)})</span></li>')
    parts.append(f'</ul><h4>{esc(words["timeline"])}</h4>')
    if service.status.state in NOT_READY:
        parts.append(notice_html(words["not_ready"]))
    else:
        found = service.entity(summary.name)
        events = found[1].events if found else []
        if not events:
            parts.append(f'<div class="cb-sources-empty">{esc(words["no_timeline"])}</div>')
        for event in events:
            c = event.citation
            reported = f' ({words["reported"]} {c.date})' if c.date and c.date != event.date else ""
            parts.append(f'<article class="cb-card cb-event"><div class="cb-meta">{esc(event.date + reported)} · '
                         f'{esc(c.source or words["no_source"])} · {esc(c.title)}</div>'
                         f'<div class="cb-passage">{esc(event.quote)}</div></article>')
    parts.append("</section>")
    return "".join(parts)


def entities_tab(service: ChatService, i18n: Any) -> None:
    """The tab and its events; call inside the page's ``gr.Tabs`` block."""
    with gr.Tab(i18n("tab_entities"), id="entities", elem_id="tab-entities") as tab:
        gr.Markdown(i18n("entities"))
        with gr.Row():
            kind = gr.Dropdown(label=i18n("entity_kind"), choices=kind_choices("en"), value="",
                               elem_id="entity-kind", scale=1)
            query = gr.Textbox(label=i18n("entity_search"), elem_id="entity-search", scale=3)
            refresh = gr.Button(i18n("entity_refresh"), size="sm", elem_id="entity-refresh", scale=1)
        table = gr.Dataframe(headers=ENTITIES["en"]["headers"], interactive=False, elem_id="entities-table",
                             wrap=True)
        names = gr.State([])
        detail = gr.HTML("", elem_id="entity-detail")

    def listing(chosen: str, text: str, request: gr.Request) -> tuple[Any, Any, list[str], str]:
        lang = request_lang(request)
        words = ENTITIES[lang]
        chooser = gr.update(choices=kind_choices(lang), value=chosen or "")
        try:
            found = service.entities.listing(kind=chosen or None, q=text or None, limit=SHOWN)
        except EntitiesOff:
            return chooser, gr.update(value=[]), [], problem_html(words["off"])
        table_update = gr.update(value=rows(found, lang), headers=words["headers"])
        hint = words["pick"] if found else words["no_entities"]
        return chooser, table_update, [e.name for e in found], notice_html(hint)

    def show(shown: list[str], evt: gr.SelectData, request: gr.Request) -> str:
        lang = request_lang(request)
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        if not isinstance(index, int) or not 0 <= index < len(shown):
            return ""
        try:
            summary = service.entities.find(shown[index])
        except EntitiesOff:
            return problem_html(ENTITIES[lang]["off"])
        if summary is None:
            return notice_html(ENTITIES[lang]["not_found"].format(name=shown[index]))
        return detail_html(service, summary, lang)

    # read-only; one listing event is named in Gradio's API, the others are the same function
    outputs = [kind, table, names, detail]
    tab.select(listing, [kind, query], outputs, api_name="entities")
    for event in (refresh.click, kind.input, query.submit):
        event(listing, [kind, query], outputs, api_visibility="private")
    table.select(show, [names], detail, api_visibility="private")
