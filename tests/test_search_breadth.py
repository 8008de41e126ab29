"""The vector index searches as wide as ``CHATBOT_HNSW_EF_SEARCH`` says, on an index built before.

At Chroma's narrow breadth of before, the nearest chunks of a 3,000-chunk index missed some of the
true nearest, and which ones changed from one process to the next, so one question got two answers
(BENCHMARKS.md 37b). The breadth is a setting, applied to the chunks collection when the index is
opened, including one created with another breadth (real Chroma on disk).
"""

from __future__ import annotations

from chatbot.store.live_index import ArticleIndex


def test_an_index_built_narrow_is_searched_as_wide_as_the_setting(tmp_path, embedder):
    from chatbot.service.chat import ChatService
    from tests.conftest import settings_for

    old = ArticleIndex(tmp_path / "index", None, ef_search=64)
    assert old.store.chunks.configuration["hnsw"]["ef_search"] == 64
    old.close()

    service = ChatService(settings_for(tmp_path / "index"), embedder=embedder)
    assert service.settings.hnsw_ef_search == 200  # the default
    assert service.index.store.chunks.configuration["hnsw"]["ef_search"] == 200
    service.index.close()

    wider = ChatService(settings_for(tmp_path / "index", hnsw_ef_search=400), embedder=embedder)
    chunks = wider.index.store.chunks
    assert chunks.configuration["hnsw"]["ef_search"] == 400
    assert chunks.configuration["hnsw"]["space"] == "cosine"  # the rest of the configuration is kept
    wider.index.close()
