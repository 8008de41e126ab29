"""The answer as the reader sees it: the short answer first, then the quoted sentences, each with its
citation, and the figures or holders (of a role, of a state) that differ by date or outlet given side
by side.

Shared by the extractive answerer (which picks the sentences) and the generative one (which opens
its answer with the same short line): one wording, from ``templates/extractive.toml``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chatbot.answering.event_dates import spelled_day
from chatbot.answering.figures import DatedFigure, disagreement
from chatbot.answering.overview import Pick
from chatbot.answering.question import analyse
from chatbot.answering.short_answer import CountsAfter, TitledPerson, short_answer
from chatbot.answering.statuses import StateHolders
from chatbot.retrieval.recency import wants_latest
from chatbot.schemas import Answer, Citation, Passage, ShortAnswer
from chatbot.text.language import question_language
from chatbot.text.words import squeeze

PHRASES = tomllib.loads((Path(__file__).parent / "templates" / "extractive.toml").read_text("utf-8"))


def refusal_text(lang: str, unmentioned: Sequence[str] = ()) -> str:
    """The refusal; ``unmentioned``: what the question names that the passages found never write,
    said to the reader (what to look for elsewhere, or whose spelling to check)."""
    phrases = PHRASES.get(lang, PHRASES["en"])
    if not unmentioned:
        return str(phrases["refusal"])
    listed = phrases["term_separator"].join(phrases["term"].format(term=t) for t in unmentioned)
    return str(phrases["refusal_unmentioned"]).format(terms=listed)


def overview_answer(picks: Sequence[Pick], latest: bool, lang: str, query: str, passages: list[Passage],
                    answerer: str) -> Answer:
    """A brief: one cited line per picked sentence (dated, newest first, when the latest is asked)."""
    phrases = PHRASES.get(lang, PHRASES["en"])
    lines = [phrases["overview_latest" if latest else "overview"]]
    citations = []
    for n, pick in enumerate(picks, start=1):
        p = pick.passage
        line = phrases["overview_item"].format(quote=pick.text, n=n)
        if latest:
            line = phrases["overview_dated_item"].format(date=p.date or phrases["no_date"], quote=pick.text, n=n)
        lines.append(line)
        citations.append(Citation(n=n, doc_id=p.doc_id, title=p.title, source=p.source, date=p.date,
                                  start=pick.start, end=pick.end, quote=pick.text, chunk_id=p.chunk_id))
    return Answer(answer="\n".join(lines), citations=citations, refused=False, query=query, kind="overview",
                  passages=passages, answerer=answerer, evidence_score=round(picks[0].topic_similarity, 4))


def short_line(short: ShortAnswer, lang: str) -> str:
    """The line an answer opens with: the short answer and its [n]; when it is also named in the
    reader's language (``ShortAnswer.rendered``), that name first and the verbatim span beside it."""
    phrases = PHRASES.get(lang, PHRASES["en"])
    if short.rendered:
        return phrases["short_rendered"].format(rendered=short.rendered, short=short.text, n=short.n)
    return phrases["short"].format(short=short.text, n=short.n)


@dataclass
class ScoredSentence:
    passage: Passage
    start: int  # offsets in the article's stored text
    end: int
    text: str
    similarity: float
    overlap: float
    score: float
    fits: bool = True  # holds the kind of answer asked for (a number, a day, an age...)
    context: bool = False  # quoted for what it tells of another quote (``referents.named_after``): no short answer


