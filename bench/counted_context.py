"""Counted nouns across languages: a word alone against the same word within its sentence.

``bench/counted_pairs.jsonl`` holds 40 pairs written for this measure (none from the evaluation
sets): a question counting a noun ("Combien de blessés ...") and a sentence counting something in
the other language, either the same thing ("25 injured", kind ``same``) or another thing of the same
field in the same frame ("25 people killed", kind ``different``). For each pair it prints the cosine
of the two words encoded alone (what ``CountedMeaning.counting`` compares with ``COUNTED_SIMILARITY``)
and of their token vectors within their sentences (the words as each sentence uses them; not used by
the answerer, see BENCHMARKS.md 25b), and how many pairs ``counting`` accepts.

    python -m bench.counted_context [--json F]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import header, load_embedder, read_jsonl, setup_logging, table, write_json
from chatbot.answering.counted import COUNTED_SIMILARITY, CountedMeaning

log = logging.getLogger("bench.counted_context")
PAIRS = Path(__file__).parent / "counted_pairs.jsonl"
CONTEXT_SIMILARITY = 0.365  # between the two kinds' in-context cosines as measured (BENCHMARKS.md 25b)


def _span(text: str, word: str) -> tuple[int, int]:
    start = text.find(word)
    if start < 0:
        raise ValueError(f"{PAIRS}: {word!r} is not in {text!r}")
    return start, start + len(word)


def measure(embedder: Any, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each pair with its two cosines and whether ``counting`` accepts it."""
    meaning = CountedMeaning(embedder)
    rows = []
    for pair in pairs:
        q, s = pair["question"], pair["sentence"]
        _, pieces = embedder.embed_documents_with_pieces([q, s], None, [[_span(q, pair["noun"])], [_span(s, pair["word"])]],
                                                         bulk=False)
        a, b = (np.asarray(p[0], dtype=np.float32) for p in pieces)
        alone = embedder.embed_queries([pair["noun"], pair["word"]])
        rows.append({**pair, "context": float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))),
                     "alone": float(alone[0] @ alone[1]),
                     "accepted": meaning.counting(pair["noun"], [s])[0]})
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    pairs = read_jsonl(PAIRS)
    rows = measure(load_embedder(), pairs)
    summary = {}
    for kind in ("same", "different"):
        own = [r for r in rows if r["kind"] == kind]
        summary[kind] = {
            "pairs": len(own), "accepted": sum(r["accepted"] for r in own),
            **{f"{m} min/median/max": [round(f(np.array([r[m] for r in own])), 3) for f in (np.min, np.median, np.max)]
               for m in ("alone", "context")},
            f"alone >= {COUNTED_SIMILARITY}": sum(r["alone"] >= COUNTED_SIMILARITY for r in own),
            f"context >= {CONTEXT_SIMILARITY}": sum(r["context"] >= CONTEXT_SIMILARITY for r in own),
        }
    print(header("Counted nouns across languages: a word alone / within its sentence"))
    print(table(["kind", "noun", "word", "alone", "context", "accepted"],
                [[r["kind"], r["noun"], r["word"], round(r["alone"], 3), round(r["context"], 3), r["accepted"]] for r in rows]))
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    out = {"summary": summary, "rows": rows}
    write_json(args.json, out)
    return out


if __name__ == "__main__":
    main()
