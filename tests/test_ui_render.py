"""The chat page's HTML: what an article can never do to the page, and what a reader sees.

Fast, no model: answers and passages are built by hand, with the offsets the real answerer gives
(quotes are slices of the passage's article text).
"""

from __future__ import annotations

import re

from chatbot.schemas import Answer, Citation, Passage, SyncReport
from chatbot.web.render import (
    citation_excerpt,
    highlighted,
    link_markers,
    page_language,
    render_answer,
    render_sources,
    report_html,
    sources_panel,
)

ARTICLE = ("Intro sentence. Les soldats de l'ANL, dirigés par Khalifa Haftar, avancent. "
           "Le maréchal bénéficie du soutien égyptien, saoudien et émirati.")
EVIL = 'Le port <script>alert("x")</script> a rouvert <img src=x onerror=alert(1)> lundi.'


def passage(text: str = ARTICLE, start: int = 0, doc_id: str = "d1", title: str = "Haftar marche") -> Passage:
    return Passage(doc_id=doc_id, title=title, source="El Watan", date="2019-04-05", lang="fr",
                   chunk_id=f"{doc_id}:0000", start=start, end=start + len(text), text=text)


def citation(quote: str, n: int = 1, text: str = ARTICLE, doc_id: str = "d1", title: str = "Haftar marche") -> Citation:
    start = text.index(quote)
    return Citation(n=n, doc_id=doc_id, title=title, source="El Watan", date="2019-04-05",
                    start=start, end=start + len(quote), quote=quote)


def test_markers_become_links_to_their_source_cards_only_when_cited() -> None:
    html = link_markers("Réponse [1] et [2], pas [7].", turn=3, valid={1, 2})
    assert '<a class="cb-cite" href="#src-3-1">[1]</a>' in html
    assert 'href="#src-3-2"' in html
    assert "[7]" in html and "#src-3-7" not in html


def test_answer_bubble_escapes_article_text_and_keeps_links() -> None:
    quote = "Le port"
    answer = Answer(answer=f"« {EVIL} » [1]", citations=[citation(quote, text=EVIL)])
    html = render_answer(answer, turn=1, lang="fr")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="#src-1-1"' in html


def test_multi_line_answers_keep_their_line_breaks() -> None:
    html = render_answer(Answer(answer="Lead:\n“a” [1]\n“b” [2]"), turn=1, lang="en")
    assert html.count("<br>") == 2


def test_refusal_has_its_own_label_and_style_in_both_languages() -> None:
    refusal = Answer(answer="Les articles ne répondent pas.", refused=True)
    fr, en = render_answer(refusal, 1, "fr"), render_answer(refusal, 1, "en")
    assert 'class="cb-refusal"' in fr and "Pas dans les articles" in fr
    assert "Not in the articles" in en
    assert "cb-cite" not in fr


def test_quoted_span_is_highlighted_inside_its_passage() -> None:
    quote = "Le maréchal bénéficie du soutien égyptien, saoudien et émirati."
    html = citation_excerpt(citation(quote), [passage()])
    assert f"<mark>{quote}</mark>" in html.replace("&#x27;", "'")
    assert html.startswith("Intro sentence.")


def test_highlight_uses_offsets_relative_to_a_passage_that_starts_mid_article() -> None:
    full = "Préambule. " + ARTICLE
    chunk = passage(text=ARTICLE, start=len("Préambule. "))
    quote = "Les soldats de l'ANL, dirigés par Khalifa Haftar, avancent."
    html = citation_excerpt(citation(quote, text=full), [chunk])
    assert re.search(r"<mark>Les soldats de l&#x27;ANL, dirigés par Khalifa Haftar, avancent\.</mark>", html)


def test_highlight_escapes_inside_and_around_the_mark() -> None:
    html = highlighted(EVIL, EVIL.index("<script>"), EVIL.index("</script>") + len("</script>"))
    assert "<script>" not in html and "<img" not in html
    assert html.count("<mark>") == 1 and "&lt;script&gt;" in html


def test_quote_without_retrieved_passage_shows_article_context_or_the_quote_alone() -> None:
    quote = "Khalifa Haftar"
    with_context = citation_excerpt(citation(quote), [], article_text=lambda doc_id: ARTICLE)
    assert "<mark>Khalifa Haftar</mark>" in with_context and "Intro sentence." in with_context
    alone = citation_excerpt(citation(quote), [], article_text=lambda doc_id: None)
    assert alone == "<mark>Khalifa Haftar</mark>"


def test_source_card_shows_title_date_source_and_escapes_them() -> None:
    quote = "Le port"
    cit = citation(quote, text=EVIL, title='<img src=x onerror=alert(1)> titre')
    cit.source = "<b>Journal</b>"
    html = render_sources(Answer(answer="« Le port » [1]", citations=[cit]), 2, "Quoi <b>?", "fr")
    assert 'id="src-2-1"' in html
    assert "&lt;img src=x onerror=alert(1)&gt; titre" in html and "<img" not in html
    assert "2019-04-05" in html and "&lt;b&gt;Journal&lt;/b&gt;" in html
    assert "Quoi &lt;b&gt;?" in html


def test_missing_date_and_source_are_said_in_the_page_language() -> None:
    cit = citation("Khalifa Haftar")
    cit.date, cit.source = None, None
    html = render_sources(Answer(answer="x [1]", citations=[cit]), 1, "q", "en")
    assert "date unknown · source unknown" in html


def test_refusal_sources_are_flagged_as_closest_passages_not_an_answer() -> None:
    refusal = Answer(answer="No.", refused=True, passages=[passage(), passage(EVIL, doc_id="d2")])
    html = render_sources(refusal, 1, "Quel âge ?", "fr")
    assert "Passages les plus proches, pas une réponse confirmée" in html
    assert html.count('class="cb-card cb-closest"') == 2
    assert "<mark>" not in html and "<script>" not in html


def test_sources_panel_lists_newest_answer_first() -> None:
    html = sources_panel(["<section>first</section>", "<section>second</section>"], "en")
    assert html.index("second") < html.index("first")
    assert "will show here" in sources_panel([], "en")


def test_page_language_follows_the_browser_preference() -> None:
    assert page_language("fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert page_language("de-DE,en-US;q=0.8,fr;q=0.5") == "en"
    assert page_language("") == "en" and page_language(None) == "en"


def test_index_report_lists_each_failed_file_with_its_reason_escaped() -> None:
    report = SyncReport(added=["a"], failed=[{"path": "bad<1>.pdf", "error": "no text <found>"}])
    html = report_html(report, "en")
    assert "1 added" in html and "1 failed" in html
    assert "bad&lt;1&gt;.pdf: no text &lt;found&gt;" in html
    assert "1 ajoutés" in report_html(report, "fr")
