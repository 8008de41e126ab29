"""Names across languages by meaning: where a French name and its English form fall against two names.

``bench/name_pairs.jsonl`` holds 80 pairs written for this measure (none from the evaluation sets):
a French place or body and its English name (kind ``same``: "Varsovie" / "Warsaw", "Garde nationale"
/ "National Guard") and a French name with a different, related English one (kind ``different``:
"Varsovie" / "Prague", "Garde nationale" / "Coast Guard"). Each name is encoded alone (in a batch the
int8 encoder's vector of a name moves with the batch's other texts, BENCHMARKS.md 28c), and the
cosine of each pair is compared with ``NAME_SIMILARITY``:
it prints both kinds' cosines, how many of each pass, and the threshold that would separate them
best on these pairs.

    python -m bench.name_meaning [--json F]
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from bench.common import header, load_embedder, read_jsonl, setup_logging, table, write_json
from chatbot.answering.name_meaning import NAME_SIMILARITY

log = logging.getLogger("bench.name_meaning")
PAIRS = Path(__file__).parent / "name_pairs.jsonl"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    setup_logging()
    pairs = read_jsonl(PAIRS)
    embedder = load_embedder()
    rows = []
    for pair in pairs:
        fr, en = (embedder.embed_queries([name])[0] for name in (pair["fr"], pair["en"]))
        rows.append({**pair, "cosine": round(float(fr @ en), 3)})
    same = sorted(r["cosine"] for r in rows if r["kind"] == "same")
    different = sorted(r["cosine"] for r in rows if r["kind"] == "different")
    cuts = sorted({c for c in same + different})
    best = max(cuts, key=lambda t: sum(c >= t for c in same) + sum(c < t for c in different))
    summary = {"pairs": len(rows), "threshold": NAME_SIMILARITY,
               "same passing": f"{sum(c >= NAME_SIMILARITY for c in same)} of {len(same)}",
               "different passing": f"{sum(c >= NAME_SIMILARITY for c in different)} of {len(different)}",
               "same min / median": (same[0], same[len(same) // 2]),
               "different median / max": (different[len(different) // 2], different[-1]),
               "best separating threshold on these pairs": best,
               "right at it": sum(c >= best for c in same) + sum(c < best for c in different)}
    print(header("Names across languages, each encoded alone (cosine)"))
    print(table(["kind", "fr", "en", "cosine"], [[r["kind"], r["fr"], r["en"], r["cosine"]]
                                                  for r in sorted(rows, key=lambda r: -r["cosine"])]))
    print(table(["figure", "value"], [[k, v] for k, v in summary.items()]))
    out = {"summary": summary, "rows": rows}
    if args.json:
        write_json(args.json, out)
    return out


if __name__ == "__main__":
    main()
