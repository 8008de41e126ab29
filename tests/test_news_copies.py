"""Near-copies found with MinHash LSH: the two oil-port reports of 14 March 2017 are linked, other
articles are not, and a later batch finds its copies through the signatures stored with the records."""

from __future__ import annotations

import json
from pathlib import Path

from chatbot.ingest.loaders import article_from_mapping
from chatbot.schemas import Article
from chatbot.store.copies import link_copies

FIXTURE = Path(__file__).parent / "data" / "news_libya.jsonl"
OIL_PORTS = ("news-2389", "news-2395")


def fixture_articles() -> list[Article]:
    lines = FIXTURE.read_text("utf-8").splitlines()
    return [article_from_mapping(json.loads(line), f"{FIXTURE.name} line {i}") for i, line in enumerate(lines, 1)]


def record(article: Article) -> dict:
    """The manifest record fields the detector reads back."""
    return {"minhash": article.fingerprint, "copies": ",".join(article.copies) or None}


def test_the_two_oil_port_reports_are_linked_and_nothing_else():
    articles = fixture_articles()
    changed = link_copies(articles, {})
    assert changed == {}
    links = {a.doc_id: a.copies for a in articles if a.copies}
    assert links == {"news-2389": ["news-2395"], "news-2395": ["news-2389"]}


def test_a_later_batch_is_linked_to_stored_articles_both_ways():
    articles = fixture_articles()
    first = [a for a in articles if a.doc_id != "news-2395"]
    assert link_copies(first, {}) == {}
    manifest = {a.doc_id: record(a) for a in first}
    (late,) = [a for a in articles if a.doc_id == "news-2395"]
    changed = link_copies([late], manifest)
    assert late.copies == ["news-2389"]
    assert changed == {"news-2389": ["news-2395"]}  # the stored record gains the link too


def test_a_rewritten_article_that_is_no_longer_a_copy_loses_its_links():
    articles = fixture_articles()
    link_copies(articles, {})
    manifest = {a.doc_id: record(a) for a in articles}
    rewritten = article_from_mapping({"id": "news-2395", "title": "Other story", "date": "2017-03-15",
                                      "text": "A completely different report about the weather in Tripoli, "
                                              "where rain fell for the third day and schools stayed shut."}, "x")
    changed = link_copies([rewritten], manifest, replaced=["news-2395"])
    assert rewritten.copies == []
    assert changed == {"news-2389": []}
