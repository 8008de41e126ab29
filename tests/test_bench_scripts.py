"""The benchmark scripts still start against the current package.

The scripts in ``bench/`` are run by hand, rarely; a renamed module, function or setting in
``chatbot/`` would otherwise only show when someone next runs a benchmark. Here every bench module is
imported and every script answers ``--help`` run as ``python -m bench.X`` runs it, in a fresh process
(the imports, the ``__main__`` guard and the argument parser), without loading a model or reading any
benchmark data.
A few pure helpers of the scripts, and the places where a script reaches into the package to patch
it, are checked too: a stale patch target would make a benchmark hang or measure the wrong thing.
"""

from __future__ import annotations

import gzip
import importlib
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the benchmark scripts (a ``main`` run under ``python -m``) and the modules they share
SCRIPTS = ["baseline", "chunking", "copies", "counted_context", "crosslingual", "encoder", "entities", "eval_answers", "eval_distractors",
           "eval_refusals", "fr_answers", "fr_retrieval", "held_languages", "indexing", "latency", "lexical_updates", "llm_phrasing", "load", "name_meaning", "own_steps",
           "ray_indexing", "synthetic", "timeline_quality", "translation_check"]
LIBRARIES = ["common", "data", "filtered", "fr_sections", "ray_local"]


def test_every_bench_module_is_covered() -> None:
    """A new script in bench/ must be added here, so that it is checked like the others."""
    found = {p.stem for p in (ROOT / "bench").glob("*.py") if p.stem != "__init__"}
    assert found == set(SCRIPTS) | set(LIBRARIES)


@pytest.mark.parametrize("name", SCRIPTS + LIBRARIES)
def test_bench_module_imports(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    if name in SCRIPTS:
        assert callable(module.main)


# Runs each script as ``python -m bench.X --help`` does (runpy with the script as ``__main__`` and
# its file as argv[0]), one script after another in one fresh process: the package's imports are paid
# once instead of sixteen times, which keeps this file well under a minute on a busy machine.
RUNNER = """
import contextlib, io, json, runpy, sys, traceback
results = {}
for name in sys.argv[1:]:
    sys.modules.pop("bench." + name, None)  # run fresh as __main__ even if another script imported it
    out = io.StringIO()
    sys.argv = ["-m", "--help"]
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_module("bench." + name, run_name="__main__", alter_sys=True)
        results[name] = {"exit": "returned without exiting", "stdout": out.getvalue()}
    except SystemExit as exc:
        results[name] = {"exit": exc.code or 0, "stdout": out.getvalue()}
    except BaseException:
        results[name] = {"exit": traceback.format_exc(), "stdout": out.getvalue()}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def helps() -> dict[str, dict[str, Any]]:
    """``--help`` of every script: exit code and what it printed."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", RUNNER, *SCRIPTS], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_help(helps: dict[str, dict[str, Any]], name: str) -> None:
    result = helps[name]
    assert result["exit"] == 0, result["exit"]
    usage = result["stdout"].splitlines()[0] if result["stdout"] else ""
    assert usage.startswith("usage:") and name in usage, result["stdout"][:500]
    assert "--help" in result["stdout"]
    # the description is the first line of the script's docstring
    module = importlib.import_module(f"bench.{name}")
    first_words = " ".join(module.__doc__.split()[:4])
    assert first_words in " ".join(result["stdout"].split())


def test_table_aligns_columns_and_marks_missing_values() -> None:
    from bench.common import table

    lines = table(["metric", "a", "b"], [["hit@5", 98.0, None], ["latency_ms_p50", 7.5, 1234.5]]).splitlines()
    assert lines[1].split() == ["-" * len("latency_ms_p50"), "----", "------"]
    assert lines[2].split() == ["hit@5", "98.0", "-"]
    assert len({len(line) for line in lines}) == 1  # every row as wide as the header


def test_fr_sections_reads_numbered_sections(tmp_path: Path) -> None:
    """The Debian Reference parser on a tiny document of the same shape (not the installed one)."""
    from bench.fr_sections import all_sections

    nbsp = "\u00a0"
    source = tmp_path / "reference.fr.txt.gz"
    text = "\n".join([
        "Préface", f"0.1.{nbsp}Avant-propos", "   Texte de la préface.",
        f"1.1.{nbsp}Bases concernant", "les fichiers", "",
        "   Un fichier est", "   une suite d'octets.", "", "   Second paragraphe.",
        f"1.2.{nbsp}Autre section", "   Fin.",
    ])
    with gzip.open(source, "wt", encoding="utf-8") as out:
        out.write(text)
    assert all_sections(source) == [
        {"id": "1.1", "title": "Bases concernant les fichiers",
         "text": "Un fichier est une suite d'octets.\n\nSecond paragraphe."},
        {"id": "1.2", "title": "Autre section", "text": "Fin."},
    ]
    with pytest.raises(FileNotFoundError, match="debian-reference-fr"):
        all_sections(tmp_path / "missing.txt.gz")


