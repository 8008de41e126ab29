"""``kill -9`` in the middle of ``chatbot index add`` and ``index rebuild``, and ``index check``.

The killed command is a real ``chatbot`` process writing a real embedded Chroma store. Afterwards the
index must open and answer as before, a re-run must finish the work without duplicating anything,
and ``chatbot index check`` must find (and with --repair fix) what a crash can leave behind.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from conftest import MODELS, SEEDS
from fixtures_scale import TOWNS, assert_consistent, ghana_and_lyon, many_articles, marker

from chatbot.ingest.chunking import chunk_article
from chatbot.schemas import Article

SEED_QUESTION = "Qui dirige l'Armée nationale arabe libyenne ?"


def cli(index_dir: Path, *args: str, cwd: Path) -> subprocess.Popen:
    """A real ``chatbot`` process on the embedded index in ``index_dir``."""
    env = {**os.environ, "CHATBOT_INDEX_DIR": str(index_dir), "CHATBOT_MODELS_DIR": str(MODELS),
           "CHATBOT_ARTICLES_DIR": str(SEEDS), "HF_HUB_OFFLINE": "1"}
    env.pop("CHATBOT_CHROMA_URL", None)
    return subprocess.Popen([sys.executable, "-m", "chatbot.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def records_written(index_dir: Path) -> int:
    """How many records Chroma's write log holds (read-only, as a second process may)."""
    db = index_dir / "chroma" / "chroma.sqlite3"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return int(conn.execute("SELECT COALESCE(MAX(seq_id), 0) FROM embeddings_queue").fetchone()[0])


def kill_once_writing(proc: subprocess.Popen, index_dir: Path, beyond: int) -> None:
    """SIGKILL ``proc`` as soon as it has written a few records past ``beyond``."""
    while records_written(index_dir) < beyond + 4:
        assert proc.poll() is None, f"finished before it could be killed: {proc.communicate()}"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def lexical_title(service, word: str) -> str:
    """Title of the article whose chunk the BM25 index ranks first for ``word``."""
    (chunk_id, _), *_ = service.index.lexical.search(word, 1)
    titles = {d.doc_id: d.title for d in service.documents()}
    return titles[chunk_id.rsplit(":", 1)[0]]


def seeded(make_service, name: str):
    service = make_service(name)
    service.add_paths([SEEDS])
    (doc,) = service.documents()
    return service, doc


def test_kill_during_index_add_loses_nothing_and_a_rerun_completes(make_service, tmp_path):
    service, seed = seeded(make_service, "index")
    answer_before = service.ask(SEED_QUESTION).answer
    index_dir = service.settings.index_dir
    service.index.close()  # the store now belongs to the command below
    folder = many_articles(tmp_path / "harbours")
    proc = cli(index_dir, "index", "add", str(folder), cwd=tmp_path)
    kill_once_writing(proc, index_dir, records_written(index_dir))

    after = make_service("index")  # a new process opening the index the killed one left
    docs = {d.doc_id: d for d in after.documents()}
    assert docs[seed.doc_id] == seed and 1 <= len(docs) < 41  # killed part-way through
    assert after.ask(SEED_QUESTION).answer == answer_before
    stored = after.index.article(seed.doc_id)
    assert stored is not None and "Haftar" in stored[1]
    for passage in after.search("zorblax terminal repairs", 10):
        assert passage.doc_id in docs  # chunks of an article cut short are never shown

    report = after.add_paths([folder])
    assert report.counts()["added"] == 41 - len(docs) and not report.failed
    assert len(after.documents()) == 41
    assert_consistent(after)
    assert lexical_title(after, marker(39)) == f"{TOWNS[39 % len(TOWNS)]} harbour update 39"
    check = cli(index_dir, "index", "check", "--json", cwd=tmp_path)
    out, err = check.communicate()
    assert check.returncode == 0, err
    assert json.loads(out)["clean"] is True


