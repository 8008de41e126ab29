"""Where and when a cited sentence was published: date, outlet and the copies that carry it.

Citations are built by different answerers from passages; the article record is the one authority
on its date and outlet, so they are filled from it after verification. A citation of an article
with near-copies (chatbot.store.copies) lists in ``also_in`` the copies whose stored text carries
the same quote, so a reader sees that the sentence appeared in several outlets without the answer
repeating it. Relative dates of the quote ("hier", "last week") are resolved here too, from the
article's publication date (chatbot.answering.relative_dates).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatbot.answering.relative_dates import resolve
from chatbot.schemas import Answer, Citation
from chatbot.text.words import squeeze

PHRASES = tomllib.loads((Path(__file__).parent / "templates" / "news.toml").read_text("utf-8"))
ArticleLookup = Callable[[str], tuple[dict[str, Any], str] | None]


def annotate(citations: list[Citation], lookup: ArticleLookup) -> list[Citation]:
    """The citations with date, source and ``also_in`` taken from the stored articles."""
    out = []
    for citation in citations:
        found = lookup(citation.doc_id)
        if found is None:
            out.append(citation)
            continue
        meta, _ = found
        also_in = list(citation.also_in)  # articles the answerer found printing the same sentence
        quote = squeeze(citation.quote)
        for other in [d for d in str(meta.get("copies") or "").split(",") if d]:
            copy = lookup(other)
            if copy is not None and quote and quote in squeeze(copy[1]) and \
                    all(a.get("doc_id") != other for a in also_in):
                also_in.append({"doc_id": other, "source": copy[0].get("source"), "date": copy[0].get("date")})
        date = meta.get("date") or None
        out.append(citation.model_copy(update={
            "date": date, "source": meta.get("source") or None, "also_in": also_in,
            "dates": resolve(citation.quote, date, str(meta.get("lang") or "und"))}))
    return out


def outlet_only(answer: Answer, lang: str, outlets: tuple[str, ...]) -> Answer:
    """A refusal over the outlets a question names, saying that only their articles were read."""
    phrases = PHRASES.get(lang, PHRASES["en"])
    line = phrases["outlet_only"].format(outlets=", ".join(outlets))
    return answer.model_copy(update={"answer": f"{line}\n{answer.answer}"})


def no_match(query: str, lang: str, description: str) -> Answer:
    """The refusal given when no article passes the question's filter."""
    phrases = PHRASES.get(lang, PHRASES["en"])
    return Answer(answer=phrases["no_match"].format(filter=description), refused=True, query=query,
                  answerer="filter")
