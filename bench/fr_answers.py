"""Answers on a French corpus of short technical sections: what is answered, what is refused.

The corpus and its answerable questions are those of :mod:`bench.fr_sections` (150 sections of the
French Debian Reference, one question per section); the unanswerable ones ask about the corpus's
topics something no section says (a tool it never names, a figure it never gives). Each question is
asked through ``ChatService.ask`` as ``POST /api/ask`` would, on the same index as
``bench.fr_retrieval``.

For an answerable question: answered (not refused), and answered citing its own section; a refusal
there is a false refusal. For an unanswerable one: refused. Both splits are reported; only the
tuning split may be looked at when changing the answerer.

    apt-get install -y debian-reference-fr
    python -m bench.fr_answers [--index-dir bench/data/index-frsections] [--json F] [--rows]
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any

from bench.common import header, load_embedder, service_for, setup_logging, table, to_articles, write_json
from bench.data import DATA_DIR
from bench.fr_sections import corpus, questions, unanswerable

log = logging.getLogger("bench.fr_answers")
SPLITS = ("tuning", "heldout")


def ask_all(service: Any, split: str) -> dict[str, Any]:
    """Every question of ``split``, answerable and not, with its verdicts and the counts."""
    rows = []
    for q in questions(split):
        answer = service.ask(q["question"])
        cited = {c.doc_id for c in answer.citations}
        rows.append({"id": q["id"], "answerable": True, "refused": answer.refused,
                     "cited_section": not answer.refused and q["section"] in cited,
                     "score": answer.evidence_score, "question": q["question"]})
    for q in unanswerable(split):
        answer = service.ask(q["question"])
        rows.append({"id": q["id"], "answerable": False, "refused": answer.refused,
                     "score": answer.evidence_score, "question": q["question"],
                     "quoted": "" if answer.refused else answer.answer[:160]})
    answerable = [r for r in rows if r["answerable"]]
    others = [r for r in rows if not r["answerable"]]
    counts = {"answerable": len(answerable),
              "answered": sum(not r["refused"] for r in answerable),
              "cited its section": sum(r["cited_section"] for r in answerable),
              "false refusals": sum(r["refused"] for r in answerable),
              "unanswerable": len(others),
              "refused": sum(r["refused"] for r in others)}
    return {"counts": counts, "rows": rows}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=DATA_DIR / "index-frsections")
    parser.add_argument("--split", choices=SPLITS, action="append", help="only this split (repeatable)")
    parser.add_argument("--rows", action="store_true", help="print the unanswerable questions answered")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    sections = corpus()
    service = service_for(args.index_dir, load_embedder())
    if service.index.counts()[0] != len(sections):
        t0 = time.perf_counter()
        service.indexer.add_articles(to_articles(sections, "debian-reference-fr"))
        log.info("indexed %d sections in %.1f s", len(sections), time.perf_counter() - t0)
    results = {split: ask_all(service, split) for split in (args.split or SPLITS)}
    print(header(f"French technical sections: answers and refusals ({len(sections)} sections)"))
    keys = ["answered", "cited its section", "false refusals", "refused"]
    print(table(["split", "answerable answered", "cited its section", "false refusals", "unanswerable refused"],
                [[split, *(f"{r['counts'][k]}/{r['counts']['unanswerable' if k == 'refused' else 'answerable']}"
                           for k in keys)] for split, r in results.items()]))
    if args.rows:
        for split, r in results.items():
            for row in r["rows"]:
                if not row["answerable"] and not row["refused"]:
                    print(f"{split} {row['id']} {row['score']:.3f} {row['question']}\n    {row['quoted']}")
    write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
