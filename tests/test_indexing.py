"""Index sync, removal, rebuild and search, with the real model and real Chroma on disk.

What a user relies on: adding the same folder twice costs nothing, an edited article replaces its
old version, a removed one disappears everywhere, a crashed rebuild leaves the old index serving,
and several processes sharing one index all see the same articles.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fixtures_articles import ENGLISH_TEXT, FRENCH_TEXT, NEWS_HTML, PDF_LINES, write_bad_inputs, write_json, write_pdf

from chatbot.ingest.chunking import chunk_article
from chatbot.schemas import Article
from chatbot.store import pipeline
from chatbot.store.indexer import RebuildInterrupted

SUPPORT = "soutien égyptien, saoudien et émirati"


def stored_chunks(service) -> list[tuple[str, str, dict]]:
    return list(service.index.store.iter_chunks())


def _one_chunk_article() -> tuple[Article, list, np.ndarray]:
    article = Article(doc_id="half", title="Half", text="Half written.", sha256="x")
    chunks = chunk_article(article)
    return article, chunks, np.ones((len(chunks), 768), dtype=np.float32) / np.sqrt(768)


def other_articles(folder: Path) -> Path:
    """Two short articles (English and French) unrelated to the seed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ghana.txt").write_text("Ghana raises rates\n\n" + ENGLISH_TEXT, encoding="utf-8")
    (folder / "lyon.txt").write_text("Lyon inaugure son tramway\n\n" + FRENCH_TEXT, encoding="utf-8")
    return folder


def test_readding_unchanged_articles_embeds_nothing(make_service, seed_copy, embedder):
    service = make_service()
    first = service.add_paths([seed_copy])
    assert first.counts()["added"] == 1
    (doc,) = service.documents()
    assert doc.lang == "fr" and doc.chunks == first.chunks_embedded == service.index.store.chunk_count()
    before = embedder.documents_embedded
    again = service.add_paths([seed_copy])
    assert again.counts() == {"added": 0, "updated": 0, "unchanged": 1, "removed": 0, "failed": 0,
                              "chunks_embedded": 0}
    assert embedder.documents_embedded == before
    assert [d.model_dump() for d in service.documents()] == [doc.model_dump()]


def test_edited_file_replaces_its_old_version(make_service, seed_copy, seed_text: str):
    service = make_service()
    service.add_paths([seed_copy])
    (old,) = service.documents()
    file = next(seed_copy.iterdir())
    dropped = "L'Union africaine a annoncé"
    new_text = seed_text[:seed_text.index(dropped)] + "Le marché de Benghazi a rouvert ses portes lundi."
    file.write_text(new_text, encoding="utf-8")
    report = service.add_paths([seed_copy])
    assert report.counts()["updated"] == 1 and report.counts()["added"] == 0
    (new,) = service.documents()
    assert new.doc_id != old.doc_id and new.sha256 != old.sha256
    chunks = stored_chunks(service)
    assert {meta["doc_id"] for _, _, meta in chunks} == {new.doc_id}
    assert not any(dropped in text for _, text, _ in chunks)
    assert len(chunks) == new.chunks == report.chunks_embedded
    assert service.search("marché de Benghazi", 1)[0].doc_id == new.doc_id


def test_same_id_with_shorter_text_leaves_no_stale_chunk(make_service, tmp_path, seed_text: str):
    service = make_service()
    path = write_json(tmp_path / "libye.json", {"id": "libye-1", "title": "Libye", "text": seed_text})
    service.add_paths([path])
    long_count = service.index.store.chunk_count()
    short = seed_text[:900].strip()
    write_json(path, {"id": "libye-1", "title": "Libye", "text": short})
    report = service.add_paths([path])
    assert report.updated == ["libye-1"]
    expected = chunk_article(Article(doc_id="libye-1", title="Libye", text=short, sha256=""))
    chunks = stored_chunks(service)
    assert long_count > len(chunks) == len(expected)
    assert sorted(cid for cid, _, _ in chunks) == [c.chunk_id for c in expected]
    stored = service.index.article("libye-1")
    assert stored is not None and stored[1] == short


def test_removed_article_is_gone_from_list_chunks_and_search(make_service, seed_copy, tmp_path):
    service = make_service()
    service.add_paths([seed_copy, other_articles(tmp_path / "more")])
    seed_id = next(d.doc_id for d in service.documents() if d.lang == "fr" and "Haftar" in d.title)
    report = service.remove([seed_id, "no-such-doc"])
    assert report.removed == [seed_id]
    assert report.failed == [{"path": "no-such-doc", "error": "no such document in the index"}]
    assert seed_id not in {d.doc_id for d in service.documents()}
    assert all(meta["doc_id"] != seed_id for _, _, meta in stored_chunks(service))
    assert all(p.doc_id != seed_id for p in service.search("Haftar marche sur Tripoli", 5))
    assert service.index.lexical.search("Haftar Tripoli Ghadamès", 10) == []
    assert service.index.article(seed_id) is None


