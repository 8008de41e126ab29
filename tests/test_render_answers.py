"""How the chat page lays out short answers and overviews (HTML only, no model): the short answer
in bold before its quote and in bold inside the highlighted source; a brief as a list; article
text escaped everywhere."""

from __future__ import annotations

from chatbot.schemas import Answer, Citation, Passage, ShortAnswer
from chatbot.web.render import render_answer, render_sources

TEXT = "Intro. Les soldats, dirigés par Khalifa <b>Haftar</b>, avancent. Fin."


def _citation(n: int, quote: str) -> Citation:
    start = TEXT.index(quote)
    return Citation(n=n, doc_id="d", title="T", start=start, end=start + len(quote), quote=quote)


def test_short_answer_is_bold_first_and_bold_in_its_source():
    quote = "Les soldats, dirigés par Khalifa <b>Haftar</b>, avancent."
    name = "Khalifa <b>Haftar</b>"
    start = TEXT.index(name)
    answer = Answer(answer=f"{name} [1]\nD'après les articles : « {quote} » [1]", citations=[_citation(1, quote)],
                    short_answer=ShortAnswer(text=name, n=1, start=start, end=start + len(name)), kind="short",
                    passages=[Passage(doc_id="d", title="T", chunk_id="c", start=0, end=len(TEXT), text=TEXT)])
    bubble = render_answer(answer, 1, "fr")
    assert bubble.startswith('<div class="cb-answer"><strong class="cb-short">Khalifa &lt;b&gt;Haftar&lt;/b&gt;</strong>')
    assert "<b>" not in bubble
    card = render_sources(answer, 1, "Qui ?", "fr")
    assert '<mark>Les soldats, dirigés par <strong class="cb-short">Khalifa &lt;b&gt;Haftar&lt;/b&gt;</strong>' in card


def test_overview_is_a_list_of_cited_sentences():
    quotes = ["Intro.", "Les soldats, dirigés par Khalifa <b>Haftar</b>, avancent.", "Fin."]
    lines = ["In brief, according to the articles:"] + [f"- “{q}” [{n}]" for n, q in enumerate(quotes, 1)]
    answer = Answer(answer="\n".join(lines), citations=[_citation(n, q) for n, q in enumerate(quotes, 1)],
                    kind="overview")
    html = render_answer(answer, 2, "en")
    assert html.count("<li>") == 3 and '<ul class="cb-brief">' in html
    assert '<a class="cb-cite" href="#src-2-3">[3]</a>' in html
    assert "&lt;b&gt;Haftar" in html and "<b>" not in html


def test_brief_order_follows_article_dates_newest_first_for_latest():
    from chatbot.answering.overview import Pick, ordered

    def pick(date: str | None, start: int) -> Pick:
        p = Passage(doc_id=f"d{date}", title="T", date=date, chunk_id="c", start=0, end=10, text="x")
        return Pick(p, start, start + 1, "x", 0.5, 0.5)

    picks = [pick("2017/3/2", 5), pick(None, 0), pick("2017/3/14", 9), pick("2017/3/14", 1)]
    assert [(p.passage.date, p.start) for p in ordered(picks, latest=False)] == \
        [("2017/3/2", 5), ("2017/3/14", 1), ("2017/3/14", 9), (None, 0)]
    assert [(p.passage.date, p.start) for p in ordered(picks, latest=True)] == \
        [("2017/3/14", 1), ("2017/3/14", 9), ("2017/3/2", 5), (None, 0)]
