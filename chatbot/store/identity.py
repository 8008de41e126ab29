"""Which stored article an incoming one is: the same (unchanged), a new version, new, or a conflict.

Identity is the content: an article's doc_id is its text's hash unless its source gave one. An
incoming article replaces a stored one only when it comes from the same source (the same
``origin``: a file path, ``upload:<name>``, ``api:<doc_id>``) and the caller allows replacing:
``index add`` of an edited file does, an upload does only when asked to. Two unrelated uploads that
happen to share a file name are two articles; a doc_id that already names another article's text,
without a replace from that article's own source, is refused as a conflict and nothing changes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chatbot.ingest.metadata import DateError, normalize_date
from chatbot.schemas import Article, SyncReport
from chatbot.store.chroma import IndexStore

CONFLICT = "conflict"  # the ``code`` of a failure entry that a replace would be needed for


def stored_records(store: IndexStore, articles: list[Article]) -> dict[str, dict[str, Any]]:
    """Manifest records that ``articles`` may concern: the same doc_ids, or the same origins."""
    return store.records([a.doc_id for a in articles], sorted({a.origin for a in articles if a.origin}))


def _conflict(article: Article, old: dict[str, Any], replace: bool) -> dict[str, str]:
    where = article.origin or article.doc_id
    if where.startswith("upload:"):
        where = where[len("upload:"):]
    why = ("it comes from another source" if replace
           else "replacing it needs replace=true, from the same source")
    return {"path": where, "code": CONFLICT,
            "error": f"doc_id '{article.doc_id}' already names another article "
                     f"('{old.get('title', article.doc_id)}'); it was kept, since {why}"}


def plan_articles(articles: list[Article], records: dict[str, dict[str, Any]], report: SyncReport,
                  replace: bool, trusted: bool = False) -> list[tuple[Article, list[str]]]:
    """(article, doc_ids it replaces) for each article to write; outcomes go to ``report``.

    ``records``: the stored manifest records of these doc_ids and origins (at least).
    ``trusted``: a doc_id replaces its stored version whatever its origin (a rebuild copying the
    index it replaces).
    """
    by_origin: dict[str, list[str]] = defaultdict(list)
    for doc_id, meta in records.items():
        if meta.get("origin"):
            by_origin[str(meta["origin"])].append(doc_id)
    plan: list[tuple[Article, list[str]]] = []
    for article in articles:
        old = records.get(article.doc_id)
        if old and old.get("sha256") == article.sha256:
            report.unchanged.append(article.doc_id)
            continue
        replaced: list[str] = []
        if old:
            if not (trusted or (replace and old.get("origin") == article.origin)):
                report.failed.append(_conflict(article, old, replace))
                continue
            replaced.append(article.doc_id)
        if replace and article.origin:
            replaced += [d for d in sorted(by_origin.get(article.origin, [])) if d != article.doc_id]
        plan.append((article, replaced))
        (report.updated if replaced else report.added).append(article.doc_id)
    return plan


def stored_article(doc_id: str, meta: dict, text: str) -> Article:
    """An article as stored; a date from before dates were normalised is normalised now."""
    try:
        date = normalize_date(meta.get("date"))
    except DateError:
        date = None
    return Article(
        doc_id=doc_id, title=str(meta.get("title", doc_id)), text=text,
        sha256=str(meta.get("sha256", "")), date=date, source=meta.get("source"),
        url=meta.get("url"), lang=str(meta.get("lang", "und")), origin=meta.get("origin"),
        author=meta.get("author"),
    )
