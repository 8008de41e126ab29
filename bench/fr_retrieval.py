"""Retrieval on a French corpus of short technical sections: each retriever alone, fused, and baselines.

Corpus and questions: :mod:`bench.fr_sections` (150 sections of the French Debian Reference, one
hand-written question per section, half ``tuning`` and half ``heldout``). A question is a hit@1
when the first passage comes from its section, a hit@5 when one of the first five does.

Rows: this project's dense ranking alone (Chroma nearest chunks), its BM25 alone, the fused
ranking ``/api/search`` returns; a plain ``bm25s`` index with PyStemmer's French stemmer and French
stop words over whole sections; and with ``--langchain`` the usual LangChain recipe (same
EmbeddingGemma weights in fp32, 500-character chunks, dense only).

    apt-get install -y debian-reference-fr
    python -m bench.fr_retrieval [--index-dir bench/data/index-frsections] [--langchain] [--json F]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import MODELS, header, load_embedder, service_for, setup_logging, table, to_articles, write_json
from bench.data import DATA_DIR
from bench.fr_sections import corpus, questions

log = logging.getLogger("bench.fr_retrieval")
Ranker = Callable[[str], list[str]]  # question -> doc_ids of the first passages, best first
SPLITS = ("tuning", "heldout")


def hits(ranker: Ranker, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """hit@1 and hit@5 counts of ``ranker`` over ``rows``, with the ids of the hit@5 misses."""
    h1 = h5 = 0
    missed = []
    for row in rows:
        found = ranker(row["question"])[:5]
        h1 += bool(found) and found[0] == row["section"]
        h5 += row["section"] in found
        if row["section"] not in found:
            missed.append(row["id"])
    return {"n": len(rows), "hit@1": h1, "hit@5": h5, "missed@5": missed}


def project_rankers(service: Any) -> dict[str, Ranker]:
    """This project's dense-only, BM25-only and fused rankings (doc_id per passage)."""
    retriever = service.retriever
    index = service.index
    embedder = service.embedder
    encode = embedder.embed_queries
    memo: dict[tuple[str, ...], Any] = {}

    def embed_queries(texts: list[str]) -> Any:  # each question encoded once for both dense rankings
        key = tuple(texts)
        if key not in memo:
            memo[key] = encode(texts)
        return memo[key]

    embedder.embed_queries = embed_queries

    def dense(question: str) -> list[str]:
        view = index.view()
        qvec = embed_queries([question])[0]
        return [hit.doc_id for hit in index.dense(view, qvec, 5)]

    def lexical(question: str) -> list[str]:
        view = index.view()
        found = view.lexical.search(question, 5)
        chunks = view.store.get_chunks([cid for cid, _ in found])
        return [chunks[cid].doc_id for cid, _ in found if cid in chunks]

    def fused(question: str) -> list[str]:
        return [p.doc_id for p in retriever.search(question, k=5).passages]

    index.refresh()
    return {"dense only (ours)": dense, "BM25 only (ours)": lexical, "fused (ours, /api/search)": fused}


def plain_bm25s(sections: list[dict[str, Any]]) -> Ranker:
    """bm25s over whole sections, French Snowball stems and French stop words, no other care."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("french")
    texts = [f"{s['title']}\n{s['text']}" for s in sections]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="fr", stemmer=stemmer, show_progress=False),
                    show_progress=False)
    ids = [s["id"] for s in sections]

    def rank(question: str) -> list[str]:
        tokens = bm25s.tokenize([question], stopwords="fr", stemmer=stemmer, show_progress=False)
        docs, _ = retriever.retrieve(tokens, k=5, show_progress=False)
        return [ids[int(d)] for d in docs[0]]

    return rank


def langchain_recipe(sections: list[dict[str, Any]], folder: Path) -> Ranker:
    """RecursiveCharacterTextSplitter(500, 50) + HuggingFaceEmbeddings (fp32) + Chroma, dense only."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs = [Document(s["text"], metadata={"doc_id": s["id"]}) for s in sections]
    chunks = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50).split_documents(docs)
    store = Chroma.from_documents(chunks, HuggingFaceEmbeddings(model=str(MODELS / "embeddinggemma-300m")),
                                  persist_directory=str(folder))
    return lambda q: [d.metadata["doc_id"] for d in store.similarity_search(q, k=5)]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=DATA_DIR / "index-frsections")
    parser.add_argument("--fresh", action="store_true", help="rebuild the index even when present")
    parser.add_argument("--langchain", action="store_true", help="also run the LangChain recipe (slow)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    sections = corpus()
    if args.fresh:
        shutil.rmtree(args.index_dir, ignore_errors=True)
    service = service_for(args.index_dir, load_embedder())
    if service.index.counts()[0] != len(sections):
        t0 = time.perf_counter()
        service.indexer.add_articles(to_articles(sections, "debian-reference-fr"))
        log.info("indexed %d sections in %.1f s", len(sections), time.perf_counter() - t0)
    langs = Counter(d.lang for d in service.documents())
    rankers = project_rankers(service)
    rankers["bm25s + French stemmer (plain)"] = plain_bm25s(sections)
    with tempfile.TemporaryDirectory(prefix="bench-lc-fr-") as tmp:
        if args.langchain:
            rankers["LangChain recipe (fp32, dense)"] = langchain_recipe(sections, Path(tmp))
        results = {name: {split: hits(rank, questions(split)) for split in SPLITS}
                   for name, rank in rankers.items()}
    n = {split: len(questions(split)) for split in SPLITS}
    print(header(f"French technical sections: {len(sections)} sections ({dict(langs)} as detected), "
                 f"{n['tuning']} tuning + {n['heldout']} held-out questions, k=5"))
    print(table(["ranking", "tuning hit@1", "tuning hit@5", "held-out hit@1", "held-out hit@5"],
                [[name, *(f"{r[s][k]}/{r[s]['n']}" for s in SPLITS for k in ("hit@1", "hit@5"))]
                 for name, r in results.items()]))
    out = {"sections": len(sections), "langs": dict(langs), "results": results}
    write_json(args.json, out)
    return out


if __name__ == "__main__":
    main()
