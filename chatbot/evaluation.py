"""``chatbot eval``: the project's own quality figures, measured through the real pipeline.

A question set is JSONL, one object per line: ``id``, ``question``, ``lang``, optional ``history``,
``answerable``, ``expected`` (groups of alternative key terms; a correct answer holds one term of
every group), ``evidence`` (a verbatim span of an article that answers the question), ``short``
(groups the short answer must hold) and ``overview`` (a request for a brief).

Figures: retrieval hit@1/hit@5 (a passage overlapping the evidence span is ranked first / in the
top five), answer correctness (answered, with every expected group present), citation correctness
(a cited quote covers at least half of the evidence span; the evidence is looked for in every
article, since a wire story printed by several outlets holds it in each), refusal accuracy on unanswerable
questions, false refusals, short answers right (a short answer is given and holds every ``short``
group), overviews answered (with at least three distinct cited sentences), and latency percentiles.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from chatbot.answering.base import Gated
from chatbot.schemas import Answer, Message
from chatbot.text.words import fold

OVERVIEW_MIN_CITATIONS = 3


class EvalError(ValueError):
    """The question file is unreadable or malformed (the message names the line and field)."""


class EvalQuestion(BaseModel):
    id: str
    question: str
    lang: str = "fr"
    history: list[Message] = []
    answerable: bool = True
    expected: list[list[str]] = []
    evidence: str | None = None
    short: list[list[str]] = []  # the question asks for a name, place, number or date: these terms
    overview: bool = False  # a request for a brief


def load_questions(path: Path) -> list[EvalQuestion]:
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot read ({exc})") from None
    questions = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(EvalQuestion.model_validate_json(line))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "line"
            raise EvalError(f"{path} line {lineno}: {field}: {err['msg']}") from None
    if not questions:
        raise EvalError(f"{path}: no questions")
    return questions


def article_texts(service: Any) -> dict[str, str]:
    """doc_id -> text of every indexed article (where evaluation looks up a question's evidence)."""
    return {doc_id: text for doc_id, _, text in service.index.store.articles()}


def evidence_spans(texts: dict[str, str], evidence: str) -> list[tuple[str, int, int]]:
    """(doc_id, start, end) of the evidence in every article that holds it: the same wire story
    printed by two outlets answers the question in both, and an answer citing either is right."""
    found = []
    for doc_id, text in texts.items():
        at = text.find(evidence)
        if at >= 0:
            found.append((doc_id, at, at + len(evidence)))
    return found


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _holds(folded: str, term: str) -> bool:
    """Whether the folded answer holds ``term``; a term that begins or ends with a digit only as a
    whole number ("7" is not in "27", nor "500" in "1,500")."""
    term = fold(term).replace("’", "'")
    if not (term[:1].isdigit() or term[-1:].isdigit()):
        return term in folded
    return re.search(rf"(?<!\d)(?<!\d[.,]){re.escape(term)}(?!\d)(?![.,]\d)", folded) is not None


def contains_terms(answer: str, groups: list[list[str]]) -> bool:
    folded = fold(answer).replace("’", "'")
    return all(any(_holds(folded, term) for term in group) for group in groups)


def judge(question: EvalQuestion, answer: Answer, spans: list[tuple[str, int, int]]) -> dict[str, Any]:
    """One question's verdicts; ``spans``: where the evidence is (``evidence_spans``)."""
    row: dict[str, Any] = {"id": question.id, "refused": answer.refused,
                           "latency_ms": answer.timings_ms.get("total", 0.0),
                           "query": answer.query, "answer": answer.answer,
                           "evidence_score": answer.evidence_score}
    if not question.answerable:
        row["refusal_ok"] = answer.refused
        return row
    if question.overview:
        distinct = {(c.doc_id, c.start) for c in answer.citations}
        row["overview_citations"] = len(distinct)
        row["overview_ok"] = not answer.refused and len(distinct) >= OVERVIEW_MIN_CITATIONS
        return row
    if question.short:
        short = answer.short_answer
        row["short_answer"] = short.text if short else None
        # the reader sees the verbatim span and, across languages, its rendering in their language
        shown = f"{short.rendered or ''} {short.text}" if short else ""
        row["short_ok"] = short is not None and not answer.refused and contains_terms(shown, question.short)
    ranks = [i for i, p in enumerate(answer.passages)
             if any(p.doc_id == doc_id and _overlap((p.start, p.end), (start, end)) > 0 for doc_id, start, end in spans)]
    row["hit1"] = bool(ranks) and ranks[0] == 0
    row["hit5"] = bool(ranks) and ranks[0] < 5
    row["correct"] = not answer.refused and contains_terms(answer.answer, question.expected)
    row["citation_ok"] = not answer.refused and any(
        c.doc_id == doc_id and _overlap((c.start, c.end), (start, end)) >= 0.5 * (end - start)
        for c in answer.citations for doc_id, start, end in spans)
    return row


def _rate(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if key in r]
    return round(100.0 * sum(values) / len(values), 1) if values else None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if "correct" in r]
    answered = [r for r in answerable if not r["refused"]]
    latencies = sorted(r["latency_ms"] for r in rows) or [0.0]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": sum("refusal_ok" in r for r in rows),
        "overviews": sum("overview_ok" in r for r in rows),
        "hit@1": _rate(answerable, "hit1"),
        "hit@5": _rate(answerable, "hit5"),
        "answer_correctness": _rate(answerable, "correct"),
        "citation_correctness": _rate(answered, "citation_ok"),
        "citation_correctness_all": _rate(answerable, "citation_ok"),
        "refusal_accuracy": _rate(rows, "refusal_ok"),
        "false_refusals": _rate([{"x": r["refused"]} for r in answerable], "x"),
        "short_answer_right": _rate(rows, "short_ok"),
        "short_answer_given": _rate([{"x": r["short_answer"] is not None} for r in rows if "short_ok" in r], "x"),
        "overviews_answered": _rate(rows, "overview_ok"),
        # quotes translated into the question's language and checked: filled in by the translation
        # step's own metric; None while answers carry no translation
        "translations_checked": _rate(rows, "translation_ok"),
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "latency_ms_p95": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1),
    }


