"""The one citation check every answer goes through before anyone sees it.

Rules: a quote is valid only if it is exactly the article's stored text at ``start:end`` (a quote
that is verbatim but at wrong offsets is re-anchored to where it really is); a ``[n]`` marker must
point to a valid citation, otherwise it is removed; citations nobody refers to are dropped; the
survivors are renumbered 1..k in order of first mention.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from chatbot.schemas import Citation, ShortAnswer

MARKER = re.compile(r"\s?\[(\d{1,3})\]")
TextLookup = Callable[[str], str | None]


def anchor(citation: Citation, text: str | None) -> Citation | None:
    """The citation with offsets that slice ``text`` to its quote, or None if it is not verbatim."""
    if text is None or not citation.quote.strip():
        return None
    if 0 <= citation.start < citation.end <= len(text) and text[citation.start:citation.end] == citation.quote:
        return citation
    found = text.find(citation.quote)
    if found < 0:
        return None
    return citation.model_copy(update={"start": found, "end": found + len(citation.quote)})


def verify_citations(answer: str, citations: list[Citation], lookup: TextLookup) -> tuple[str, list[Citation]]:
    """(answer with only supported markers, the verified citations renumbered in order)."""
    valid: dict[int, Citation] = {}
    for citation in citations:
        anchored = anchor(citation, lookup(citation.doc_id))
        if anchored is not None and citation.n not in valid:
            valid[citation.n] = anchored
    renumber: dict[int, int] = {}
    for match in MARKER.finditer(answer):
        n = int(match.group(1))
        if n in valid and n not in renumber:
            renumber[n] = len(renumber) + 1

    def rewrite(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in renumber:
            return ""
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return f"{lead}[{renumber[n]}]"

    cleaned = MARKER.sub(rewrite, answer)
    cleaned = re.sub(r"(\[\d+\])(\1)+", r"\1", cleaned)  # "[1][1]" -> "[1]"
    kept = sorted(
        (valid[old].model_copy(update={"n": new}) for old, new in renumber.items()),
        key=lambda c: c.n,
    )
    return cleaned.strip(), kept


def markers(answer: str) -> list[int]:
    """The citation numbers an answer refers to, in order of appearance."""
    return [int(m.group(1)) for m in MARKER.finditer(answer)]


def verify_short_answer(short: ShortAnswer | None, kept: list[Citation], lookup: TextLookup) -> ShortAnswer | None:
    """The short answer if it is the article's text at its offsets, inside a verified quote of the
    same article (renumbered to that citation); None otherwise.

    Each item of a list must hold too; a short answer at wrong offsets is re-anchored inside the
    quote, like a quote is in its article.
    """
    if short is None or not short.text.strip():
        return None
    for citation in kept:
        text = lookup(citation.doc_id)
        if text is None:
            continue
        start, end = short.start, short.end
        if text[start:end] != short.text or not (citation.start <= start and end <= citation.end):
            found = citation.quote.find(short.text)
            if found < 0:
                continue
            start, end = citation.start + found, citation.start + found + len(short.text)
        if not all(text[i.start:i.end] == i.text and start <= i.start and i.end <= end for i in short.items):
            continue
        return short.model_copy(update={"n": citation.n, "start": start, "end": end})
    return None


def opens_with(text: str, short: ShortAnswer) -> bool:
    """Whether ``text`` opens with ``short``'s line: its verbatim span, or its rendering in the
    reader's language followed by the span on the same line."""
    first = text.split("\n", 1)[0]
    if short.rendered and first.startswith(short.rendered):
        return short.text in first
    return first.startswith(short.text)
