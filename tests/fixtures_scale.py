"""Articles and helpers for the server-mode, crash and concurrency tests.

``many_articles`` writes a folder of distinct small articles, each with one invented word found in no
other article, so a test can tell exactly which articles made it into the index, by lexical search.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from fixtures_articles import ENGLISH_TEXT, FRENCH_TEXT

TOWNS = ["Aberdeen", "Bergen", "Cadiz", "Dundee", "Esbjerg", "Faro", "Galway", "Hull", "Izmir", "Kiel"]


def unique_collection() -> str:
    """A collection name no other test uses, so tests can share one Chroma server."""
    return f"t{uuid.uuid4().hex[:12]}"


def marker(i: int) -> str:
    """The invented word only article ``i`` contains."""
    return f"zorblax{i:03d}"


def many_articles(folder: Path, count: int = 40) -> Path:
    """``count`` harbour-news articles of a few chunks each (so indexing them takes a while)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        town = TOWNS[i % len(TOWNS)]
        paragraphs = [
            f"The port authority of {town} announced on day {i} that the {marker(i)} terminal will "
            f"reopen after repairs costing {i + 3} million euros.",
            f"Dock workers in {town} said the closure of pier {i % 7} had delayed ferry traffic for "
            f"{i % 5 + 2} weeks and that fishing boats were moved to the northern basin.",
            f"The mayor of {town} told reporters that container volumes fell by {i % 9 + 1} percent "
            "in the spring, while cruise arrivals kept rising thanks to new routes.",
            f"Environmental groups asked the harbour board of {town} to publish the dredging plan, "
            "which they fear could harm the seagrass meadows near the breakwater.",
            f"Engineers expect the new cranes ordered for {town} to arrive before winter, when the "
            "storm season usually halts work on the outer quay for several days.",
        ]
        (folder / f"harbour-{i:03d}.txt").write_text(
            f"{town} harbour update {i}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    return folder


def ghana_and_lyon(folder: Path) -> Path:
    """Two short articles (English and French) unrelated to the seed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ghana.txt").write_text("Ghana raises rates\n\n" + ENGLISH_TEXT, encoding="utf-8")
    (folder / "lyon.txt").write_text("Lyon inaugure son tramway\n\n" + FRENCH_TEXT, encoding="utf-8")
    return folder


def assert_consistent(service: object) -> None:
    """Manifest and store agree: the store holds exactly the chunks the listed articles name (ids
    are keys, so a chunk cannot be stored twice; what can go wrong is a chunk of an article that is
    not listed, a stale chunk beyond an article's count, or a missing one)."""
    from chatbot.schemas import chunk_ids

    store = service.index.store  # type: ignore[attr-defined]
    docs = service.documents()  # type: ignore[attr-defined]
    stored = {cid: meta.get("doc_id") for cid, _, meta in store.iter_chunks()}
    expected = {cid: d.doc_id for d in docs for cid in chunk_ids(d.doc_id, d.chunks)}
    assert stored == expected


def titles_found(service: object, query: str, k: int = 8) -> list[str]:
    """Titles of the first ``k`` passages. These tests check that an article is searchable at all
    after writes by several replicas; how well it ranks is the retrieval tests' business."""
    return [p.title for p in service.search(query, k)]  # type: ignore[attr-defined]
