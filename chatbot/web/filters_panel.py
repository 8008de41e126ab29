"""The date range and outlet picker shared by the chat and timeline tabs.

A reader narrows the evidence to some dates and outlets the way the APIs' ``since``, ``until`` and
``sources`` do: the fields are read by the same :meth:`Filters.parse`, so a malformed date is
refused with a message naming the field (never ignored, which would answer from the whole index),
and a filter that no article passes reaches the service, which says so. The outlet list is the
outlets of the indexed articles, refreshed whenever the article list is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from chatbot.retrieval.filters import FilterError, Filters
from chatbot.service.chat import ChatService
from chatbot.web import labels

WORDS: dict[str, dict[str, str]] = labels.RENDER


class BadFilter(ValueError):
    """A filter field the reader must correct; ``str()`` is the message to show, in the page language."""


@dataclass
class FilterPanel:
    since: gr.Textbox
    until: gr.Textbox
    outlets: gr.Dropdown

    @property
    def inputs(self) -> list[Any]:
        return [self.since, self.until, self.outlets]


def filter_panel(i18n: gr.I18n, prefix: str) -> FilterPanel:
    """The three fields in one row; ``prefix`` keeps element ids apart between tabs."""
    with gr.Row(elem_id=f"{prefix}-filters"):
        since = gr.Textbox(label=i18n("since"), placeholder="YYYY-MM-DD", elem_id=f"{prefix}-since",
                           max_lines=1, max_length=40, scale=1)
        until = gr.Textbox(label=i18n("until"), placeholder="YYYY-MM-DD", elem_id=f"{prefix}-until",
                           max_lines=1, max_length=40, scale=1)
        outlets = gr.Dropdown(label=i18n("outlets"), multiselect=True, choices=[], elem_id=f"{prefix}-outlets",
                              scale=2)
    return FilterPanel(since, until, outlets)


def outlet_names(service: ChatService) -> list[str]:
    """The outlets of the indexed articles, sorted, each once."""
    return sorted({d.source for d in service.documents() if d.source}, key=str.lower)


def make_outlet_refresh(service: ChatService, count: int) -> Any:
    """A handler giving ``count`` outlet pickers the current outlets, keeping what is still there."""
    def refresh(*chosen: list[str] | None) -> Any:
        names = outlet_names(service)
        updates = [gr.update(choices=names, value=[c for c in (picked or []) if c in names]) for picked in chosen]
        return updates[0] if count == 1 else tuple(updates)

    return refresh


def read_filters(since: str | None, until: str | None, outlets: list[str] | None, lang: str) -> Filters | None:
    """The filters the fields give (None when all are empty); :class:`BadFilter` names a wrong field
    by its label on the page."""
    words = WORDS.get(lang, WORDS["en"])
    try:
        filters = Filters.parse(since=(since or "").strip() or None, until=(until or "").strip() or None,
                                sources=list(outlets or []) or None)
    except FilterError as exc:
        field = words.get(f"field_{exc.field}", exc.field)
        raise BadFilter(words["bad_filter"].format(field=field, problem=exc.message)) from None
    return filters if filters.active else None
