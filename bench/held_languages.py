"""What the question after one small upload pays for a language held in memory, on an existing index.

A language of at most SMALL_LANGUAGE chunks is held in memory with its vectors and searched by one
matrix product (chatbot.retrieval.languages). Holding it by a signature of all its articles made
the question after any upload in it read the whole language again from Chroma; now only the
changed articles are read. This script copies the given index aside (the original is not
touched), holds ``--lang``, then ``--uploads`` times adds one small article in that language and
times the per-language step of the next question:

* ``article by article``: the held language brought up to date (as now);
* ``whole re-read``: a hold keyed by the signature of all its articles, read again whole;
* ``not held (limit 5,000)``: the filtered search among the language's articles that a language
  over the former limit of 5,000 chunks went through on every question (chatbot.retrieval.subset).

    python -m bench.synthetic --chunks 12000 --french-chunks 8000 --real-chunks 0 --index-dir /work/runs/heldlang-index
    python -m bench.held_languages --index-dir /work/runs/heldlang-index --lang fr
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import shutil
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.common import load_embedder, service_for, setup_logging, table
from chatbot.ingest.loaders import build_article
from chatbot.retrieval.languages import HeldLanguages
from chatbot.retrieval.retriever import SMALL_LANGUAGE

log = logging.getLogger("bench.held_languages")
TEXTS = {
    "fr": "Le port de {n} a rouvert lundi après deux ans de travaux ; les premiers navires sont attendus.",
    "en": "The harbour of {n} reopened on Monday after two years of works; the first ships are expected.",
}
QUESTIONS = {"fr": "Quand le port a-t-il rouvert ?", "en": "When did the harbour reopen?"}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run(index_dir: Path, lang: str, uploads: int) -> None:
    embedder = load_embedder()
    with tempfile.TemporaryDirectory(prefix="held-languages-") as scratch:
        copy = Path(scratch) / "index"
        shutil.copytree(index_dir, copy)
        service = service_for(copy, embedder, entities=False)
        retriever = service.retriever
        qvec = embedder.embed_queries([QUESTIONS[lang]])[0]

        def step(held: HeldLanguages | None = None) -> float:
            """The per-language step of a question, on the index as it is now."""
            retriever.index.refresh()
            view = retriever.index.view()
            retriever.manifest(view)  # read once per index version whatever is held: not timed
            if held is not None:
                retriever._held = held
            t0 = time.perf_counter()
            retriever._nearest_in_language(view, qvec, lang)
            return time.perf_counter() - t0

        followed = retriever._held
        first = step()
        held = followed.held(retriever.index.view(), retriever.manifest(retriever.index.view()), lang)
        if held is None or not held.blocks:
            raise SystemExit(f"{lang} is not held (over {SMALL_LANGUAGE} chunks, or none): nothing to time")
        rows = len(held.members)
        texts = sum(len(m.text.encode()) for m in held.members)
        matrix = sum(b.nbytes for b in held.blocks)
        steady = statistics.median(step() for _ in range(5))
        times: dict[str, list[float]] = {"article by article": [], "whole re-read": [], "not held (limit 5,000)": [],
                                         "article by article, after a removal": []}
        added = []
        for n in range(uploads):
            added += [build_article(f"held-bench-{n}.txt", TEXTS[lang].format(n=f"Port-{n}"), title=f"Port {n}",
                                    lang=lang)]
            service.indexer.add_articles(added[-1:])
            times["article by article"].append(step(followed))
            times["whole re-read"].append(step(HeldLanguages(SMALL_LANGUAGE)))
            times["not held (limit 5,000)"].append(step(HeldLanguages(5000)) if rows > 5000 else float("nan"))
        step(followed)
        for article in added:
            service.remove([article.doc_id])
            times["article by article, after a removal"].append(step(followed))
        tracemalloc.start()  # what a hold keeps: vectors, texts, metadata (numpy reports to tracemalloc)
        before = tracemalloc.get_traced_memory()[0]
        kept = HeldLanguages(SMALL_LANGUAGE).held(retriever.index.view(), retriever.manifest(retriever.index.view()),
                                                  lang)
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        del kept
        print(f"\n{index_dir}: language {lang!r} held, {rows} chunks; matrix {matrix / 1e6:.1f} MB, "
              f"chunk texts {texts / 1e6:.1f} MB, "
              f"all it keeps {retained / 1e6:.1f} MB; load average {os.getloadavg()[0]:.2f}")
        print(f"first hold (whole read) {_ms(first)} ms; steady question step {_ms(steady)} ms\n")
        print(table(["after one small upload", "median ms", "max ms", "runs"],
                    [[name, _ms(statistics.median(v)), _ms(max(v)), len(v)] for name, v in times.items()]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--lang", default="fr", choices=sorted(TEXTS))
    parser.add_argument("--uploads", type=int, default=5)
    args = parser.parse_args(argv)
    setup_logging()
    run(args.index_dir, args.lang, args.uploads)


if __name__ == "__main__":
    main()
