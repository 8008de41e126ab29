"""A language held in memory (chatbot.retrieval.languages) follows uploads, edits and removals in
that language article by article: only the changed articles' chunks are read from Chroma, and what
is searched is what a hold read from scratch would give."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.ingest.loaders import build_article

HARBOUR = ("The harbour of Misrata reopened on Monday after two years of works. Its new container "
           "terminal can take 40,000 containers a year, and the first Italian ships are expected next week.")
OIL = ("Oil output in Libya rose to 1.2 million barrels a day in March, the national oil company said, "
       "as the Sharara field pumped again after a three-week blockade by local protesters.")
GRAIN = "Grain ships reached the port of Tobruk on Sunday after a two-week delay caused by storms."
OTHERS = [("Tripoli airport", "Flights resumed at Mitiga airport in Tripoli on Tuesday after rockets hit "
                               "its runway, the civil aviation authority said."),
          ("Sabha water", "The great man-made river brought water back to Sabha on Friday after repairs "
                          "to a pumping station in the desert."),
          ("Benghazi schools", "Schools in Benghazi opened their doors again this week for the first time "
                               "since the fighting ended, with lessons held in shifts.")]
FRENCH_QUESTION = "Qui dirige les soldats qui marchent sur Tripoli ?"  # English is searched on its own


class Reads:
    """Chroma reads of held languages: whole languages, and articles read by doc_id."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from chatbot.store.chroma import IndexStore

        self.whole: list[str] = []
        self.articles: list[str] = []
        self.forbid_whole = False
        real_where, real_docs = IndexStore.chunks_where, IndexStore.article_chunks

        def where(store, where, limit):
            if self.forbid_whole:
                raise AssertionError(f"the whole language {where} was read again")
            self.whole.append(str(where.get("lang")))
            return real_where(store, where, limit)

        def docs(store, sizes):
            self.articles += list(sizes)
            return real_docs(store, sizes)

        monkeypatch.setattr(IndexStore, "chunks_where", where)
        monkeypatch.setattr(IndexStore, "article_chunks", docs)


@pytest.fixture
def bilingual(make_service, seed_copy: Path):
    service = make_service()
    service.add_paths([seed_copy])  # French
    harbour, oil = (build_article("harbour.txt", HARBOUR, title="Misrata harbour reopens"),
                    build_article("oil.txt", OIL, title="Libyan oil output rises"))
    others = [build_article(f"{title}.txt", text, title=title) for title, text in OTHERS]
    service.indexer.add_articles([harbour, oil, *others])
    return service, harbour, oil


def held_and_fresh(service, lang: str, question: str, reads: Reads):
    """The nearest chunks of ``lang`` as the service holds them, and as a hold read from scratch
    finds them: (chunk_id, similarity) pairs, every chunk of the language."""
    from chatbot.retrieval.languages import HeldLanguages

    retriever = service.retriever
    retriever.index.refresh()
    view = retriever.index.view()
    manifest = retriever.manifest(view)
    qvec = retriever.embedder.embed_queries([question])[0]
    held = retriever._held.nearest(view, manifest, lang, qvec, 100)
    forbid, whole = reads.forbid_whole, list(reads.whole)
    reads.forbid_whole = False
    fresh = HeldLanguages(retriever._held.limit).nearest(view, manifest, lang, qvec, 100)
    reads.forbid_whole, reads.whole = forbid, whole  # this read is the test's, not the service's
    pairs = [(h.chunk_id, h.similarity) for h in held]
    return pairs, [(h.chunk_id, pytest.approx(h.similarity, abs=1e-5)) for h in fresh]


def test_an_upload_in_a_held_language_reads_only_that_article(bilingual, monkeypatch: pytest.MonkeyPatch):
    service, _, _ = bilingual
    reads = Reads(monkeypatch)
    service.search(FRENCH_QUESTION, k=5)
    assert reads.whole.count("en") == 1  # held on first need
    grain = build_article("grain.txt", GRAIN, title="Grain ships reach Tobruk")
    service.indexer.add_articles([grain])
    reads.forbid_whole = True
    passages = service.search("Quand les navires de céréales sont-ils arrivés à Tobrouk ?", k=5)
    assert reads.articles == [grain.doc_id]
    assert any("Tobruk" in p.text for p in passages)
    held, fresh = held_and_fresh(service, "en", "When did the grain ships reach Tobruk?", reads)
    assert held == fresh
    assert grain.doc_id in {cid.rsplit(":", 1)[0] for cid, _ in held}
    reads.forbid_whole = False
    service.rebuild()  # a new generation: read whole from it
    passages = service.search("Quand les navires de céréales sont-ils arrivés à Tobrouk ?", k=5)
    assert reads.whole.count("en") == 2
    assert any("Tobruk" in p.text for p in passages)