def compose(chosen: list[ScoredSentence], query: str, passages: list[Passage], lang: str,
            question: str | None = None, answerer: str = "extractive", counts: CountsAfter | None = None,
            titled: TitledPerson | None = None, holders: StateHolders | None = None) -> Answer:
    """The answer: the short answer first when the question asks for one and a cited sentence
    holds it (see chatbot.answering.short_answer; ``counts`` and ``titled`` as there), then the quotes.
    ``holders``: reads who the quotes say holds the role or state asked (chatbot.answering.statuses)."""
    phrases = PHRASES.get(lang, PHRASES["en"])
    chosen, also = _once(chosen)
    latest = bool(question) and wants_latest(question)
    short = None
    holding = holders.holding(question, question_language(question)) if question and holders is not None else None
    # for the latest state the newest quote, first (event_dates.newest_first), gives it if it can
    for quotes in ([chosen[:1], chosen] if latest else [chosen] if question else []):
        short = short_answer(question, question_language(question),
                             [(n, c.text, c.passage.lang, c.start) for n, c in enumerate(quotes, start=1)
                              if not c.context],
                             context=query if query.strip() != question.strip() else "", counts=counts,
                             titled=titled, holding=holding)
        if short is not None:
            break
    if short is not None and short.n > 1:  # the quote holding the short answer is read first, as [1]
        chosen = [chosen[short.n - 1], *chosen[:short.n - 1], *chosen[short.n:]]
        short = short.model_copy(update={"n": 1})
    if short is not None and short.rendered is None:  # "Tuesday": which Tuesday (event_dates)
        first = chosen[0]
        day = spelled_day(short.text, first.text, short.start - first.start, first.passage, lang)
        short = short.model_copy(update={"rendered": day}) if day else short
    quote_langs = {c.passage.lang for c in chosen}
    note = ""
    if quote_langs and quote_langs != {lang}:
        names = [phrases["languages"].get(q, q) for q in sorted(quote_langs)]
        note = phrases["lang_note"].format(language=", ".join(names))
    lines = [phrases["lead"].format(lang_note=note)]
    citations = []
    for n, c in enumerate(chosen, start=1):
        lines.append(phrases["quote"].format(quote=c.text, n=n))
        citations.append(Citation(
            n=n, doc_id=c.passage.doc_id, title=c.passage.title, source=c.passage.source,
            date=c.passage.date, start=c.start, end=c.end, quote=c.text,
            chunk_id=c.passage.chunk_id, also_in=also.get(squeeze(c.text), []),
        ))
    separator = " " if len(chosen) == 1 else "\n"
    text = separator.join(lines)
    asked = analyse(question) if question else None
    figures = disagreement(question, question_language(question), chosen) \
        if question and asked and (asked.count_of or asked.number) else []
    held = holders.disagreement(question, question_language(question), chosen) \
        if question and holders is not None and not figures else []
    # figures, or holders of a role or state, that differ by day or outlet: each is given, none
    # picked silently, but the newest is what "the latest toll" or "who controls it now" asks for
    dated = [(f.figure, f.date, f.source, f.index) for f in figures] or \
        [(h.holder, h.date, h.source, h.index) for h in held]
    if dated:
        items = "; ".join(phrases["figure_item"].format(
            figure=said, date=date or phrases["no_date"], source=source or phrases["no_source"], n=index + 1)
            for said, date, source, index in dated)
        text = phrases[_figures_line(figures) if figures else "holders"].format(items=items) + "\n" + text
        if not latest:
            short = None
    if short is not None:
        text = short_line(short, lang) + "\n" + text
    return Answer(answer=text, citations=citations, refused=False, query=query, short_answer=short,
                  kind="short" if short else "quote", passages=passages, answerer=answerer)


def _figures_line(figures: list[DatedFigure]) -> str:
    """The line's wording: one outlet's figure on days each its own is a figure that changed (a toll
    that rose), not articles that disagree."""
    dates = [f.date for f in figures]
    one_outlet = len({f.source for f in figures}) == 1 and figures[0].source is not None
    return "figures_over_time" if one_outlet and None not in dates and len(set(dates)) == len(dates) else "figures"


def _once(chosen: list[ScoredSentence]) -> tuple[list[ScoredSentence], dict[str, list[dict[str, str | None]]]]:
    """The quotes with a sentence printed word for word by several articles (a wire story's lead in
    two outlets that differ further on, so not linked as near-copies) quoted once; the other
    articles, by quote, for the citation's ``also_in``."""
    kept: list[ScoredSentence] = []
    also: dict[str, list[dict[str, str | None]]] = {}
    for c in chosen:
        key = squeeze(c.text)
        first = next((k for k in kept if squeeze(k.text) == key), None)
        if first is None:
            kept.append(c)
        elif first.passage.doc_id != c.passage.doc_id:
            also.setdefault(key, []).append({"doc_id": c.passage.doc_id, "source": c.passage.source,
                                             "date": c.passage.date})
    return kept, also
