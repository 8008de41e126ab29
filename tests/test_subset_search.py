"""Nearest chunks among some articles (a filter, a language) found without Chroma's slow filtered
query: read by id, or the plain query over-fetched and filtered, must give what the filtered query
gives, and a filtered search must only ever show passages of articles that pass."""

from __future__ import annotations

import pytest

from chatbot.ingest.loaders import article_from_mapping
from chatbot.retrieval import subset
from chatbot.retrieval.filters import Filters

STORIES = [
    ("Oil ports", "2017-01-03", "dw.com", "en",
     "Forces loyal to the eastern commander seized the oil ports of Ras Lanuf and Es Sider. "
     "Exports from the terminals stopped while the fighting went on. The national oil company "
     "asked both sides to keep the installations out of the conflict."),
    ("Talks in Cairo", "2017-01-10", "aljazeera.com", "en",
     "Mediators met in Cairo to bring the rival governments to one table. The talks ended "
     "without an agreement on the army's command, but both delegations promised to meet again."),
    ("Migrants at sea", "2017-01-17", "bbc.co.uk", "en",
     "Rescue ships picked up hundreds of migrants off the coast after their boats sank. "
     "The coastguard said smugglers were sending more boats out despite the winter weather."),
    ("Power cuts", "2017-01-24", "dw.com", "en",
     "Residents of the capital lived with power cuts of up to twelve hours a day. "
     "The electricity company blamed attacks on the lines and unpaid bills."),
    ("Ports pétroliers", "2017-01-05", "lemonde.fr", "fr",
     "Les forces du commandant de l'Est ont pris les ports pétroliers de Ras Lanouf et d'Es Sider. "
     "Les exportations ont cessé pendant les combats."),
    ("Négociations", "2017-01-12", "lemonde.fr", "fr",
     "Des médiateurs ont réuni au Caire les deux gouvernements rivaux, sans accord sur le "
     "commandement de l'armée."),
]


@pytest.fixture
def indexed(make_service):
    service = make_service()
    articles = [article_from_mapping({"id": f"story-{i}", "title": title, "date": date, "source": source,
                                      "lang": lang, "text": text}, "test")
                for i, (title, date, source, lang, text) in enumerate(STORIES)]
    assert service.indexer.add_articles(articles).counts()["added"] == len(STORIES)
    return service


def test_every_way_of_searching_some_articles_finds_the_same_chunks(indexed, monkeypatch):
    view = indexed.index.view()
    manifest = indexed.retriever.manifest(view)
    qvec = indexed.embedder.embed_queries(["Who took the oil ports?"])[0]
    docs = frozenset({"story-0", "story-2", "story-4"})
    where = {"doc_id": {"$in": sorted(docs)}}

    def ids(hits):
        return [hit.chunk_id for hit in hits]

    by_id = subset.nearest_among(view.store, qvec, 3, docs, manifest, where)
    monkeypatch.setattr(subset, "SMALL_SUBSET", 0)  # too many to read by id: the plain query, filtered
    over_fetched = subset.nearest_among(view.store, qvec, 3, docs, manifest, where)
    monkeypatch.setattr(subset, "MAX_FETCH", 0)  # too large a share to over-fetch: Chroma's filter
    filtered = subset.nearest_among(view.store, qvec, 3, docs, manifest, where)
    assert ids(by_id) == ids(over_fetched) == ids(filtered)
    assert by_id[0].doc_id in {"story-0", "story-4"}  # the two articles on the oil ports
    assert {hit.doc_id for hit in by_id} <= docs
    assert by_id[0].similarity == pytest.approx(filtered[0].similarity, abs=1e-3)


def test_filtered_searches_show_only_passing_articles_in_both_languages(indexed):
    found = indexed.search_scoped("Qui a pris les ports pétroliers ?", 5, Filters.parse(since="2017-01-04"))
    assert found.passages and all(p.date >= "2017-01-04" for p in found.passages)
    assert "story-4" in {p.doc_id for p in found.passages}  # the French article on the ports passes
    outlet = indexed.search_scoped("Who took the oil ports?", 5, Filters.parse(sources=["dw.com"]))
    assert {p.doc_id for p in outlet.passages} == {"story-0", "story-3"}
    assert outlet.passages[0].doc_id == "story-0"
    few = indexed.search_scoped("oil ports", 5, Filters.parse(doc_ids=["story-1", "story-5"]))
    assert {p.doc_id for p in few.passages} == {"story-1", "story-5"}


def test_a_set_sparse_near_the_question_is_fetched_again_before_the_filtered_query(indexed, monkeypatch):
    """The English articles are two thirds of the index, but a French question's nearest chunks are
    French: the plain query over-fetched by the share finds too few English ones. More ids are
    fetched (a few ms at 100k chunks) instead of Chroma's filtered query (about 370 ms there), and
    the chunks found are the ones the filtered query finds."""
    view = indexed.index.view()
    manifest = indexed.retriever.manifest(view)
    qvec = indexed.embedder.embed_queries(["Les forces du commandant de l'Est ont pris les ports pétroliers "
                                           "de Ras Lanouf et d'Es Sider."])[0]
    english = frozenset({"story-0", "story-1", "story-2", "story-3"})
    where = {"lang": "en"}
    monkeypatch.setattr(subset, "SMALL_SUBSET", 0)
    monkeypatch.setattr(subset, "OVERFETCH", 0.34)  # the first fetch: the single nearest id, a French one
    fetches: list[int] = []
    real_nearest = subset.reads.nearest_ids

    def counted(store, vector, n):
        fetches.append(n)
        return real_nearest(store, vector, n)

    monkeypatch.setattr(subset.reads, "nearest_ids", counted)
    filtered_queries: list[int] = []
    real_query = view.store.query
    monkeypatch.setattr(view.store, "query", lambda *a, **k: filtered_queries.append(1) or real_query(*a, **k))
    found = subset.nearest_among(view.store, qvec, 2, english, manifest, where)
    assert fetches[:2] == [1, subset.REFETCH] and filtered_queries == []
    assert [h.chunk_id for h in found] == [h.chunk_id for h in real_query(qvec, 2, where)]
    assert found[0].doc_id == "story-0"  # the English article on the oil ports


def test_a_filter_whose_articles_another_process_removed_says_so_and_never_widens(indexed, make_service):
    """A filter that passed articles is resolved again while the question is encoded, against the
    index brought up to date: removed by another writer meanwhile, its articles are gone from the
    answer, which says the filter matches nothing instead of searching the whole index."""
    outlet = Filters.parse(sources=["bbc.co.uk"])
    before = indexed.search_scoped("Who rescued the migrants?", 5, outlet)
    assert {p.doc_id for p in before.passages} == {"story-2"}
    other = make_service()  # the same index folder, as another process would open it
    assert other.remove(["story-2"]).counts()["removed"] == 1
    after = indexed.search_scoped("Who rescued the migrants?", 5, outlet)
    assert after.passages == []
    assert after.scope is not None and after.scope.empty
    assert after.scope.message() == "no article matches the filter (from bbc.co.uk)"
    still = indexed.search_scoped("Who rescued the migrants?", 5, Filters.parse(sources=["dw.com"]))
    assert {p.doc_id for p in still.passages} <= {"story-0", "story-3"} and still.passages