def test_lexical_index_is_rebuilt_from_chroma_alone(make_service, seed_copy):
    first = make_service("shared")
    first.add_paths([seed_copy])
    lexical_dir = first.settings.index_dir / "lexical"
    assert lexical_dir.is_dir()
    shutil.rmtree(lexical_dir)
    second = make_service("shared")
    assert second.search("Ghadamès conférence nationale", 3)
    hits = second.index.lexical.search("Ghadamès", 3)
    assert hits and hits[0][0].startswith(first.documents()[0].doc_id)
    assert lexical_dir.is_dir()  # saved again for the next process


def test_second_service_on_the_same_index_sees_new_articles(make_service, seed_copy, tmp_path):
    writer = make_service("shared")
    reader = make_service("shared")
    writer.add_paths([seed_copy])
    assert reader.search("Haftar", 1)  # the reader now holds a lexical index of the seed only
    more = other_articles(tmp_path / "more")
    writer.add_paths([more / "ghana.txt"])
    assert "Ghana raises rates" in {d.title for d in reader.documents()}
    top = reader.search("Ernest Addison inflation", 1)[0]
    assert top.title == "Ghana raises rates"
    assert reader.index.lexical.search("Addison", 3)[0][0] == top.chunk_id


def test_rebuild_from_a_folder_swaps_in_the_new_articles(make_service, seed_copy, tmp_path):
    service = make_service()
    service.add_paths([seed_copy])
    reader = make_service()  # a second index object serving the same folder during the rebuild
    assert len(reader.documents()) == 1
    old_generation = service.index.store.generation
    leftover = service.index.start_generation()  # what a rebuild killed mid-way leaves behind
    leftover.put_article(*_one_chunk_article())
    report = service.rebuild(other_articles(tmp_path / "other"))
    assert report.counts()["added"] == 2
    assert sorted(d.title for d in service.documents()) == ["Ghana raises rates", "Lyon inaugure son tramway"]
    assert service.index.store.generation != old_generation
    assert service.index.stale_generations() == []
    assert service.index.registry.generations() == [service.index.store.generation]
    assert [d.model_dump() for d in reader.documents()] == [d.model_dump() for d in service.documents()]
    assert service.search("tramway Lyon", 1)[0].title == "Lyon inaugure son tramway"
    assert not any("Haftar" in p.text for p in service.search("Haftar Tripoli", 5))


