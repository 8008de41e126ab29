"""Writes and questions at the same time, in one process and across processes sharing a store.

Users keep asking while someone uploads or rebuilds: every question must get a non-empty answer, an
article added while a rebuild runs must survive the switch, and two uploads of the same article at
once must index it once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from conftest import SEED_FILE
from fixtures_scale import assert_consistent, ghana_and_lyon, titles_found, unique_collection

SEED_QUESTION = "Qui dirige l'Armée nationale arabe libyenne ?"


def run_threads(*targets: Callable[[], None]) -> list[BaseException]:
    """Run ``targets`` in threads, wait for all, return what they raised."""
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_questions_are_answered_while_an_add_and_a_rebuild_run(make_service, seed_copy, tmp_path):
    service = make_service()
    service.add_paths([seed_copy])
    writing = threading.Event()
    writing.set()
    answers: list[tuple[str, bool, list[str]]] = []

    def write() -> None:
        try:
            service.add_paths([ghana_and_lyon(tmp_path / "more")])
            rebuild_from = ghana_and_lyon(tmp_path / "next")
            (rebuild_from / SEED_FILE.name).write_bytes(SEED_FILE.read_bytes())
            service.rebuild(rebuild_from)
        finally:
            writing.clear()

    def ask() -> None:
        while writing.is_set() or not answers:
            answer = service.ask(SEED_QUESTION)
            answers.append((answer.answer, answer.refused, [c.quote for c in answer.citations]))

    assert run_threads(write, ask, ask) == []
    assert len(answers) >= 2
    for text, refused, quotes in answers:
        assert text.strip() and not refused and any("Haftar" in q for q in quotes)
    titles = {d.title for d in service.documents()}
    assert {"Ghana raises rates", "Lyon inaugure son tramway"} < titles and len(titles) == 3
    assert_consistent(service)


@pytest.mark.parametrize("writer", ["same process", "other process"])
def test_an_article_added_during_a_rebuild_survives_the_switch(writer, make_service, chroma_url, embedder,
                                                                seed_copy, tmp_path, monkeypatch):
    server = {"chroma_url": chroma_url, "collection": unique_collection()} if writer == "other process" else {}
    rebuilder = make_service("app-1", **server)
    rebuilder.add_paths([seed_copy])
    other = rebuilder if writer == "same process" else make_service("app-2", **server)
    more = ghana_and_lyon(tmp_path / "more")
    real = embedder.embed_documents_with_pieces  # what indexing calls
    added: list[object] = []

    def add_while_rebuilding(texts, titles, pieces, **kwargs):
        if not added and threading.current_thread().name != "adder":
            # the rebuild is filling its new generation: an upload arrives now
            adder = threading.Thread(name="adder", target=lambda: added.append(
                other.add_paths([more / "ghana.txt"])))
            adder.start()
            adder.join()  # the add completes (into the old generation) before the rebuild goes on
        return real(texts, titles, pieces, **kwargs)

    monkeypatch.setattr(embedder, "embed_documents_with_pieces", add_while_rebuilding)
    old_generation = rebuilder.index.store.generation
    rebuilder.rebuild(seed_copy)
    monkeypatch.undo()

    assert added and added[0].counts()["added"] == 1  # type: ignore[attr-defined]
    assert rebuilder.index.store.generation != old_generation
    titles = sorted(d.title for d in rebuilder.documents())
    assert "Ghana raises rates" in titles and len(titles) == 2
    assert "Ghana raises rates" in titles_found(other, "Ernest Addison")
    assert rebuilder.index.lexical.search("Addison", 3)
    assert_consistent(rebuilder)


def test_two_concurrent_uploads_of_one_article_index_it_once(make_service, seed_copy, chroma_url):
    server = {"chroma_url": chroma_url, "collection": unique_collection()}
    first = make_service("app-1", **server)
    # another replica on the same Chroma server: its own client, index folder and write lock, so
    # nothing but the store itself orders its writes against the first one's (an embedded store
    # is opened by one process at a time)
    second = make_service("app-2", **server)
    start = threading.Barrier(3)
    reports = []

    def add(service) -> Callable[[], None]:
        def run() -> None:
            start.wait()
            reports.append(service.add_paths([seed_copy]))
        return run

    assert run_threads(add(first), add(first), add(second)) == []
    (doc,) = first.documents()
    assert doc.chunks > 1 and second.documents() == [doc]
    assert_consistent(first)
    counts = [r.counts() for r in reports]
    assert sum(c["added"] for c in counts) >= 1
    assert sum(c["added"] + c["unchanged"] for c in counts) == 3
    assert first.search("Haftar Tripoli", 1)[0].doc_id == doc.doc_id
