"""The ``chatbot`` command as users and scripts run it: a real process on a real index folder.

Each call that embeds loads the model in its own process (about ten seconds), so the story is told
in two flows rather than many small tests. The JSON printed must match DESIGN.md's shapes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fixtures_articles import FRENCH_TEXT, write_bad_inputs

ROOT = Path(__file__).resolve().parents[1]
MODELS = Path(os.environ.get("CHATBOT_MODELS_DIR", ROOT / "models"))
PASSAGE_KEYS = {"doc_id", "title", "source", "date", "lang", "chunk_id", "start", "end", "text", "score"}
DOCUMENT_KEYS = {"doc_id", "title", "source", "date", "lang", "chunks", "sha256"}


def chatbot(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``chatbot ARGS`` with an index under ``tmp`` and the fetched models."""
    script = Path(sys.executable).with_name("chatbot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "chatbot.cli"]
    env = {**os.environ, "CHATBOT_INDEX_DIR": str(tmp / "index"), "CHATBOT_MODELS_DIR": str(MODELS),
           "CHATBOT_ARTICLES_DIR": str(tmp / "no-articles"), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([*command, *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=600)


def listed(tmp: Path) -> list[dict]:
    proc = chatbot(tmp, "index", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def test_add_with_bad_inputs_then_list_and_remove(tmp_path: Path, seed_copy: Path):
    first = chatbot(tmp_path, "index", "add", str(seed_copy))
    assert first.returncode == 0, first.stderr
    assert "added 1" in first.stdout
    (seed,) = listed(tmp_path)
    assert DOCUMENT_KEYS <= set(seed) and seed["lang"] == "fr" and seed["chunks"] > 0

    bad = write_bad_inputs(tmp_path / "bad")
    missing = tmp_path / "missing.txt"
    mixed = chatbot(tmp_path, "index", "add", "--json", str(seed_copy), str(tmp_path / "bad"), str(missing))
    assert mixed.returncode == 2
    report = json.loads(mixed.stdout)
    assert (report["added"], report["unchanged"], report["failed"]) == (0, 1, len(bad) + 1)
    lines = error_lines(mixed.stderr)
    assert len(lines) == len(bad) + 1
    for problem, path in bad.items():
        (line,) = [line for line in lines if str(path) in line]
        assert problem.lower() in line.lower()
    assert any(str(missing) in line and "no such file" in line for line in lines)
    assert listed(tmp_path) == [seed]  # nothing lost, nothing duplicated

    removed = chatbot(tmp_path, "index", "remove", "--json", seed["doc_id"])
    assert removed.returncode == 0 and json.loads(removed.stdout)["removed"] == 1
    assert listed(tmp_path) == []
    unknown = chatbot(tmp_path, "index", "remove", "no-such-doc")
    assert unknown.returncode == 2 and "no-such-doc" in unknown.stderr


def test_rebuild_from_a_folder_then_search_json(tmp_path: Path, seed_copy: Path):
    (seed_copy / "lyon.txt").write_text("Lyon inaugure son tramway\n\n" + FRENCH_TEXT, encoding="utf-8")
    rebuilt = chatbot(tmp_path, "index", "rebuild", "--from", str(seed_copy), "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["added"] == 2
    docs = listed(tmp_path)
    assert len(docs) == 2 and all(DOCUMENT_KEYS <= set(d) for d in docs)

    found = chatbot(tmp_path, "search", "Quels pays soutiennent le maréchal Haftar ?", "--k", "3", "--json")
    assert found.returncode == 0, found.stderr
    passages = json.loads(found.stdout)
    assert 1 <= len(passages) <= 3
    assert all(PASSAGE_KEYS <= set(p) for p in passages)
    assert "soutien égyptien, saoudien et émirati" in " ".join(p["text"] for p in passages)
    seed_text = (ROOT / "seeds" / next(seed_copy.glob("0*.txt")).name).read_text(encoding="utf-8")
    for p in passages:
        assert p["end"] - p["start"] == len(p["text"])
        if p["lang"] == "fr" and "Haftar" in p["title"]:
            assert p["text"] in seed_text

    no_folder = chatbot(tmp_path, "index", "rebuild", "--from", str(tmp_path / "nope"))
    assert no_folder.returncode == 2 and "nope" in no_folder.stderr
    assert len(listed(tmp_path)) == 2  # the failed rebuild changed nothing
    empty_query = chatbot(tmp_path, "search", "  ")
    assert empty_query.returncode == 2 and "empty" in empty_query.stderr


def test_eval_on_an_empty_index_says_so_instead_of_scoring_zero(tmp_path: Path):
    questions = Path(__file__).parent / "eval" / "questions.jsonl"
    result = chatbot(tmp_path, "eval", str(questions), "--limit", "2")
    assert result.returncode != 0
    assert "is empty" in result.stderr and "chatbot index add" in result.stderr
