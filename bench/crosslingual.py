"""Cross-lingual retrieval on the parallax-bench smoke set (EU law texts in cs/de/en).

Each document language gets its own index (the same act in three languages in one index would let
a query match its own language's copy and hide cross-lingual failures). Documents are chunked and
embedded by the project's pipeline; each of the 60 queries (cs/de/en) goes through
``ChatService.search(k=10)`` on every index, passages are mapped back to their act (CELEX number)
and document-level hit@1, hit@5 and MRR@10 are computed against the TREC qrels.

    python -m bench.crosslingual [--doc-langs en,de,cs] [--max-chars 0] [--max-act-chars 0]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import header, load_embedder, service_for, setup_logging, table
from bench.data import parallax_smoke
from chatbot.ingest.loaders import article_from_mapping

log = logging.getLogger("bench.crosslingual")
K = 10


def doc_title(text: str) -> str:
    """The act's title: the first long line after the EUR-Lex banner."""
    for line in text.splitlines():
        line = line.strip()
        if len(line) > 60 and "EUR-Lex" not in line:
            return line[:200]
    return text.strip().splitlines()[0][:200]


def doc_ranking(passages: list[Any]) -> list[str]:
    """Acts in the order their first passage appears (passage doc_id is ``CELEX-lang``)."""
    ranking: list[str] = []
    for passage in passages:
        celex = passage.doc_id.rsplit("-", 1)[0]
        if celex not in ranking:
            ranking.append(celex)
    return ranking


def score(ranking: list[str], relevant: set[str]) -> dict[str, float]:
    """hit@1, hit@5 and reciprocal rank (0 beyond the list) of one query."""
    rank = next((i for i, celex in enumerate(ranking) if celex in relevant), None)
    return {"hit1": float(rank == 0), "hit5": float(rank is not None and rank < 5),
            "rr": 0.0 if rank is None else 1.0 / (rank + 1)}


def mean(rows: list[dict[str, float]], key: str) -> float:
    return round(100.0 * sum(r[key] for r in rows) / len(rows), 1) if rows else 0.0


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc-langs", default="en,de,cs", help="document languages to index, in order")
    parser.add_argument("--max-chars", type=int, default=0, help="truncate each document (0: whole)")
    parser.add_argument("--max-act-chars", type=int, default=0,
                        help="keep only acts whose every language version is this short, and their queries")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    smoke = parallax_smoke()
    if args.max_act_chars:
        too_long = {d["celex"] for d in smoke["docs"] if len(d["text"]) > args.max_act_chars}
        smoke["docs"] = [d for d in smoke["docs"] if d["celex"] not in too_long]
        smoke["queries"] = [q for q in smoke["queries"] if q["source_celex"] not in too_long]
        log.info("kept %d acts and %d queries", len({d["celex"] for d in smoke["docs"]}), len(smoke["queries"]))
    embedder = load_embedder()
    results: list[dict[str, Any]] = []  # one row per (query, document language)
    index_stats: dict[str, str] = {}
    for dlang in args.doc_langs.split(","):
        docs = [d for d in smoke["docs"] if d["lang"] == dlang]
        articles = [article_from_mapping({
            "id": f"{d['celex']}-{dlang}", "title": doc_title(d["text"]), "lang": dlang,
            "text": d["text"][:args.max_chars] if args.max_chars else d["text"]}, "parallax") for d in docs]
        with tempfile.TemporaryDirectory(prefix=f"bench-xl-{dlang}-") as tmp:
            service = service_for(Path(tmp), embedder)
            t0 = time.perf_counter()
            report = service.indexer.add_articles(articles)
            seconds = time.perf_counter() - t0
            index_stats[dlang] = f"{len(articles)} docs, {report.chunks_embedded} chunks, {seconds:.0f} s"
            log.info("%s: %s", dlang, index_stats[dlang])
            for query in smoke["queries"]:
                passages = service.search(query["text"], k=K)
                row = score(doc_ranking(passages), smoke["qrels"].get(query["query_id"], set()))
                results.append({"query_id": query["query_id"], "qlang": query["lang"], "dlang": dlang, **row})
            log.info("%s: %d queries done", dlang, len(smoke["queries"]))

    print(header("cross-lingual document retrieval, parallax-bench smoke set (ChatService.search, k=10)"))
    print("indexes: " + "; ".join(f"{k}: {v}" for k, v in index_stats.items())
          + (f" (documents truncated to {args.max_chars} chars)" if args.max_chars else "")
          + (f" (only acts of at most {args.max_act_chars} chars in every language)" if args.max_act_chars else ""))
    qlangs = sorted({r["qlang"] for r in results})
    dlangs = list(index_stats)
    rows = []
    for qlang in qlangs:
        for dlang in dlangs:
            sub = [r for r in results if r["qlang"] == qlang and r["dlang"] == dlang]
            tag = "same" if qlang == dlang else "cross"
            rows.append([f"{qlang} -> {dlang} ({tag})", len(sub), mean(sub, "hit1"), mean(sub, "hit5"),
                         round(mean(sub, "rr") / 100, 3)])
    for qlang in qlangs:
        sub = [r for r in results if r["qlang"] == qlang]
        rows.append([f"{qlang} -> all", len(sub), mean(sub, "hit1"), mean(sub, "hit5"), round(mean(sub, "rr") / 100, 3)])
    for tag, same in (("same-language", True), ("cross-language", False)):
        sub = [r for r in results if (r["qlang"] == r["dlang"]) == same]
        rows.append([tag, len(sub), mean(sub, "hit1"), mean(sub, "hit5"), round(mean(sub, "rr") / 100, 3)])
    print(table(["query -> documents", "n", "hit@1 %", "hit@5 %", "MRR@10"], rows))
    out = {"index": index_stats, "rows": results}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
