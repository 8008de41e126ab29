"""Hybrid retrieval on a small real index: fusion, duplicates collapsed, diversity, reranker path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chatbot.ingest.loaders import build_article

PORT = ("Le port de Benghazi a rouvert lundi après deux ans de travaux. Le terminal Marsa Blue peut "
        "accueillir 40 000 conteneurs par an. Les autorités portuaires attendent les premiers navires "
        "italiens la semaine prochaine.")


@pytest.fixture
def small_index(make_service, seed_copy: Path):
    service = make_service()
    service.add_paths([seed_copy])
    extra = [build_article("port.txt", PORT, title="Réouverture du port de Benghazi"),
             build_article("copy.txt", PORT + " ", title="Réouverture du port de Benghazi (reprise)",
                           doc_id="port-copy")]
    service.indexer.add_articles(extra)
    return service


def test_lexical_side_finds_a_rare_exact_term(small_index):
    passages = small_index.search("Marsa Blue", k=3)
    assert "Marsa Blue" in passages[0].text


def test_duplicate_story_is_collapsed(small_index):
    passages = small_index.search("combien de conteneurs le terminal de Benghazi accueille-t-il ?", k=5)
    port_hits = [p for p in passages if "Marsa Blue" in p.text]
    assert len(port_hits) == 1, "two copies of one story count once"


def test_other_articles_are_not_crowded_out(small_index):
    passages = small_index.search("Libye Benghazi Tripoli", k=4)
    assert len({p.doc_id for p in passages}) >= 2


def test_cross_encoder_reranker_orders_the_results(make_service, seed_copy: Path, tmp_path: Path, embedder):
    """A tiny cross-encoder built here (none ships offline, so its weights are random) decides the
    order of the results: they come out in the order of its scores, not of the fusion's."""
    from sentence_transformers import CrossEncoder
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [chr(c) for c in range(97, 123)]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt"))
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, num_labels=1)
    model_dir = tmp_path / "tiny-ce"
    BertForSequenceClassification(config).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    service = make_service(reranker_model=str(model_dir))
    service.add_paths([seed_copy])
    query = "Quels pays soutiennent Haftar ?"
    retrieval = service.retriever.search(query, k=4)
    assert len(retrieval.passages) == 4
    head = retrieval.candidates[:20]  # what the reranker scored, in one batch as it did
    judge = CrossEncoder(str(model_dir), device="cpu")
    scores = np.asarray(judge.predict([(query, c.text) for c in head], show_progress_bar=False))
    assert list(scores) == sorted(scores, reverse=True), "results follow the cross-encoder's scores"
    assert [p.chunk_id for p in retrieval.passages] == [c.chunk_id for c in head[:4]]


def _cand(cid: str, lang: str, dense: float, lang_rank: int = 0):
    from chatbot.retrieval.retriever import Candidate

    return Candidate(cid, f"text {cid}", {"doc_id": cid, "lang": lang}, dense=dense,
                     ranks={"dense_lang": lang_rank})


def test_best_close_passage_of_another_language_is_shown():
    from chatbot.retrieval.language_slots import cover_languages

    heads = [_cand(f"en{i}", "en", 0.62 - i * 0.01, i) for i in range(7)] + [
        _cand("fr2", "fr", 0.53, 2), _cand("fr0", "fr", 0.55, 0), _cand("fr1", "fr", 0.54, 1)]
    shown = [c.chunk_id for c in cover_languages(heads, 5, "en")[:5]]
    assert shown == ["en0", "en1", "en2", "fr0", "fr1"]  # the two nearest French passages, from the 4th place


def test_a_far_passage_of_another_language_is_not_forced_in():
    from chatbot.retrieval.language_slots import cover_languages

    heads = [_cand(f"en{i}", "en", 0.62 - i * 0.01) for i in range(7)] + [_cand("fr0", "fr", 0.40)]
    assert [c.chunk_id for c in cover_languages(heads, 5, "en")[:5]] == [f"en{i}" for i in range(5)]


HARBOUR_EN = ("The harbour of Misrata reopened on Monday after two years of works. Its new container "
              "terminal can take 40,000 containers a year, and the first Italian ships are expected next week.")


def test_a_small_language_is_read_again_only_when_its_own_articles_change(make_service, seed_copy: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    """An upload in French must not make the next question read every English chunk again (and
    the reverse); after an upload in English, its passage is found by a question."""
    from chatbot.store.chroma import IndexStore

    service = make_service()
    service.add_paths([seed_copy])  # French
    service.indexer.add_articles([build_article("harbour.txt", HARBOUR_EN, title="Misrata harbour reopens")])
    reads: list[str] = []
    real = IndexStore.chunks_where

    def counted(self, where, limit):
        reads.append(str(where.get("lang")))
        return real(self, where, limit)

    monkeypatch.setattr(IndexStore, "chunks_where", counted)
    question = "Qui dirige les soldats qui marchent sur Tripoli ?"  # French: English is read on its own
    service.search(question, k=5)
    assert reads.count("en") == 1
    service.indexer.add_articles([build_article("port.txt", PORT, title="Réouverture du port de Benghazi")])
    service.search(question, k=5)
    assert reads.count("en") == 1  # a French upload: the English chunks held are still right
    service.indexer.add_articles([build_article(
        "grain.txt", "Grain ships reached the port of Tobruk on Sunday after a two-week delay.",
        title="Grain ships reach Tobruk")])
    passages = service.search("Quand les navires de céréales sont-ils arrivés à Tobrouk ?", k=5)
    assert reads.count("en") == 1  # an English upload: its article alone is read (test_held_languages.py)
    assert any("Tobruk" in p.text for p in passages)
