"""The page's Timeline tab: how a story unfolded, as dated, verified quotes, oldest first.

It shows what ``GET /api/timeline`` returns (``ChatService.timeline``): for each event its day (with
the words of the quote that name it, when it is not the day of publication), publication date and
outlet, the quote with its relative dates resolved ("hier" = 2017-03-13), the article it comes from
and the other outlets that carried the same sentence (wire copies). The same date range and outlet
picker as the chat narrows it. Every string from an article is escaped (``render.esc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from chatbot.answering.timeline import Event, Timeline
from chatbot.service import limits
from chatbot.service.chat import ChatService
from chatbot.service.status import NOT_READY
from chatbot.web.articles import request_lang
from chatbot.web.filters_panel import BadFilter, FilterPanel, filter_panel, read_filters
from chatbot.web.render import LABELS, dates_line, esc, in_quotes, meta_line, notice_html, problem_html, quoted


@dataclass
class TimelineTab:
    panel: FilterPanel
    query: gr.Textbox
    show: gr.Button
    events: gr.HTML


def copies_line(event: Event, lang: str) -> str:
    """"Also reported by" the outlets of the near-copies carrying the quote (empty when none)."""
    copies = event.citation.also_in
    if not copies:
        return ""
    labels = LABELS.get(lang, LABELS["en"])
    names = ", ".join(esc(f"{c.get('source') or labels['no_source']} ({c.get('date') or labels['no_date']})")
                      for c in copies)
    return f'<div class="cb-also">{esc(labels["also_reported"])} {names}</div>'


def event_date_html(event: Event, lang: str) -> str:
    """The event's day, with the words of the quote that name it when it is not the publication day,
    and a mark when the quote told of it as still to come (a day it was due, not one it happened)."""
    labels = LABELS.get(lang, LABELS["en"])
    ahead = f' <span class="cb-ahead">{esc(labels["ahead"])}</span>' if event.ahead else ""
    if not event.dated_by:
        return f'<div class="cb-event-date">{esc(event.date)}{ahead}</div>'
    return (f'<div class="cb-event-date">{esc(event.date)} <span class="cb-dated-by">({esc(labels["dated_by"])} '
            f"{in_quotes(event.dated_by, lang)})</span>{ahead}</div>")


def timeline_html(timeline: Timeline, lang: str) -> str:
    """The events as an ordered list, oldest first; the service's message when there are none."""
    labels = LABELS.get(lang, LABELS["en"])
    if not timeline.events and timeline.unmentioned:  # said in the page's language
        names = ", ".join(quoted(name, lang) for name in timeline.unmentioned)  # escaped by notice_html
        return notice_html(labels["timeline_unmentioned"].format(names=names))
    if not timeline.events:
        return notice_html(timeline.message or labels["timeline_empty"])
    items = []
    for event in timeline.events:
        c = event.citation
        items.append(
            f'<li class="cb-event" data-date="{esc(event.date)}">{event_date_html(event, lang)}'
            f'{meta_line(c.date, c.source, lang, labels["reported"])}'
            f'<blockquote class="cb-quote">{esc(event.quote)}</blockquote>'
            f'{dates_line(c, lang)}<div class="cb-title"><span class="cb-n">[{c.n}]</span> {esc(c.title)}</div>'
            f"{copies_line(event, lang)}</li>")
    return f'<ol class="cb-timeline">{"".join(items)}</ol>'


def make_show(service: ChatService) -> Any:
    def show(query: str, since: str, until: str, outlets: list[str], request: gr.Request) -> str:
        """The timeline of ``query`` within the filters, or what stops it, in the page language."""
        lang = request_lang(request)
        labels = LABELS[lang]
        query = (query or "").strip()
        if not query:
            return problem_html(labels["empty"])
        try:
            limits.check_question(service.settings, query, "query")
        except limits.TooLong:
            return problem_html(labels["too_long"].format(n=len(query), limit=service.settings.max_question_chars))
        try:
            filters = read_filters(since, until, outlets, lang)
        except BadFilter as exc:
            return problem_html(str(exc))
        if service.status.state in NOT_READY:
            return notice_html(labels["indexing"])
        return timeline_html(service.timeline(query, filters), lang)

    return show


def build_timeline_tab(service: ChatService, i18n: gr.I18n) -> TimelineTab:
    """The tab and its wiring; the caller refreshes ``panel.outlets`` with the article list."""
    with gr.Tab(i18n("tab_timeline"), id="timeline", elem_id="tab-timeline"):
        gr.Markdown(i18n("timeline_intro"))
        with gr.Row():
            query = gr.Textbox(label=i18n("timeline_query"), elem_id="timeline-query", scale=5, max_lines=1,
                               max_length=service.settings.max_question_chars)
            show = gr.Button(i18n("timeline_show"), variant="primary", elem_id="timeline-show", scale=1)
        panel = filter_panel(i18n, "timeline")
        events = gr.HTML("", elem_id="timeline-events")
    handler = make_show(service)
    io = dict(inputs=[query, *panel.inputs], outputs=[events], concurrency_limit=service.settings.page_concurrency,
              concurrency_id="chat")
    query.submit(handler, api_name="timeline", **io)
    show.click(handler, api_visibility="undocumented", **io)
    return TimelineTab(panel, query, show, events)
