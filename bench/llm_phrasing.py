"""The LLM answerer (phrasing the extractive evidence) against the extractive answerer.

One index holds the seed article (or ``--index-dir`` names a built one, e.g. the seed among 300
news articles); each question of the evaluation files is asked through ``ChatService.ask`` with
each answerer, streaming, and judged by ``chatbot.evaluation.judge``. Reported per answerer and
file: answer and citation correctness, refusal accuracy, short answers, latency p50/p95, and the
time to the first streamed text (for the LLM: the short answer when there is one, else the model's
first token) and how often it fell back to the extractive answer. Translation is off here
(answers only); ``bench.translation_check`` measures translations.

    python -m bench.llm_phrasing [--questions F ...] [--index-dir DIR] [--limit N] [--every K]
                                 [--answerers extractive,llm] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import QUESTIONS, SEED, load_embedder, service_for, setup_logging, write_json
from chatbot.evaluation import article_texts, evidence_spans, judge, load_questions, summarize


def run(service: Any, questions: list[Any]) -> dict[str, Any]:
    rows, first_tokens, fallbacks = [], [], Counter()
    texts = article_texts(service)
    for q in questions:
        started = time.perf_counter()
        first: list[float] = []

        def on_event(kind: str, data: Any, first: list[float] = first, started: float = started) -> None:
            if kind == "delta" and not first:
                first.append(time.perf_counter() - started)

        answer = service.ask(q.question, q.history, on_event=on_event)
        if first:
            first_tokens.append(first[0])
        fallbacks[answer.fallback or ("refused" if answer.refused else answer.answerer)] += 1
        rows.append(judge(q, answer, evidence_spans(texts, q.evidence) if q.evidence else []))
        print(f"{q.id}: {answer.answerer}/{answer.fallback} {answer.timings_ms.get('total', 0) / 1000:.1f}s "
              f"{answer.answer[:140]!r}", flush=True)
    summary = summarize(rows)
    if first_tokens:
        summary["first_token_s_p50"] = round(statistics.median(first_tokens), 2)
        summary["first_token_s_max"] = round(max(first_tokens), 2)
    summary["outcomes"] = dict(fallbacks)
    return {"summary": summary, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N selected questions")
    parser.add_argument("--every", type=int, default=1, help="take one question in K (a spread subset)")
    parser.add_argument("--answerers", default="extractive,llm", help="comma-separated, in order")
    parser.add_argument("--questions", type=Path, nargs="+", default=[QUESTIONS], help="evaluation files")
    parser.add_argument("--index-dir", type=Path, default=None, help="a built index (default: the seed alone)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    setup_logging()
    embedder = load_embedder()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.answerers.split(","):
            service = service_for(args.index_dir or Path(tmp) / "index", embedder, answerer=name,
                                  translate=False, llm_timeout_s=120)
            if service.index.counts()[0] == 0:
                service.add_paths([SEED])
            service.prepare()
            for path in args.questions:
                questions = load_questions(path)[:: args.every]
                if args.limit:
                    questions = questions[: args.limit]
                result = results.setdefault(path.stem, {})[name] = run(service, questions)
                print(path.stem, name, json.dumps(result["summary"], ensure_ascii=False), flush=True)
    write_json(args.json, results)


if __name__ == "__main__":
    main()
