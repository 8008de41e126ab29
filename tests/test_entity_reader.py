"""The entity reader of large adds: a process of its own, and what happens when that process dies."""

from __future__ import annotations

import logging
import multiprocessing

from conftest import SEEDS
from test_entities import FIXTURE

from chatbot.store.entity_reader import EntityProcess
from chatbot.text.entities import decode

ENGLISH = "Field Marshal Khalifa Haftar met Fayez al-Serraj in Abu Dhabi on Wednesday."


def test_a_large_add_stores_the_entities_of_every_article_in_both_languages(make_service):
    service = make_service()
    report = service.add_paths([FIXTURE, SEEDS])
    assert report.chunks_embedded > 32  # a large add: its entities are read in a process of its own
    stored = {doc_id: decode(record.get("entities")) for doc_id, record in service.index.store.manifest().items()}
    assert len(stored) == 8 and all(m is not None and m.names for m in stored.values())
    seed = next(d.doc_id for d in service.documents() if d.lang == "fr")
    assert ("Khalifa Haftar", "person") in stored[seed].names  # the French pipeline, in the same process


def test_a_killed_reader_process_hands_the_reading_back_to_the_indexing_process(caplog):
    reader = EntityProcess(["en"])
    try:
        first = decode(reader.read(ENGLISH, "en"))
        assert ("Fayez al-Serraj", "person") in first.names
        children = multiprocessing.active_children()
        assert children, "the reader runs in a child process"
        for child in children:
            child.kill()
            child.join(10)
        with caplog.at_level(logging.WARNING, logger="chatbot.store.entity_reader"):
            again = decode(reader.read(ENGLISH, "en"))
        assert again.names == first.names  # nothing lost: read in this process instead
        assert "entity reader process unavailable" in caplog.text
        assert decode(reader.read("Fayez al-Serraj spoke in Tripoli.", "en")).names  # and it goes on
    finally:
        reader.close()