def test_fr_sections_questions_name_a_section_and_a_split() -> None:
    from bench.fr_sections import questions

    rows = questions()
    assert {r["split"] for r in rows} == {"tuning", "heldout"}
    assert len(questions("tuning")) + len(questions("heldout")) == len(rows)
    assert all(r["question"].strip() and r["section"].startswith("debref-") for r in rows)


def test_translation_threshold_separates_faithful_from_drifted() -> None:
    from bench.translation_check import best_threshold

    scored = [(0.91, True), (0.86, True), (0.70, False), (0.55, False)]
    assert best_threshold(scored) == pytest.approx(0.78)


def test_crosslingual_ranks_acts_and_scores_them() -> None:
    from bench.crosslingual import doc_ranking, score
    from chatbot.schemas import Passage

    passages = [Passage(doc_id=d, title="Act", chunk_id=f"{d}:{i:04d}", start=0, end=4, text="Text")
                for i, d in enumerate(["32019R1-en", "32019R1-en", "32020L7-en"])]
    assert doc_ranking(passages) == ["32019R1", "32020L7"]
    assert score(["32019R1", "32020L7"], {"32020L7"}) == {"hit1": 0.0, "hit5": 1.0, "rr": 0.5}
    assert score(["32019R1"], {"other"})["rr"] == 0.0


def test_load_judges_answers_like_chatbot_eval() -> None:
    from bench.load import is_right

    answerable = ("Qui dirige l'ANL ?", True, [["Haftar"], ["maréchal", "marshal"]])
    assert is_right(answerable, {"answer": "Le maréchal Khalifa Haftar [1]", "refused": False})
    assert not is_right(answerable, {"answer": "Khalifa Haftar [1]", "refused": False})
    assert is_right(("Quel temps fait-il ?", False, []), {"answer": "", "refused": True})
    cited = {"answer": "Le maréchal Khalifa Haftar [1]", "refused": False, "citations": [{"doc_id": "seed"}]}
    assert is_right(answerable, cited, "seed")
    assert not is_right(answerable, cited, "other-article")  # the right words from the wrong article


def test_filtered_cases_come_from_the_index_and_are_checked() -> None:
    from bench.filtered import NOTHING, filter_cases, passes

    docs = [{"doc_id": f"d{i}", "date": f"2017-01-{i + 1:02d}", "source": "bbc.co.uk" if i % 3 else "dw.com"}
            for i in range(9)] + [{"doc_id": "seed", "date": None, "source": None}]
    cases = dict((label.split(" (")[0], fields) for label, fields in filter_cases(docs, "seed"))
    assert cases["date range 2017-01-04..2017-01-07"] == {"since": "2017-01-04", "until": "2017-01-07"}
    assert cases["one outlet bbc.co.uk"] == {"sources": ["bbc.co.uk"]}
    assert cases["doc_ids: 5 articles"]["doc_ids"][0] == "seed"
    assert NOTHING in cases.values()
    assert passes({"doc_id": "d1", "date": "2017-01-05", "source": "dw.com"}, {"since": "2017-01-04"})
    assert not passes({"doc_id": "d1", "date": None}, {"since": "2017-01-04"})  # undated never passes a date
    assert not passes({"doc_id": "d1", "date": "2017-01-05", "source": "dw.com"}, {"sources": ["bbc.co.uk"]})


