"""Sanity checker for tests/eval/questions.jsonl (stdlib only).

Usage: python tests/eval/check_questions.py [QUESTIONS_JSONL] [SEED_TXT]

Checks that every line parses, ids are unique and well formed, fields are
present and typed right, every "evidence" is a verbatim substring of the
seed article, and every group of "expected" has at least one alternative
present (case- and accent-insensitively) in the evidence or in the article.
Prints counts per category and exits non-zero on any problem.
"""

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_QUESTIONS = HERE / "questions.jsonl"
DEFAULT_SEED = ROOT / "seeds" / "000_394ae1682318d41c.txt"

ID_RE = re.compile(r"^(fr|en|fu|na)\d{2,}$")
EVIDENCE_MIN, EVIDENCE_MAX = 30, 250
MINIMUMS = {"total": 48, "fr": 15, "en": 10, "fu": 6, "na": 10}
REQUIRED = {"id": str, "question": str, "lang": str, "answerable": bool, "expected": list}
ALLOWED = set(REQUIRED) | {"history", "evidence", "short", "overview"}


def norm(s: str) -> str:
    """Lowercase, strip accents, unify ligatures/apostrophes/whitespace."""
    s = s.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", s).casefold()


def check_history(hist, where, errors):
    if not isinstance(hist, list) or not hist:
        errors.append(f"{where}: history must be a non-empty list")
        return
    for i, turn in enumerate(hist):
        if not isinstance(turn, dict) or set(turn) != {"role", "content"}:
            errors.append(f"{where}: history[{i}] must have exactly 'role' and 'content'")
            continue
        expected_role = "user" if i % 2 == 0 else "assistant"
        if turn["role"] != expected_role:
            errors.append(f"{where}: history[{i}] role should be {expected_role!r}")
        if not isinstance(turn["content"], str) or not turn["content"].strip():
            errors.append(f"{where}: history[{i}] content must be a non-empty string")
    if hist[-1].get("role") != "assistant":
        errors.append(f"{where}: history must end with an assistant turn")


def check_item(d, where, seed, seed_n, errors):
    if not isinstance(d, dict):
        errors.append(f"{where}: not a JSON object")
        return
    n_before = len(errors)
    for key, typ in REQUIRED.items():
        if key not in d:
            errors.append(f"{where}: missing field {key!r}")
        elif not isinstance(d[key], typ):
            errors.append(f"{where}: field {key!r} must be {typ.__name__}")
    if "evidence" not in d:
        errors.append(f"{where}: missing field 'evidence'")
    extra = set(d) - ALLOWED
    if extra:
        errors.append(f"{where}: unknown fields {sorted(extra)}")
    if len(errors) > n_before:  # missing or mistyped fields: skip the deeper checks
        return

    qid = d["id"]
    if not ID_RE.match(qid):
        errors.append(f"{where}: bad id {qid!r}")
    if not d["question"].strip():
        errors.append(f"{where}: empty question")
    if d["lang"] not in ("fr", "en"):
        errors.append(f"{where}: lang must be 'fr' or 'en'")
    if "history" in d:
        check_history(d["history"], where, errors)

    prefix = qid[:2]
    if prefix in ("fr", "en") and d["lang"] != prefix:
        errors.append(f"{where}: id prefix {prefix!r} but lang {d['lang']!r}")
    if prefix in ("fr", "en") and "history" in d:
        errors.append(f"{where}: {prefix} questions should not have history (use fu)")
    if prefix == "fu" and "history" not in d:
        errors.append(f"{where}: follow-up without history")
    if prefix in ("fr", "en", "fu") and d["answerable"] is not True:
        errors.append(f"{where}: {prefix} questions must be answerable")
    if prefix == "na" and d["answerable"] is not False:
        errors.append(f"{where}: na questions must not be answerable")

    if d["answerable"] is False:
        if d["expected"] != []:
            errors.append(f"{where}: unanswerable question must have expected == []")
        if d["evidence"] is not None:
            errors.append(f"{where}: unanswerable question must have evidence == null")
        return

    ev = d["evidence"]
    if not isinstance(ev, str):
        errors.append(f"{where}: evidence must be a string")
        return
    if ev not in seed:
        errors.append(f"{where}: evidence is not a verbatim substring of the article: {ev!r}")
    if not EVIDENCE_MIN <= len(ev) <= EVIDENCE_MAX:
        errors.append(f"{where}: evidence length {len(ev)} not in [{EVIDENCE_MIN}, {EVIDENCE_MAX}]")

    groups = d["expected"]
    if not groups:
        errors.append(f"{where}: answerable question with empty expected")
    ev_n = norm(ev)
    for gi, group in enumerate(groups):
        if not isinstance(group, list) or not group or not all(
            isinstance(alt, str) and alt.strip() for alt in group
        ):
            errors.append(f"{where}: expected[{gi}] must be a non-empty list of non-empty strings")
            continue
        if not any(norm(alt) in ev_n or norm(alt) in seed_n for alt in group):
            errors.append(f"{where}: expected[{gi}] {group} has no alternative in evidence or article")