def test_an_edit_and_a_removal_in_a_held_language_are_followed(bilingual, monkeypatch: pytest.MonkeyPatch):
    service, harbour, oil = bilingual
    reads = Reads(monkeypatch)
    service.search(FRENCH_QUESTION, k=5)
    reads.forbid_whole = True
    edited = build_article("harbour.txt", HARBOUR.replace("Misrata", "Zuwara").replace("40,000", "65,000"),
                           title="Zuwara harbour reopens", doc_id=harbour.doc_id)
    service.indexer.add_articles([edited])
    passages = service.search("Combien de conteneurs le port de Zuwara peut-il accueillir ?", k=5)
    assert reads.articles == [harbour.doc_id]  # the edited article alone
    harbour_text = " ".join(p.text for p in passages if p.doc_id == harbour.doc_id)
    assert "65,000" in harbour_text and "Misrata" not in harbour_text
    held, fresh = held_and_fresh(service, "en", "How many containers can the Zuwara harbour take?", reads)
    assert held == fresh

    service.remove([oil.doc_id])
    read_before = list(reads.articles)
    passages = service.search("Quelle est la production de pétrole de la Libye ?", k=8)
    assert reads.articles == read_before  # a removal reads nothing
    assert oil.doc_id not in {p.doc_id for p in passages}
    held, fresh = held_and_fresh(service, "en", "How much oil does Libya produce?", reads)
    assert held == fresh
    assert all(not cid.startswith(oil.doc_id) for cid, _ in held)


def test_a_language_past_the_limit_is_let_go_unread_and_held_again_when_it_shrinks(
        bilingual, monkeypatch: pytest.MonkeyPatch):
    from chatbot.retrieval.languages import HeldLanguages

    service, harbour, _ = bilingual
    retriever = service.retriever
    view = retriever.index.view()
    manifest = retriever.manifest(view)
    english = sum(int(r["chunks"]) for r in manifest.values() if r["lang"] == "en")
    held = HeldLanguages(limit=english)
    qvec = retriever.embedder.embed_queries(["When did the grain ships reach Tobruk?"])[0]
    assert held.nearest(view, manifest, "en", qvec, 10)
    reads = Reads(monkeypatch)
    reads.forbid_whole = True
    grain = build_article("grain.txt", GRAIN, title="Grain ships reach Tobruk")
    service.indexer.add_articles([grain])
    retriever.index.refresh()
    view = retriever.index.view()
    assert held.nearest(view, retriever.manifest(view), "en", qvec, 10) is None  # told by the manifest
    assert reads.articles == []
    service.remove([harbour.doc_id])
    retriever.index.refresh()
    view = retriever.index.view()
    reads.forbid_whole = False
    shrunk = held.nearest(view, retriever.manifest(view), "en", qvec, 10)
    assert reads.whole == ["en"]  # fits again: read whole
    assert shrunk and shrunk[0].doc_id == grain.doc_id
    assert harbour.doc_id not in {h.doc_id for h in shrunk}


def test_questions_asked_while_the_language_changes_see_whole_versions(bilingual, monkeypatch: pytest.MonkeyPatch):
    """Questions in other threads keep searching while uploads and a removal in the held language
    are followed, article by article: none fails, and each finds the harbour passage."""
    import threading

    service, harbour, oil = bilingual
    reads = Reads(monkeypatch)
    service.search(FRENCH_QUESTION, k=5)
    first = list(reads.whole)
    reads.forbid_whole = True
    errors: list[BaseException] = []
    found: list[bool] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            try:
                passages = service.search("Combien de conteneurs le port de Misrata peut-il accueillir ?", k=5)
                found.append(any(p.doc_id == harbour.doc_id for p in passages))
            except BaseException as exc:  # reported below
                errors.append(exc)
                return

    askers = [threading.Thread(target=ask) for _ in range(2)]
    for thread in askers:
        thread.start()
    try:
        for n, (title, text) in enumerate(OTHERS):
            service.indexer.add_articles([build_article(f"more-{n}.txt", text + f" Report {n}.",
                                                        title=f"{title} ({n})")])
        service.remove([oil.doc_id])
    finally:
        done.set()
        for thread in askers:
            thread.join()
    assert not errors
    assert found and all(found)
    assert "en" in first and reads.whole == first  # no language read again whole
    passages = service.search("Quelle est la production de pétrole de la Libye ?", k=8)
    assert oil.doc_id not in {p.doc_id for p in passages}
