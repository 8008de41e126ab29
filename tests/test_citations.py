"""The citation verifier on its own: what survives is always verbatim and numbered 1..k."""

from __future__ import annotations

from chatbot.answering.citations import markers, verify_citations
from chatbot.schemas import Citation

ARTICLE = "Le maréchal avance vers Tripoli. Il bénéficie du soutien égyptien. Une conférence est prévue."
TEXTS = {"doc": ARTICLE}


def cite(n: int, quote: str, start: int | None = None, doc: str = "doc") -> Citation:
    begin = ARTICLE.find(quote) if start is None else start
    return Citation(n=n, doc_id=doc, title="T", start=begin, end=begin + len(quote), quote=quote)


def test_valid_citations_are_kept():
    text, kept = verify_citations("Il avance [1] et il est soutenu [2].",
                                  [cite(1, "Le maréchal avance vers Tripoli."),
                                   cite(2, "Il bénéficie du soutien égyptien.")], TEXTS.get)
    assert text == "Il avance [1] et il est soutenu [2]."
    assert [c.n for c in kept] == [1, 2]
    assert all(ARTICLE[c.start:c.end] == c.quote for c in kept)


def test_marker_without_citation_is_removed():
    text, kept = verify_citations("Il avance [1]. Il a 75 ans [7].", [cite(1, "Le maréchal avance vers Tripoli.")],
                                  TEXTS.get)
    assert text == "Il avance [1]. Il a 75 ans."
    assert markers(text) == [1]


def test_quote_that_is_not_verbatim_is_dropped_with_its_marker():
    invented = Citation(n=1, doc_id="doc", title="T", start=0, end=20, quote="Le maréchal a 75 ans.")
    text, kept = verify_citations("Il a 75 ans [1].", [invented], TEXTS.get)
    assert kept == [] and "[1]" not in text


def test_verbatim_quote_at_wrong_offsets_is_reanchored():
    quote = "Une conférence est prévue."
    text, kept = verify_citations("Une conférence [1].", [cite(1, quote, start=3)], TEXTS.get)
    assert kept[0].start == ARTICLE.index(quote)
    assert ARTICLE[kept[0].start:kept[0].end] == quote


def test_unknown_document_is_rejected():
    text, kept = verify_citations("Vrai [1].", [cite(1, "Le maréchal avance vers Tripoli.", doc="gone")], TEXTS.get)
    assert kept == [] and text == "Vrai."


def test_renumbering_follows_first_mention_and_drops_unused():
    citations = [cite(1, "Le maréchal avance vers Tripoli."), cite(2, "Il bénéficie du soutien égyptien."),
                 cite(3, "Une conférence est prévue.")]
    text, kept = verify_citations("Soutenu [2], en marche [2][1].", citations, TEXTS.get)
    assert text == "Soutenu [1], en marche [1][2]."
    assert [(c.n, c.quote) for c in kept] == [(1, "Il bénéficie du soutien égyptien."),
                                              (2, "Le maréchal avance vers Tripoli.")]