def test_kill_during_rebuild_keeps_the_old_index_and_a_rerun_switches(make_service, tmp_path):
    service, seed = seeded(make_service, "index")
    answer_before = service.ask(SEED_QUESTION).answer
    generation = service.index.store.generation
    index_dir = service.settings.index_dir
    service.index.close()
    folder = many_articles(tmp_path / "harbours")
    proc = cli(index_dir, "index", "rebuild", "--from", str(folder), cwd=tmp_path)
    kill_once_writing(proc, index_dir, records_written(index_dir))

    after = make_service("index")
    assert after.documents() == [seed]
    assert after.index.store.generation == generation
    assert after.ask(SEED_QUESTION).answer == answer_before
    assert after.index.lexical.search(marker(0), 3) == []
    half_built = after.index.stale_generations()
    assert len(half_built) == 1  # what the killed rebuild left; nobody serves from it

    report = after.rebuild(folder)
    assert report.counts()["added"] == 40 and not report.failed
    assert after.index.registry.generations() == [after.index.store.generation]
    assert seed.doc_id not in {d.doc_id for d in after.documents()} and len(after.documents()) == 40
    assert_consistent(after)
    assert lexical_title(after, marker(7)) == f"{TOWNS[7]} harbour update 7"


def test_index_check_finds_and_repairs_a_damaged_index(make_service, seed_copy, tmp_path):
    service = make_service("index")
    service.add_paths([seed_copy, ghana_and_lyon(tmp_path / "more")])
    docs = {d.title: d for d in service.documents()}
    ghana, seed = docs["Ghana raises rates"], next(d for d in docs.values() if d.lang == "fr" and d.chunks > 1)
    store = service.index.store
    # orphans: chunks written by an add killed before its manifest record
    ghost = Article(doc_id="ghost", title="Ghost", text="Spectral harbour news. " * 80, sha256="g")
    ghost_chunks = chunk_article(ghost)
    vectors = service.embedder.embed_documents([c.text for c in ghost_chunks], ["Ghost"] * len(ghost_chunks))
    store.chunks.upsert(ids=[c.chunk_id for c in ghost_chunks], embeddings=np.asarray(vectors),
                        documents=[c.text for c in ghost_chunks],
                        metadatas=[{"doc_id": "ghost", "title": "Ghost", "start": c.start, "end": c.end}
                                   for c in ghost_chunks])
    # a manifest record whose chunks are partly gone
    store.delete_chunks([f"{seed.doc_id}:0001"])
    # a generation a killed rebuild left behind
    leftover = service.index.start_generation()
    leftover.put_article(ghost, ghost_chunks, np.asarray(vectors))
    service.index.close()

    found = cli(service.settings.index_dir, "index", "check", "--json", cwd=tmp_path)
    out, err = found.communicate()
    assert found.returncode == 1, err
    report = json.loads(out)
    assert report["orphan_chunks"] == {"ghost": len(ghost_chunks)}
    assert [i["doc_id"] for i in report["incomplete"]] == [seed.doc_id]
    assert report["to_readd"][0]["origin"] and "missing" in report["incomplete"][0]["problem"]
    assert report["stale_generations"] == [leftover.generation]
    assert report["lexical"] == "stale" and report["clean"] is False

    fixed = cli(service.settings.index_dir, "index", "check", "--repair", cwd=tmp_path)
    out, err = fixed.communicate()
    assert fixed.returncode == 0, err
    assert f"add again: {report['to_readd'][0]['origin']}" in out and "repaired" in out
    again = cli(service.settings.index_dir, "index", "check", cwd=tmp_path)
    out, _ = again.communicate()
    assert again.returncode == 0 and out.strip().endswith("clean")

    after = make_service("index")
    assert sorted(d.title for d in after.documents()) == sorted(t for t in docs if t != seed.title)
    assert all(p.doc_id != "ghost" for p in after.search("Spectral harbour news", 5))
    assert_consistent(after)
    assert after.add_paths([seed_copy]).counts()["added"] == 1  # re-adding restores the article
    assert seed.doc_id in {p.doc_id for p in after.search("Haftar", 3)}
    assert ghana.doc_id in {d.doc_id for d in after.documents()}
