"""HTML for the chat page: answers with linked ``[n]`` markers, source cards, refusals.

Kept apart from the Gradio wiring so the rules that protect users can be tested quickly: every
string that comes from an article (title, source, passage, quote) is HTML-escaped before any markup
is added, so an article holding ``<script>`` or ``<img onerror>`` shows as text, never runs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from chatbot.answering.citations import opens_with
from chatbot.answering.relative_dates import label as period_label
from chatbot.schemas import Answer, Citation, Passage, SyncReport
from chatbot.web import labels

MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 220

LABELS: dict[str, dict[str, str]] = labels.RENDER


ADMIN = labels.ADMIN


def page_language(accept_language: str | None) -> str:
    """``fr`` or ``en`` from an Accept-Language header: the first of the two the browser prefers."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LABELS:
            return code
    return "en"


def esc(text: str | None) -> str:
    """Escaped text, safe inside element content and attribute values."""
    return html.escape(text or "", quote=True)


def card_id(turn: int, n: int) -> str:
    """The anchor of citation ``n`` of answer ``turn``; turn-specific so old links stay right."""
    return f"src-{turn}-{n}"


def link_markers(escaped: str, turn: int, valid: set[int]) -> str:
    """Turn each ``[n]`` with a known citation into a link to its source card."""
    def repl(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in valid:
            return match.group(0)
        return f'<a class="cb-cite" href="#{card_id(turn, n)}">[{n}]</a>'

    return MARKER.sub(repl, escaped)


def text_to_html(text: str) -> str:
    """Escaped text with line breaks kept."""
    return esc(text).replace("\n", "<br>")


def render_answer(answer: Answer, turn: int, lang: str) -> str:
    """The chat bubble of a finished answer; refusals carry their own label and style."""
    labels = LABELS.get(lang, LABELS["en"])
    if answer.refused:
        return (
            '<div class="cb-refusal"><span class="cb-refusal-label">&#9888; '
            f'{esc(labels["refusal"])}</span><br>{text_to_html(answer.answer)}</div>'
        )
    valid = {c.n for c in answer.citations}
    lines = "".join(translation_line(c, lang) for c in answer.citations)
    if answer.kind == "overview":
        return f'<div class="cb-answer cb-overview">{overview_html(answer.answer, turn, valid)}{lines}</div>'
    if answer.short_answer is not None and opens_with(answer.answer, answer.short_answer):
        short = answer.short_answer
        bold = short.rendered if short.rendered and answer.answer.startswith(short.rendered) else short.text
        rest = answer.answer[len(bold):]
        return (f'<div class="cb-answer"><strong class="cb-short">{esc(bold)}</strong>'
                f'{link_markers(text_to_html(rest), turn, valid)}{lines}</div>')
    return f'<div class="cb-answer">{link_markers(text_to_html(answer.answer), turn, valid)}{lines}</div>'


def translation_line(citation: Citation, lang: str) -> str:
    """A quote's checked translation, as a labelled italic line (empty when there is none)."""
    if citation.translation is None:
        return ""
    label = f'{LABELS.get(lang, LABELS["en"])["translation"]} [{citation.n}]'
    return (f'<div class="cb-translation" lang="{esc(citation.translation.lang)}"><em>'
            f'<span class="cb-translation-label">{esc(label)}:</span> {esc(citation.translation.text)}</em></div>')


def quoted(text: str, lang: str) -> str:
    """``text`` between the quotation marks of ``lang`` (« ... » in French, “...” otherwise)."""
    return f"« {text} »" if lang == "fr" else f"“{text}”"


def in_quotes(text: str, lang: str) -> str:
    """``quoted``, with ``text`` escaped for HTML."""
    return quoted(esc(text), lang)


def dates_line(citation: Citation, lang: str) -> str:
    """The quote's relative dates with the days they name ("hier" = 2017-03-13), empty when none."""
    if not citation.dates:
        return ""
    labels = LABELS.get(lang, LABELS["en"])
    items = " · ".join(f'<span class="cb-date-item" data-date="{esc(d.date)}">{in_quotes(d.text, lang)}'
                       f" = <time datetime=\"{esc(d.date)}\">{esc(period_label(d))}</time></span>"
                       for d in citation.dates)
    return f'<div class="cb-dates"><span class="cb-dates-label">{esc(labels["dates"])}</span> {items}</div>'


def overview_html(text: str, turn: int, valid: set[int]) -> str:
    """A brief: its lead line, then one list item per cited sentence (lines starting with "- ")."""
    lead, items = [], []
    for line in text.split("\n"):
        if line.startswith("- "):
            items.append(f"<li>{link_markers(esc(line[2:]), turn, valid)}</li>")
        elif line.strip():
            lead.append(link_markers(esc(line), turn, valid))
    return "<br>".join(lead) + (f'<ul class="cb-brief">{"".join(items)}</ul>' if items else "")


def highlighted(text: str, start: int, end: int, inner: tuple[int, int] | None = None) -> str:
    """``text`` escaped, with ``text[start:end]`` wrapped in ``<mark>`` (clamped to the text) and
    ``inner`` (the short answer, offsets in ``text``) in bold inside it."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return esc(text)
    body = esc(text[start:end])
    if inner is not None and start <= inner[0] < inner[1] <= end:
        body = (f"{esc(text[start:inner[0]])}<strong class=\"cb-short\">{esc(text[inner[0]:inner[1]])}</strong>"
                f"{esc(text[inner[1]:end])}")
    return f"{esc(text[:start])}<mark>{body}</mark>{esc(text[end:])}"


def citation_excerpt(citation: Citation, passages: list[Passage],
                     article_text: Callable[[str], str | None] | None = None,
                     short: tuple[int, int] | None = None) -> str:
    """The passage around a citation with the quote highlighted (and ``short``, the short answer's
    article offsets, in bold).

    Prefers the retrieved passage that contains the quote (what the answer was built from); else the
    quote with some article context; else the quote alone.
    """
    def shifted(base: int) -> tuple[int, int] | None:
        return (short[0] - base, short[1] - base) if short else None

    for p in passages:
        if p.doc_id == citation.doc_id and p.start <= citation.start and citation.end <= p.end:
            return highlighted(p.text, citation.start - p.start, citation.end - p.start, shifted(p.start))
    text = article_text(citation.doc_id) if article_text else None
    if text and text[citation.start:citation.end] == citation.quote:
        lo = max(0, citation.start - CONTEXT_CHARS)
        hi = min(len(text), citation.end + CONTEXT_CHARS)
        body = highlighted(text[lo:hi], citation.start - lo, citation.end - lo, shifted(lo))
        return ("…" if lo else "") + body + ("…" if hi < len(text) else "")
    return f"<mark>{esc(citation.quote)}</mark>"


def meta_line(date: str | None, source: str | None, lang: str, prefix: str = "") -> str:
    """"date · source", saying so when the article does not give one; ``prefix`` before the date
    ("published") where another date stands beside it."""
    labels = LABELS.get(lang, LABELS["en"])
    shown = f"{prefix} {date}" if prefix and date else date or labels["no_date"]
    return f'<div class="cb-meta">{esc(shown)} · {esc(source or labels["no_source"])}</div>'


def render_sources(answer: Answer, turn: int, question: str, lang: str,
                   article_text: Callable[[str], str | None] | None = None) -> str:
    """The source cards of one answer (or, for a refusal, its closest passages, flagged as such)."""
    labels = LABELS.get(lang, LABELS["en"])
    parts = [f'<section class="cb-turn" data-turn="{turn}">',
             f'<div class="cb-question">{esc(labels["question"])} {turn} : {esc(question)}</div>'
             if lang == "fr" else
             f'<div class="cb-question">{esc(labels["question"])} {turn}: {esc(question)}</div>']
    if answer.refused:
        parts.append(f'<div class="cb-closest-label">&#9888; {esc(labels["closest"])}</div>')
        for p in answer.passages[:3]:
            parts.append(
                f'<article class="cb-card cb-closest"><div class="cb-title">{esc(p.title)}</div>'
                f'{meta_line(p.date, p.source, lang)}<div class="cb-passage">{esc(p.text)}</div></article>'
            )
    short = answer.short_answer
    for c in answer.citations:
        span = (short.start, short.end) if short is not None and short.n == c.n else None
        parts.append(
            f'<article class="cb-card" id="{card_id(turn, c.n)}"><div class="cb-title">'
            f'<span class="cb-n">[{c.n}]</span> {esc(c.title)}</div>{meta_line(c.date, c.source, lang)}'
            f'<div class="cb-passage">{citation_excerpt(c, answer.passages, article_text, span)}</div>'
            f'{dates_line(c, lang)}{translation_line(c, lang)}</article>'
        )
    parts.append("</section>")
    return "".join(parts)


def sources_panel(turns: list[str], lang: str) -> str:
    """All answers' source sections, newest first, or the empty-state hint."""
    if not turns:
        return f'<div class="cb-sources-empty">{esc(LABELS.get(lang, LABELS["en"])["no_sources"])}</div>'
    return '<div class="cb-sources">' + "".join(reversed(turns)) + "</div>"


def report_html(report: SyncReport, lang: str) -> str:
    """What an index change did, with each failed file and its reason."""
    words = ADMIN[lang]
    counts = report.counts()
    summary = ", ".join(f"{counts[k]} {words[k]}" for k in ("added", "updated", "unchanged", "removed", "failed"))
    items = "".join(f'<li class="cb-failed">{esc(f.get("path"))}: {esc(f.get("error"))}</li>' for f in report.failed)
    return f'<div class="cb-report">{esc(words["done"])} {esc(summary)}{f"<ul>{items}</ul>" if items else ""}</div>'


def problem_html(text: str) -> str:
    return f'<div class="cb-report cb-error">{esc(text)}</div>'


def notice_html(text: str) -> str:
    return f'<div class="cb-report">{esc(text)}</div>'