def main(argv):
    qpath = Path(argv[1]) if len(argv) > 1 else DEFAULT_QUESTIONS
    spath = Path(argv[2]) if len(argv) > 2 else DEFAULT_SEED
    seed = spath.read_text(encoding="utf-8")
    seed_n = norm(seed)

    errors = []
    items = []
    raw = qpath.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        print(f"FAIL: {qpath} is not valid UTF-8: {exc}")
        return 1
    for lineno, line in enumerate(text.splitlines(), 1):
        where = f"line {lineno}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON: {exc}")
            continue
        if isinstance(d, dict) and isinstance(d.get("id"), str):
            where = f"line {lineno} ({d['id']})"
        check_item(d, where, seed, seed_n, errors)
        items.append(d)

    ids = Counter(d.get("id") for d in items if isinstance(d, dict))
    for qid, c in ids.items():
        if c > 1:
            errors.append(f"duplicate id {qid!r} ({c} times)")
    questions = Counter(
        (norm(d.get("question", "")), json.dumps(d.get("history"), ensure_ascii=False))
        for d in items if isinstance(d, dict)
    )
    for (q, _), c in questions.items():
        if c > 1:
            errors.append(f"duplicate question (same history) {q!r}")

    dicts = [d for d in items if isinstance(d, dict)]
    by_cat = Counter(str(d.get("id", ""))[:2] for d in dicts)
    by_lang = Counter((str(d.get("id", ""))[:2], d.get("lang")) for d in dicts)
    answerable = sum(1 for d in dicts if d.get("answerable") is True)
    with_history = sum(1 for d in dicts if "history" in d)

    print(f"questions: {len(dicts)}  (answerable {answerable}, not answerable {len(dicts) - answerable}, with history {with_history})")
    labels = {"fr": "French answerable", "en": "English answerable", "fu": "follow-ups", "na": "not answerable"}
    for cat, label in labels.items():
        langs = ", ".join(f"{lang}={by_lang[(cat, lang)]}" for lang in ("fr", "en") if by_lang[(cat, lang)])
        print(f"  {cat}: {by_cat[cat]:3d}  {label} [{langs}]")

    if len(dicts) < MINIMUMS["total"]:
        errors.append(f"only {len(dicts)} questions, need >= {MINIMUMS['total']}")
    for cat in ("fr", "en", "fu", "na"):
        if by_cat[cat] < MINIMUMS[cat]:
            errors.append(f"only {by_cat[cat]} {cat} questions, need >= {MINIMUMS[cat]}")
    for cat in ("fu", "na"):
        if by_lang[(cat, "fr")] == 0 or by_lang[(cat, "en")] == 0:
            errors.append(f"{cat} questions should be in both languages")

    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for e in errors:
            print("  - " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