def test_timeline_quality_judges_events_by_quote_day_and_article() -> None:
    from bench.timeline_quality import TOPICS, judge, summary
    from chatbot.answering.timeline import Event
    from chatbot.schemas import Citation

    def event(date: str, quote: str, doc_id: str, copies: tuple[str, ...] = ()) -> Event:
        citation = Citation(n=1, doc_id=doc_id, title="t", start=0, end=len(quote), quote=quote,
                            also_in=[{"doc_id": c, "source": None, "date": None} for c in copies])
        return Event(date=date, quote=quote, citation=citation)

    topic = {"id": "t", "split": "tuning", "docs": ["a", "b"], "events": [
        {"evidence": ["killed in  fighting on Friday", "nine died"], "from": "2017-03-10", "to": "2017-03-10"},
        {"evidence": ["advance on March 3"], "from": "2017-03-03", "to": "2017-03-03"},
        {"evidence": ["never told"], "from": "2017-03-01", "to": "2017-03-01"}]}
    events = [event("2017-03-10", "Nine people were killed in fighting\non Friday.", "a"),
              event("2017-03-14", "BDB's advance on March 3 set off fighting.", "c", ("b",)),  # a copy of b
              event("2017-03-14", "Something else.", "z")]
    row = judge(topic, events)
    assert (row["found"], row["dated"], row["events"], row["on_topic"]) == (2, 1, 3, 2)
    assert summary([row]) == {"topics": 1, "recall": 66.7, "right_date": 50.0, "on_topic": 66.7,
                              "events_per_topic": 3.0}
    splits = {json.loads(line)["split"] for line in TOPICS.read_text("utf-8").splitlines() if line.strip()}
    assert splits == {"tuning", "heldout"}


def test_chunking_text_is_one_line_of_the_asked_size() -> None:
    from bench.chunking import one_line_text

    data = one_line_text(10_000)
    assert 9_996 <= len(data) <= 10_000
    assert b"\n" not in data
    data.decode("utf-8")  # cut on a character boundary


def test_chunking_watch_sees_the_pipeline_chunking() -> None:
    """bench.chunking times small writes once a large article's chunking has started, which it sees by
    wrapping the pipeline's chunking function: the local pipeline must call it through that name."""
    from bench.chunking import chunking_watched
    from bench.common import seed_article
    from chatbot.store import pipeline

    article = seed_article()
    real = pipeline.chunk_article
    with chunking_watched(len(article.text) + 1) as longer:
        pipeline.LocalPipeline(lambda: None).chunk(article, 600, 120)  # type: ignore[arg-type, return-value]
    assert not longer.is_set()
    with chunking_watched(len(article.text) - 1) as shorter:
        chunks = pipeline.LocalPipeline(lambda: None).chunk(article, 600, 120)  # type: ignore[arg-type, return-value]
    assert shorter.is_set()
    assert chunks and all(c.doc_id == article.doc_id for c in chunks)
    assert pipeline.chunk_article is real


def test_refusal_checks_off_patches_what_the_answerer_calls() -> None:
    """bench.eval_refusals switches checks off by replacing functions the extractive answerer calls;
    each replacement must exist there, take the same arguments, and be put back afterwards."""
    from bench.eval_refusals import checks_off
    from chatbot.answering import extractive, question

    before = extractive.holds, extractive.referent_span, question.QuestionNeeds.accepts, extractive.counts_of_origin
    real_accepts = inspect.signature(question.QuestionNeeds.accepts).parameters
    with checks_off():
        assert set(inspect.signature(question.QuestionNeeds.accepts).parameters) == set(real_accepts)
        assert extractive.referent_span is not before[1] and extractive.holds is not before[0]
        assert extractive.counts_of_origin is not before[3]
    assert (extractive.holds, extractive.referent_span, question.QuestionNeeds.accepts,
            extractive.counts_of_origin) == before


def test_settings_the_scripts_set_exist() -> None:
    """Settings ignore unknown fields (a stale name in a .env must not stop the server), so a setting
    renamed in the package would be silently dropped from a benchmark's configuration: every keyword
    the scripts pass to ``Settings``, ``make_settings`` or ``service_for`` must be a settings field."""
    import ast

    from chatbot.settings import Settings

    used: dict[str, str] = {}
    for path in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in {"Settings", "make_settings", "service_for"}:
                for keyword in node.keywords:
                    if keyword.arg and keyword.arg != "_env_file":
                        used[keyword.arg] = f"{path.name}:{node.lineno}"
    assert {"answerer", "chroma_url", "embedding_backend", "index_dir"} <= set(used)  # the scan finds them
    unknown = {name: where for name, where in used.items() if name not in Settings.model_fields}
    assert not unknown, f"not settings fields: {unknown}"


def test_figures_are_written_as_json_where_asked(tmp_path: Path) -> None:
    from bench.common import write_json

    target = tmp_path / "new" / "figures.json"
    write_json(target, {"hit@5": 0.96, "at": Path("x"), "question": "Qui dirige l'ANL ?"})
    assert json.loads(target.read_text("utf-8")) == {"hit@5": 0.96, "at": "x", "question": "Qui dirige l'ANL ?"}
    write_json(None, {"nothing": True})  # no path: nothing written, no error
