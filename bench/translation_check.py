"""Calibrates and measures the translation check (chatbot.answering.translation).

The tuning set (tests/eval/translations_tuning.jsonl) holds source sentences with faithful and
drifted translations (the drifted ones keep the names and numbers, so only meaning separates them).
The cosine of each pair under the project's encoder is computed; the threshold that best separates
faithful from drifted on the tuning set is printed (midpoint of the widest gap), then applied,
unchanged, to the held-out set (tests/eval/translations_heldout.jsonl), which is never tuned on.
The full check (numbers, names, meaning) is reported too: faithful translations it wrongly rejects
and drifted ones it wrongly keeps.

    python -m bench.translation_check [--threshold 0.80]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from bench.common import ROOT, load_embedder, setup_logging
from chatbot.answering.translation import DEFAULT_MIN_SIMILARITY, Translator

log = logging.getLogger("bench.translation_check")
TUNING = ROOT / "tests" / "eval" / "translations_tuning.jsonl"
HELDOUT = ROOT / "tests" / "eval" / "translations_heldout.jsonl"


def pairs(path: Path) -> list[tuple[str, str, bool]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            out += [(item["source"], t, True) for t in item["faithful"]]
            out += [(item["source"], t, False) for t in item["drifted"]]
    return out


def best_threshold(scored: list[tuple[float, bool]]) -> float:
    """The midpoint of the cut between sorted scores that misclassifies fewest pairs (widest gap on ties)."""
    values = sorted(scored)
    best: tuple[int, float, float] | None = None
    for i in range(1, len(values)):
        cut = (values[i - 1][0] + values[i][0]) / 2
        errors = sum((s >= cut) != ok for s, ok in values)
        gap = values[i][0] - values[i - 1][0]
        if best is None or (errors, -gap) < (best[0], -best[1]):
            best = (errors, gap, cut)
    assert best is not None
    return round(best[2], 3)


def report(name: str, translator: Translator, items: list[tuple[str, str, bool]], threshold: float) -> None:
    scored = [(translator.similarity(s, t), ok) for s, t, ok in items]
    faithful = [s for s, ok in scored if ok]
    drifted = [s for s, ok in scored if not ok]
    print(f"\n{name}: {len(faithful)} faithful, {len(drifted)} drifted")
    print(f"  cosine faithful min/median {min(faithful):.3f} / {sorted(faithful)[len(faithful) // 2]:.3f}; "
          f"drifted max/median {max(drifted):.3f} / {sorted(drifted)[len(drifted) // 2]:.3f}")
    print(f"  at {threshold:.3f}: faithful kept {sum(s >= threshold for s in faithful)}/{len(faithful)}, "
          f"drifted rejected {sum(s < threshold for s in drifted)}/{len(drifted)}")
    translator.min_similarity = threshold
    wrong = [(s, t, ok, translator.check(s, t)) for s, t, ok in items]
    wrong = [w for w in wrong if (w[3] is None) != w[2]]
    print(f"  full check (numbers, names, meaning): {len(items) - len(wrong)}/{len(items)} right")
    for _source, t, ok, why in wrong:
        print(f"    {'faithful rejected' if ok else 'drifted kept'}: {t[:90]!r} ({why})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.0, help="0: calibrate on the tuning set")
    args = parser.parse_args()
    setup_logging()
    translator = Translator(lambda: None, load_embedder(), timeout_s=0, llm_timeout_s=0)  # type: ignore[arg-type, return-value]
    tuning = pairs(TUNING)
    threshold = args.threshold or best_threshold([(translator.similarity(s, t), ok) for s, t, ok in tuning])
    print(f"threshold: {threshold:.3f} (built-in default {DEFAULT_MIN_SIMILARITY:.2f})")
    report("tuning", translator, tuning, threshold)
    report("held-out", translator, pairs(HELDOUT), threshold)


if __name__ == "__main__":
    main()