def run_eval(service: Any, questions: list[EvalQuestion]) -> dict[str, Any]:
    """Ask every question through ``service`` and return {"summary", "rows"}."""
    service.index.refresh()
    texts: dict[str, str] | None = None  # every article's text, read once when evidence is first looked up
    rows = []
    started = time.perf_counter()
    for q in questions:
        answer = service.ask(q.question, q.history)
        if q.evidence and texts is None:
            texts = article_texts(service)
        rows.append(judge(q, answer, evidence_spans(texts or {}, q.evidence) if q.evidence else []))
    summary = summarize(rows)
    summary["wall_s"] = round(time.perf_counter() - started, 1)
    return {"summary": summary, "rows": rows}


def calibrated_threshold(service: Any, questions: list[EvalQuestion]) -> dict[str, Any]:
    """``calibrate`` over a run of ``questions`` that refuses nothing on score alone; the
    answerer's threshold is restored after the run."""
    answerer = service.answerer
    if not isinstance(answerer, Gated):
        raise EvalError(f"the {answerer.name} answerer has no refusal threshold to calibrate")
    kept, answerer.threshold = answerer.threshold, float("-inf")
    try:
        report = run_eval(service, questions)
    finally:
        answerer.threshold = kept
    return calibrate(report["rows"])


def calibrate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The refusal threshold that maximises right answers plus right refusals.

    ``rows`` must come from a run that refused nothing on score alone (threshold at -inf), so
    each row's ``evidence_score`` says what any threshold would have done with it.
    """
    scored = [r for r in rows if r.get("evidence_score") is not None]
    candidates = sorted({r["evidence_score"] for r in scored}) or [0.0]
    best: tuple[int, float] = (-1, 0.0)
    for t in candidates:
        good = 0
        for r in rows:
            answered = not r["refused"] and (r.get("evidence_score") or 0.0) >= t
            good += (answered and r.get("correct", False)) if "correct" in r else (not answered)
        if good > best[0]:
            best = (good, t)
    return {"threshold": round(best[1] - 1e-4, 4), "right": best[0], "questions": len(rows)}


def format_report(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = [f"{'metric':<28}{'value':>10}"]
    for key, value in s.items():
        unit = "%" if isinstance(value, float) and key not in ("wall_s",) and "ms" not in key else ""
        lines.append(f"{key:<28}{'-' if value is None else value:>10}{unit}")
    misses = [r for r in report["rows"] if any(r.get(k) is False for k in
                                               ("correct", "refusal_ok", "citation_ok", "short_ok", "overview_ok"))]
    if misses:
        lines.append("\nmisses:")
        for r in misses:
            flags = [k for k in ("correct", "citation_ok", "refusal_ok", "hit5", "short_ok", "overview_ok")
                     if r.get(k) is False]
            lines.append(f"  {r['id']}: {', '.join(flags)} | query: {r['query'][:70]}")
    return "\n".join(lines)


def dump_rows(report: dict[str, Any]) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in report["rows"])
