"""Cited answers from the real model and index: the questions users ask, follow-ups, refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chatbot.evaluation import (
    EvalQuestion,
    calibrated_threshold,
    contains_terms,
    evidence_spans,
    judge,
    load_questions,
    run_eval,
)
from chatbot.schemas import Answer, Citation, Message, Passage

ROOT = Path(__file__).resolve().parents[1]


def _assert_verbatim(answer, seed_text: str) -> None:
    for c in answer.citations:
        assert seed_text[c.start:c.end] == c.quote
        assert f"[{c.n}]" in answer.answer


def test_french_question_cites_the_leadership_passage(seeded_service, seed_text):
    answer = seeded_service.ask("Qui dirige l'Armée nationale arabe libyenne ?")
    assert not answer.refused
    assert "Khalifa Haftar" in answer.answer
    assert answer.answer.startswith("Khalifa Haftar [1]\nD'après")  # the short answer, then the quote
    assert any("dirigés par Khalifa Haftar" in c.quote for c in answer.citations)
    _assert_verbatim(answer, seed_text)


def test_the_leader_of_another_body_does_not_answer_who_heads_this_one(seeded_service, seed_text):
    """The sentence saying Haftar leads the ANL also names the GNA's seat: he does not head the GNA."""
    answer = seeded_service.ask("Who heads the Government of National Accord?")
    assert not answer.refused
    assert answer.answer.startswith("Fayez al-Serraj [1]")
    assert not any("dirigés par Khalifa Haftar" in c.quote for c in answer.citations)
    _assert_verbatim(answer, seed_text)


def test_english_question_finds_french_support_passage(seeded_service, seed_text):
    answer = seeded_service.ask("Which countries back Haftar?")
    assert not answer.refused
    # the countries first (named in English, the article's words beside them), then the quote
    # framed in English, kept in French
    assert answer.answer.startswith(
        "Egypt, Saudi Arabia and the United Arab Emirates (“égyptien, saoudien et émirati”) [1]\nAccording to")
    assert any("soutien égyptien, saoudien et émirati" in c.quote for c in answer.citations)
    _assert_verbatim(answer, seed_text)


def test_unanswerable_question_is_refused_with_closest_passages(seeded_service):
    answer = seeded_service.ask("Quel âge a Khalifa Haftar ?")
    assert answer.refused
    assert answer.citations == []
    assert "ne répondent pas" in answer.answer
    assert answer.passages, "the closest passages are still listed for the reader"


def test_unknown_name_is_refused_in_english(seeded_service):
    answer = seeded_service.ask("What is France's position on Haftar's march on Tripoli?")
    assert answer.refused
    assert "do not answer" in answer.answer


def test_french_follow_up_uses_the_conversation(seeded_service, seed_text):
    history = [Message(role="user", content="Qui dirige l'ANL ?"),
               Message(role="assistant", content="Khalifa Haftar dirige l'ANL [1].")]
    answer = seeded_service.ask("Et à quelle date a-t-il conquis le sud ?", history)
    assert "Haftar" in answer.query, "the follow-up is completed with the conversation's names"
    assert not answer.refused
    assert any("mars" in c.quote for c in answer.citations)
    _assert_verbatim(answer, seed_text)


def test_english_follow_up_resolves_his(seeded_service):
    history = [Message(role="user", content="Who leads the Government of National Accord?"),
               Message(role="assistant", content="The GNA is led by Fayez al-Serraj [1].")]
    answer = seeded_service.ask("Where is his government based?", history)
    assert "Serraj" in answer.query
    assert not answer.refused
    assert "Tripoli" in answer.answer


def test_standalone_question_is_not_rewritten(seeded_service):
    history = [Message(role="user", content="Qui dirige l'ANL ?")]
    question = "Où se tiendra la conférence nationale prévue à la mi-avril ?"
    assert seeded_service.ask(question, history).query == question


def test_timings_are_reported(seeded_service):
    answer = seeded_service.ask("Où est prévue la conférence nationale ?")
    assert {"retrieve", "answer", "total"} <= set(answer.timings_ms)
    assert "Ghadamès" in answer.answer


def test_eval_on_a_slice_of_the_question_set(seeded_service):
    questions = load_questions(ROOT / "tests" / "eval" / "questions.jsonl")
    picked = [q for q in questions if q.id in {"fr01", "fr02", "en08", "fu03", "na01", "na03"}]
    report = run_eval(seeded_service, picked)
    summary = report["summary"]
    assert summary["questions"] == 6 and summary["answerable"] == 4
    assert summary["hit@5"] == 100.0
    assert summary["answer_correctness"] == 100.0
    assert summary["citation_correctness"] == 100.0
    assert summary["refusal_accuracy"] == 100.0


