"""The lexical (BM25) index follows adds, edits and removals article by article.

What a user relies on: a word of a just-uploaded article is found at once, a removed or replaced
article's words are not, and the ranking is the one a fresh BM25 index of the same corpus gives,
however many small uploads built it. The index must get there without reading every stored chunk
again at each upload: with a large corpus that read held every question for a minute.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chatbot.store.chroma import IndexStore
from chatbot.store.lexical import LexicalIndex, query_tokens
from chatbot.store.live_index import ArticleIndex

QUERIES = ["Haftar Tripoli", "Ghadamès conférence nationale", "harbour cranes", "zygomorphe", "quillwort"]


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def harbour_text(i: int) -> str:
    return (f"Harbour update {i}\n\nThe harbour of town number {i} reopened its quays on Monday. "
            f"Dockers said the cranes had been repaired and that ships carrying grain were expected. "
            f"The mayor thanked the engineers, who worked through the night to restore power.")


@pytest.fixture
def no_full_read(monkeypatch: pytest.MonkeyPatch):
    """Makes any read of every stored chunk fail the test."""
    def forbidden(self: IndexStore):
        raise AssertionError("the whole store was read to update the lexical index")
        yield  # pragma: no cover - a generator, like the method it replaces

    def arm() -> None:
        monkeypatch.setattr(IndexStore, "iter_chunks", forbidden)

    return arm


def test_an_upload_an_edit_and_a_removal_update_the_index_without_reading_the_store_again(
        make_service, seed_copy: Path, tmp_path: Path, no_full_read) -> None:
    service = make_service()
    service.add_paths([seed_copy])
    no_full_read()  # from here on, every update must read only the articles that changed

    note = write(tmp_path / "new", "botany.txt",
                 "Field notes\n\nA zygomorphe flower was found near the old harbour wall. "
                 "Botanists from the university came to photograph it before the storm.")
    report = service.add_paths([note])
    assert report.counts()["added"] == 1
    hits = service.index.lexical.search("zygomorphe", 3)
    assert hits and hits[0][0].startswith(report.added[0])

    note.write_text("Field notes\n\nA quillwort was found near the old harbour wall. "
                    "Botanists from the university came to photograph it before the storm.", encoding="utf-8")
    report = service.add_paths([note])
    assert report.counts()["updated"] == 1
    assert service.index.lexical.search("zygomorphe", 3) == []  # the old version's word is gone
    assert service.index.lexical.search("quillwort", 3)

    service.remove(report.updated)
    assert service.index.lexical.search("quillwort", 3) == []
    assert service.index.lexical.search("Ghadamès", 3)  # the seed is untouched
    passages = service.search("Où la conférence nationale devait-elle se tenir ?", k=3)
    assert any("Ghadam" in passage.text for passage in passages)


def test_many_small_uploads_rank_as_one_fresh_index_of_the_same_corpus(
        make_service, seed_copy: Path, tmp_path: Path) -> None:
    service = make_service()
    service.add_paths([seed_copy])
    added = []
    for i in range(12):  # one upload each, as users send them
        report = service.add_paths([write(tmp_path / f"up{i}", f"harbour-{i}.txt", harbour_text(i))])
        added += report.added
    service.remove(added[2:5])

    live = service.index.lexical
    assert len(live.segments) <= 5  # merged as it grows: never one segment per upload
    fresh = ArticleIndex.derive_lexical(service.index.store, live.version)  # from every stored chunk
    assert sorted(fresh.chunk_ids) == sorted(live.chunk_ids)
    for query in QUERIES:
        got, want = live.search(query, 10), fresh.search(query, 10)
        assert [cid for cid, _ in got] == [cid for cid, _ in want], query
        assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-5), query
    assert not any(cid.startswith(tuple(added[2:5])) for cid, _ in live.search("harbour cranes", 20))


def test_scores_are_the_bm25_of_the_reference_library(make_service, seed_copy: Path, tmp_path: Path) -> None:
    """Same formula as bm25s ("lucene" variant, k1 = 1.2, b = 0.75) over the same tokens."""
    import bm25s

    service = make_service()
    service.add_paths([seed_copy] + [write(tmp_path / "h", f"harbour-{i}.txt", harbour_text(i)) for i in range(3)])
    live = service.index.lexical
    (segment,) = live.segments
    tokens = segment.row_tokens(live.vocab)
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index(tokens, show_progress=False)
    for query in QUERIES[:3]:
        scores = reference.get_scores([t for t in query_tokens(query, live.langs) if t in live.vocab])
        want = {str(segment.chunk_ids[i]): float(scores[i]) for i in np.flatnonzero(scores > 0)}
        got = dict(live.search(query, len(segment)))
        assert got.keys() == want.keys(), query
        assert all(abs(got[c] - want[c]) <= 1e-4 * max(1.0, want[c]) for c in got), query


def test_a_restarted_process_loads_the_saved_index_and_catches_up_on_changes(
        make_service, seed_copy: Path, tmp_path: Path, no_full_read) -> None:
    service = make_service()
    service.add_paths([seed_copy])
    index_dir = service.settings.index_dir
    service.index.close()

    saved = LexicalIndex.load(ArticleIndex(index_dir, None).lexical_folder())
    assert saved is not None and saved.search("Ghadamès", 1)
    no_full_read()
    again = make_service()  # the same folder ("index"): a restart
    assert again.settings.index_dir == index_dir
    again.add_paths([write(tmp_path / "late", "late.txt", harbour_text(99))])
    assert again.index.lexical.search("Ghadamès", 1) and again.index.lexical.search("harbour cranes", 1)
