"""What one small upload costs the lexical index, and what a query costs, on an existing index.

Before, every commit (an upload, an edit, a removal) rebuilt BM25 from every chunk in Chroma: read
every chunk, tokenise and stem it, index it with bm25s. Now a commit reads only the articles whose
manifest record changed and adds them as a new segment (chatbot.store.bm25_segments). This script
times, on the index given:

* the whole rebuild, split into its parts (reading every chunk, tokenising, bm25s indexing);
* the update after one small article, as a commit does it (the manifest read included);
* the query, bm25s's scorer against the segments (one segment, and the same corpus in several),
  over the evaluation questions.

    python -m bench.lexical_updates --index-dir bench/data/index-news300
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from bench.common import QUESTIONS, header, setup_logging, table
from chatbot.evaluation import load_questions
from chatbot.store.lexical import ChunkText, LexicalIndex, query_tokens
from chatbot.store.live_index import ArticleIndex, chunk_texts, fingerprint


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def whole_rebuild(index: ArticleIndex) -> tuple[dict[str, float], LexicalIndex, list, list[ChunkText]]:
    """The old commit: every chunk read, tokenised and indexed (bm25s), each part timed."""
    import bm25s

    t0 = time.perf_counter()
    manifest = index.store.manifest()
    rows = list(index.store.iter_chunks())
    t1 = time.perf_counter()
    chunks = chunk_texts(rows, set(manifest))
    fps = {d: fingerprint(r) for d, r in manifest.items()}
    built = LexicalIndex.from_chunks(chunks, "bench", fps)
    t2 = time.perf_counter()
    segment = built.segments[0]
    tokens = segment.row_tokens(built.vocab)
    t3 = time.perf_counter()
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index(tokens, show_progress=False)
    t4 = time.perf_counter()
    return ({"read every chunk": t1 - t0, "tokenise + segment": t2 - t1, "bm25s index": t4 - t3},
            built, [reference, segment], chunks)


def small_updates(index: ArticleIndex, built: LexicalIndex, count: int) -> list[float]:
    """Seconds to bring the index up to date after one small article, as a commit does."""
    manifest = index.store.manifest()
    small = sorted((d for d, r in manifest.items() if 0 < int(r.get("chunks", 0)) <= 3))[:count]
    times = []
    for doc_id in small:
        base = built.updated("before", {doc_id}, [], {})
        if base is None:
            continue
        t0 = time.perf_counter()
        after = ArticleIndex.derive_lexical(index.store, "after", index.store.manifest(), base)
        times.append(time.perf_counter() - t0)
        assert doc_id in after.fingerprints()
    return times


def query_times(built: LexicalIndex, reference: list, chunks: list[ChunkText],
                questions: list[str]) -> dict[str, list[float]]:
    bm25, _ = reference
    split = _in_pieces(chunks, built.fingerprints())
    out: dict[str, list[float]] = {"bm25s scorer": [], "segments: 1": [], f"segments: {len(split.segments)}": []}
    for q in questions:
        tokens = [t for t in query_tokens(q, built.langs) if t in built.vocab]
        if not tokens:
            continue
        t0 = time.perf_counter()
        scores = bm25.get_scores(tokens)
        hits = np.flatnonzero(scores > 0)
        _ = hits[np.argsort(-scores[hits])][:50]
        t1 = time.perf_counter()
        one = built.search(q, 50)
        t2 = time.perf_counter()
        many = split.search(q, 50)
        t3 = time.perf_counter()
        assert [c for c, _ in one] == [c for c, _ in many]
        out["bm25s scorer"].append(t1 - t0)
        out["segments: 1"].append(t2 - t1)
        out[f"segments: {len(split.segments)}"].append(t3 - t2)
    return out


def _in_pieces(chunks: list[ChunkText], fingerprints: dict[str, str]) -> LexicalIndex:
    """The same corpus as several segments, the way a run of uploads leaves it: half, then 8 adds."""
    docs = list(fingerprints)
    cut = len(docs) // 2
    first = set(docs[:cut])
    index = LexicalIndex.from_chunks([c for c in chunks if c.doc_id in first], "pieces",
                                     {d: fingerprints[d] for d in first})
    step = max(1, (len(docs) - cut) // 8)
    for start in range(cut, len(docs), step):
        part = set(docs[start:start + step])
        updated = index.updated("pieces", set(), [c for c in chunks if c.doc_id in part],
                                {d: fingerprints[d] for d in part})
        assert updated is not None
        index = updated
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--updates", type=int, default=5, help="small articles updated one at a time")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    setup_logging()
    index = ArticleIndex(args.index_dir, None)
    print(header(f"lexical index updates on {args.index_dir} ({index.store.chunk_count():,} chunks)"))
    parts, built, reference, chunks = whole_rebuild(index)
    updates = small_updates(index, built, args.updates)
    questions = [q.question for q in load_questions(QUESTIONS)]
    queries = query_times(built, reference, chunks, questions)
    rows = [[f"before: whole rebuild ({name})", _ms(t)] for name, t in parts.items()]
    rows.append(["before: whole rebuild, total", _ms(sum(parts.values()))])
    if updates:
        rows.append([f"now: one small article (median of {len(updates)})", _ms(statistics.median(updates))])
    print(table(["commit after one small upload", "time"], rows))
    print(table(["query scorer", "p50", "p95"],
                [[name, _ms(statistics.median(ts)), _ms(float(np.percentile(ts, 95)))] for name, ts in queries.items()]))
    if args.json:
        args.json.write_text(json.dumps({"chunks": len(built), "rebuild": parts, "updates": updates,
                                         "queries": {k: statistics.median(v) for k, v in queries.items()}}, indent=1))


if __name__ == "__main__":
    main()