def test_interrupted_rebuild_leaves_the_old_index_serving(make_service, seed_copy, tmp_path, embedder,
                                                          monkeypatch):
    service = make_service()
    service.add_paths([seed_copy])
    docs_before = [d.model_dump() for d in service.documents()]
    hits_before = [(p.chunk_id, p.text) for p in service.search("Qui soutient le maréchal ?", 3)]
    generation = service.index.store.generation
    source = other_articles(tmp_path / "next")
    shutil.copy(next(seed_copy.iterdir()), source)

    real = embedder.embed_documents_with_pieces  # what indexing calls
    calls = []

    def crash_after_first_batch(texts, titles, pieces, **kwargs):
        calls.append(len(texts))
        if len(calls) > 1:
            raise RuntimeError("simulated crash while embedding")
        return real(texts, titles, pieces, **kwargs)

    monkeypatch.setattr(pipeline, "ENCODE_BATCH", 2)
    monkeypatch.setattr(embedder, "embed_documents_with_pieces", crash_after_first_batch)
    with pytest.raises(RebuildInterrupted, match="previous index still serves"):
        service.rebuild(source)
    monkeypatch.undo()
    assert len(calls) == 2  # it did get half-way

    assert [d.model_dump() for d in service.documents()] == docs_before
    assert [(p.chunk_id, p.text) for p in service.search("Qui soutient le maréchal ?", 3)] == hits_before
    assert service.index.store.generation == generation
    assert service.index.registry.generations() == [generation]
    lexical = service.settings.index_dir / "lexical"
    assert [p.name for p in lexical.iterdir()] == [f"articles-{generation}"]
    service.index.close()  # a real second process opens the folder the interrupted rebuild left
    listed = subprocess.run([sys.executable, "-m", "chatbot.cli", "index", "list", "--json"],
                            env={**os.environ, "CHATBOT_INDEX_DIR": str(service.settings.index_dir)},
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    assert [{k: d[k] for k in ("doc_id", "sha256", "chunks")} for d in json.loads(listed.stdout)] == \
        [{k: d[k] for k in ("doc_id", "sha256", "chunks")} for d in docs_before]


def test_bad_inputs_are_named_and_the_good_files_still_indexed(make_service, seed_copy, tmp_path):
    service = make_service()
    service.add_paths([seed_copy])
    (seed_doc,) = service.documents()
    folder = tmp_path / "mixed"
    bad = write_bad_inputs(folder)
    (folder / "courier.html").write_text(NEWS_HTML, encoding="utf-8")
    write_pdf(folder / "sfax.pdf", PDF_LINES, title="La sardine se fait rare")
    missing = tmp_path / "nowhere.txt"
    report = service.add_paths([folder, seed_copy, missing])
    failed = {f["path"]: f["error"] for f in report.failed}
    assert set(failed) == {str(p) for p in bad.values()} | {str(missing)}
    for problem, path in bad.items():
        assert problem.lower() in failed[str(path)].lower()
    assert report.counts()["added"] == 2 and report.unchanged == [seed_doc.doc_id]
    titles = sorted(d.title for d in service.documents())
    assert titles == sorted(["Haftar forces advance on Tripoli", "La sardine se fait rare", seed_doc.title])
    assert service.index.store.chunk_count() == sum(d.chunks for d in service.documents())

    before = [d.model_dump() for d in service.documents()]
    all_bad = tmp_path / "all-bad"
    write_bad_inputs(all_bad)
    rebuilt = service.rebuild(all_bad)  # a folder where nothing loads must not wipe the index
    assert rebuilt.failed[-1]["path"] == str(all_bad) and "left as it was" in rebuilt.failed[-1]["error"]
    assert len(rebuilt.failed) == len(bad) + 1
    assert [d.model_dump() for d in service.documents()] == before


def test_progress_is_reported_while_embedding_a_folder(make_service, seed_copy, monkeypatch):
    other_articles(seed_copy)
    monkeypatch.setattr(pipeline, "ENCODE_BATCH", 3)
    calls: list[tuple[int, int, int, int]] = []
    report = make_service().add_paths([seed_copy], progress=lambda *args: calls.append(args))
    assert report.counts()["added"] == 3
    total = report.chunks_embedded
    assert len(calls) >= 2
    assert all(c[1] == total for c in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert calls[-1] == (total, total, 3, 3)
    # articles are counted as their last chunk is embedded: the count grows with the chunks
    assert all(c[3] == 3 for c in calls) and [c[2] for c in calls] == sorted(c[2] for c in calls)
    assert calls[0][2] < 3


def test_french_question_finds_the_right_seed_passage(seeded_service, seed_text: str):
    passages = seeded_service.search("Qui dirige l'Armée nationale arabe libyenne ?", 3)
    assert "dirigés par Khalifa Haftar" in passages[0].text
    for p in passages:
        assert seed_text[p.start:p.end] == p.text


def test_english_question_finds_the_french_support_passage(seeded_service, seed_text: str):
    passages = seeded_service.search("Which countries support Haftar?", 3)
    assert any(SUPPORT in p.text for p in passages), [p.text[:80] for p in passages]
    hit = next(p for p in passages if SUPPORT in p.text)
    assert seed_text[hit.start:hit.end] == hit.text and hit.lang == "fr"


def test_rebuilds_leave_no_chroma_folders_behind_and_check_finds_strays(make_service, seed_copy):
    from chatbot.store.check import check_index
    from chatbot.store.chroma_files import orphan_segment_dirs

    service = make_service()
    service.add_paths([seed_copy])
    chroma = service.settings.index_dir / "chroma"

    def folders() -> list[str]:
        return sorted(p.name for p in chroma.iterdir() if p.is_dir())

    one_generation = len(folders())
    for _ in range(2):
        service.rebuild()
    assert orphan_segment_dirs(chroma) == [] and len(folders()) == one_generation
    assert check_index(service.index).clean
    assert service.search("Haftar Tripoli", 1)[0].title == service.documents()[0].title

    # a folder of a collection dropped without cleaning (by an older version, or another tool)
    stray = service.index.client.create_collection("stray-collection", embedding_function=None)
    stray.add(ids=[str(i) for i in range(200)], embeddings=np.random.default_rng(0).random((200, 8)))
    service.index.client.delete_collection("stray-collection")
    found = check_index(service.index)
    assert not found.clean and len(found.orphan_segment_dirs) == 1 and found.orphan_bytes > 0
    assert check_index(service.index, repair=True).repaired
    assert check_index(service.index).clean and len(folders()) == one_generation
    assert service.search("Haftar Tripoli", 1)[0].title == service.documents()[0].title