def test_eval_counts_evidence_found_in_any_copy_of_a_wire_story():
    """The same wire story printed by two outlets holds the evidence twice: an answer citing the
    second outlet's copy is right, and so is a search that shows that copy."""
    evidence = "Haftar's forces regained control of the oil ports of Ras Lanuf and Es Sider."
    texts = {"reuters-copy": f"Benghazi (Reuters) - {evidence} More fighting is expected.",
             "aljazeera-copy": f"Al Jazeera, 14 March. {evidence} More fighting is expected."}
    spans = evidence_spans(texts, evidence)
    assert [doc_id for doc_id, _, _ in spans] == ["reuters-copy", "aljazeera-copy"]
    start = texts["aljazeera-copy"].index(evidence)
    end = start + len(evidence)
    shown = Passage(doc_id="aljazeera-copy", title="Oil ports", lang="en", chunk_id="aljazeera-copy:0",
                    start=0, end=len(texts["aljazeera-copy"]), text=texts["aljazeera-copy"])
    answer = Answer(answer=f"\u201c{evidence}\u201d [1]", passages=[shown], citations=[Citation(
        n=1, doc_id="aljazeera-copy", title="Oil ports", start=start, end=end, quote=evidence)])
    question = EvalQuestion(id="copy", question="Who took the oil ports?", lang="en", answerable=True,
                            expected=[["Haftar"]], evidence=evidence)
    row = judge(question, answer, spans)
    assert row["hit1"] and row["hit5"] and row["correct"] and row["citation_ok"]
    assert not judge(question, answer, spans[:1])["citation_ok"]  # the other copy alone is not cited


def test_calibration_finds_a_threshold_that_separates_answers_from_refusals(seeded_service):
    # answered and unanswerable questions: the threshold found gets every one right, and the
    # service keeps refusing with its own threshold afterwards
    questions = load_questions(ROOT / "tests" / "eval" / "questions.jsonl")
    picked = [q for q in questions if q.id in {"fr01", "fr02", "en08", "na01", "na03"}]
    kept = seeded_service.answerer.threshold
    found = calibrated_threshold(seeded_service, picked)
    assert found["questions"] == 5 and found["right"] == 5
    assert seeded_service.answerer.threshold == kept
    assert seeded_service.ask("Qui a gagné la finale de la Coupe du monde de rugby ?").refused


def test_eval_cli_rejects_a_malformed_question_file(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "x1", "question": "Qui ?"}\n{"id": "x2"}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "chatbot.cli", "eval", str(bad)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "line 2" in proc.stderr and "question" in proc.stderr


def test_ask_cli_json_shape(tmp_path, seeded_service):
    history = tmp_path / "h.json"
    history.write_text(json.dumps([{"role": "user", "content": "Qui dirige l'ANL ?"},
                                   {"role": "robot", "content": "?"}]), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "chatbot.cli", "ask", "Et qui le soutient ?",
                           "--history-file", str(history), "--json"],
                          capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "CHATBOT_INDEX_DIR": str(tmp_path / "none")})
    assert proc.returncode == 2, "an invalid role is bad input, refused before any work"
    assert str(history) in proc.stderr and "role" in proc.stderr


def test_answer_whose_citations_all_fail_is_refused_plainly(seeded_service):
    from chatbot.schemas import Answer, Citation

    doc_id = seeded_service.documents()[0].doc_id
    forged = Answer(answer="D'après les articles :\n« Haftar a 75 ans. » [1]",
                    citations=[Citation(n=1, doc_id=doc_id, title="t", start=0, end=17,
                                        quote="Haftar a 75 ans.")])
    checked = seeded_service.verified(forged, "fr")
    assert checked.refused and checked.citations == []
    assert "ne répondent pas" in checked.answer and "75 ans" not in checked.answer


def test_an_expected_number_counts_only_as_a_whole_number():
    # "27 other EU leaders" is no answer to "how many lords ... (seven)"
    assert not contains_terms("27 [1] « ... the 27 other EU leaders ... »", [["seven", "7", "sept"]])
    assert contains_terms("7 [1] « seven Conservative peers ... »", [["seven", "7", "sept"]])
    assert not contains_terms("1,500 dollars", [["500"]]) and contains_terms("$1,500 a seat", [["1,500", "1500"]])
    assert contains_terms("$2.6 billion in 2018", [["2.6"], ["2018"]])
    assert contains_terms("Le maréchal Khalifa Haftar", [["Haftar"], ["maréchal", "marshal"]])
