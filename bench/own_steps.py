"""A search's own work, without encoding the question, with and without the filters of bench.filtered.

On a shared machine the encoder's time varies several-fold with the load (BENCHMARKS.md 23a), and
it dominates a search, so two versions of the retrieval code are compared here with the question
vectors computed once beforehand: per case, the median CPU time and wall time of a search and the
medians of the steps of ``Retrieval.timings_ms``, over ``--rounds`` passes of the first
``--questions`` evaluation questions after one warm pass. Also written: the top-5 chunk ids per
question, so that two versions' results can be compared.

    python -m bench.own_steps --index-dir /work/runs/index-synth100k --json own.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import QUESTIONS, load_embedder, seed_article, service_for, setup_logging
from bench.filtered import filter_cases
from chatbot.evaluation import load_questions
from chatbot.retrieval.filters import Filters

log = logging.getLogger("bench.own_steps")


class KnownVectors:
    """The embedder, answering the benchmark's questions from vectors computed beforehand."""

    def __init__(self, embedder: Any, questions: list[str]) -> None:
        self._embedder = embedder
        self._known = dict(zip(questions, embedder.embed_queries(questions), strict=True))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._known[t] if t in self._known else self._embedder.embed_queries([t])[0]
                         for t in texts])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    embedder = load_embedder()
    service = service_for(args.index_dir, embedder)
    questions = [q.question for q in load_questions(QUESTIONS)][:args.questions]
    service.retriever.embedder = KnownVectors(embedder, questions)
    documents = [{"doc_id": d.doc_id, "date": d.date, "source": d.source} for d in service.index.documents()]
    cases = [("no filter", {}), *filter_cases(documents, seed_article().doc_id)[:3]]
    out: dict[str, Any] = {"load_average": os.getloadavg(), "cases": {}}
    for label, fields in cases:
        filters = Filters.parse(**fields) if fields else None
        for question in questions:
            service.search_scoped(question, 5, filters)
        walls, cpus, steps, tops = [], [], [], []
        for _ in range(args.rounds):
            for question in questions:
                wall, cpu = time.perf_counter(), time.process_time()
                found = service.search_scoped(question, 5, filters)
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                steps.append(found.timings_ms)
                tops.append([p.chunk_id for p in found.passages])
        row = {"wall_ms": round(statistics.median(walls), 1), "cpu_ms": round(statistics.median(cpus), 1),
               **{k: round(statistics.median([s[k] for s in steps]), 1) for k in steps[0] if k != "embed_query"}}
        out["cases"][label] = {**row, "top5": tops[:len(questions)]}
        print(label, row, flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
