"""Server mode: every index feature against a real Chroma server, shared by several app processes.

Each ChatService below stands for one app process: its own CHATBOT_INDEX_DIR (its local BM25 cache),
the same Chroma server and collection. What users rely on: an article added or removed through any
replica, or a rebuild run on one, is what every replica answers from next.
"""

from __future__ import annotations

from fixtures_scale import ghana_and_lyon, titles_found, unique_collection

from chatbot.store.check import check_index


def test_every_index_feature_works_against_a_chroma_server(make_service, chroma_url, seed_copy, tmp_path):
    service = make_service("app", chroma_url=chroma_url, collection=unique_collection())
    report = service.add_paths([seed_copy, ghana_and_lyon(tmp_path / "more")])
    assert report.counts()["added"] == 3
    assert not (service.settings.index_dir / "chroma").exists()  # no embedded store: all in the server

    answer = service.ask("Qui dirige l'Armée nationale arabe libyenne ?")
    assert "Haftar" in answer.answer and not answer.refused and answer.citations
    assert "Ghana raises rates" in titles_found(service, "Ernest Addison inflation")

    ghana = next(d.doc_id for d in service.documents() if d.title == "Ghana raises rates")
    assert service.remove([ghana]).removed == [ghana]
    assert all(p.doc_id != ghana for p in service.search("Ernest Addison inflation", 5))
    assert service.index.lexical.search("Addison", 5) == []

    rebuilt = service.rebuild(ghana_and_lyon(tmp_path / "next"))
    assert rebuilt.counts()["added"] == 2
    assert sorted(d.title for d in service.documents()) == ["Ghana raises rates", "Lyon inaugure son tramway"]
    assert service.index.registry.generations() == [service.index.store.generation]
    assert "Lyon inaugure son tramway" in titles_found(service, "tramway Lyon")
    assert service.ask("Who is the governor of the central bank of Ghana?").citations
    assert check_index(service.index).clean


def test_replicas_sharing_a_server_see_each_others_writes(make_service, chroma_url, seed_copy, tmp_path):
    collection = unique_collection()
    first = make_service("app-1", chroma_url=chroma_url, collection=collection)
    second = make_service("app-2", chroma_url=chroma_url, collection=collection)
    first.add_paths([seed_copy])
    assert [d.title for d in second.documents()] == [d.title for d in first.documents()]
    assert second.search("Haftar", 1)  # the second replica's BM25 now holds the seed alone

    more = ghana_and_lyon(tmp_path / "more")
    second.add_paths([more / "ghana.txt"])  # written through the other replica
    assert "Ghana raises rates" in titles_found(first, "Addison")
    # "Addison" is found by the lexical side: the first replica rebuilt its BM25 on the new stamp
    hits = first.index.lexical.search("Addison", 3)
    assert hits and hits[0][0].split(":")[0] in {d.doc_id for d in first.documents()}
    assert (first.settings.index_dir / "lexical").is_dir() and (second.settings.index_dir / "lexical").is_dir()

    first.add_paths([more / "lyon.txt"])
    assert "Lyon inaugure son tramway" in {d.title for d in second.documents()}
    assert second.index.lexical.search("tramway", 3)

    generation = second.index.store.generation
    first.rebuild(ghana_and_lyon(tmp_path / "only-two"))  # the seed is not in this folder
    assert "Lyon inaugure son tramway" in titles_found(second, "tramway Lyon")
    assert second.index.store.generation == first.index.store.generation != generation
    assert second.index.lexical.search("Haftar Ghadamès", 5) == []
    assert sorted(d.doc_id for d in second.documents()) == sorted(d.doc_id for d in first.documents())
    answer = second.ask("Which line did Lyon open?")
    assert answer.answer.strip() and all(c.title != "" for c in answer.citations)
