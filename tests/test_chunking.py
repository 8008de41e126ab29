"""Chunking: exact offsets, whole sentences, modest overlap, and titles that search can find.

Offsets matter to users because every citation quote is ``text[start:end]`` of the stored article;
sentence boundaries matter because a passage cut mid-sentence reads as nonsense in an answer.
"""

from __future__ import annotations

import random

import pytest

from chatbot.ingest.chunking import chunk_article, sentence_spans
from chatbot.ingest.loaders import build_article

FR_SENTENCES = [
    "M. Dupont, le maire, a inauguré la ligne jeudi.",
    "« Nous tiendrons nos promesses », a déclaré Mme Martin devant la presse.",
    "Selon le Dr. Lefèvre, la pollution a baissé de 12 % depuis 2019.",
    "Les habitants de l'est de la ville attendaient ce chantier.",
    "Il a dit « Le tramway arrive enfin. »",
    "Le coût total atteint 450 millions d'euros, selon la métropole.",
    "Les travaux ont duré trois ans, avec des retards dus à la pandémie.",
]
EN_SENTENCES = [
    "Dr. Smith met the U.S. ambassador in Accra on Monday.",
    "Mr. Addison said inflation had peaked, but warned of risks.",
    "\"We will act if needed,\" the governor told reporters.",
    "The U.K. and the U.N. welcomed the decision.",
    "Markets rose 2.5 percent after the announcement.",
    "Analysts at the bank expect one more increase before December.",
]


def synthetic(sentences: list[str], n: int, seed: int) -> tuple[str, list[int]]:
    """A long text of known sentences in paragraphs, and where each sentence starts."""
    rng = random.Random(seed)
    text, starts = "", []
    for i in range(n):
        if text:
            text += "\n\n" if i % 5 == 0 else " "
        starts.append(len(text))
        text += rng.choice(sentences)
    return text, starts


def article_of(text: str, title: str = "Synthetic") -> object:
    return build_article("synthetic.txt", text, title=title)


@pytest.mark.parametrize("sentences,seed", [(FR_SENTENCES, 1), (EN_SENTENCES, 2)])
def test_long_text_chunks_are_exact_slices_of_whole_sentences(sentences: list[str], seed: int):
    text, starts = synthetic(sentences, 120, seed)
    article = article_of(text)
    assert article.text == text  # nothing to clean: offsets below refer to this exact text
    chunks = chunk_article(article, chunk_size=600, chunk_overlap=120)
    assert len(chunks) > 10
    sentence_starts = set(starts)
    for chunk in chunks:
        assert text[chunk.start:chunk.end] == chunk.text
        assert len(chunk.text) <= 600
        assert chunk.start in sentence_starts, f"chunk starts mid-sentence: {chunk.text[:60]!r}"
    # nothing lost: every sentence lies inside some chunk
    covered = sorted((c.start, c.end) for c in chunks)
    for start in starts:
        assert any(s <= start < e for s, e in covered)
    assert covered[-1][1] == len(text)


def test_seed_chunks_are_exact_slices(seed_text: str):
    article = article_of(seed_text, "Haftar")
    chunks = chunk_article(article)
    assert len(chunks) >= 4
    assert [c.chunk_id for c in chunks] == [f"{article.doc_id}:{n:04d}" for n in range(len(chunks))]
    for chunk in chunks:
        assert seed_text[chunk.start:chunk.end] == chunk.text
        assert chunk.text[0].isupper()  # starts a sentence
        assert chunk.text.endswith(".")  # ends one
    assert chunks[0].start == 0 and chunks[-1].end == len(seed_text)


def test_abbreviations_and_quotes_do_not_split_sentences():
    text = " ".join(FR_SENTENCES[:3] + EN_SENTENCES[:4])
    found = [text[s:e] for s, e in sentence_spans(text)]
    assert found == FR_SENTENCES[:3] + EN_SENTENCES[:4]


def test_closing_french_quote_ends_a_sentence():
    text = "Il a dit « Le tramway arrive enfin. » Puis la foule a applaudi."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Il a dit « Le tramway arrive enfin. »", "Puis la foule a applaudi."]


def test_common_words_that_look_like_abbreviations_still_end_sentences():
    text = ("Les troupes sont parties de l'est. Elles avancent vers l'ouest. "
            "He told me. Then he said no. See art. 5 of the treaty. Le 3 sept. 2019, rien.")
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Les troupes sont parties de l'est.", "Elles avancent vers l'ouest.", "He told me.",
        "Then he said no.", "See art. 5 of the treaty.", "Le 3 sept. 2019, rien."]


def test_short_sentences_give_modest_overlap_between_neighbours():
    text, _ = synthetic(EN_SENTENCES, 60, 3)
    chunks = chunk_article(article_of(text), chunk_size=400, chunk_overlap=120)
    assert len(chunks) > 5
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        shared = prev.end - nxt.start
        assert 0 < shared <= 120, (prev.start, prev.end, nxt.start)
        assert nxt.start > prev.start  # always moves forward


def test_sentence_longer_than_a_chunk_is_cut_at_word_boundaries():
    clauses = [f"la délégation numéro {i} a rejoint la conférence de Ghadamès" for i in range(40)]
    text = "Le sommet s'est ouvert hier. " + ", ".join(clauses).capitalize() + ". La suite demain."
    article = article_of(text)
    chunks = chunk_article(article, chunk_size=300, chunk_overlap=60)
    assert len(chunks) > 5
    for chunk in chunks:
        assert text[chunk.start:chunk.end] == chunk.text
        assert len(chunk.text) <= 300
        assert chunk.start == 0 or not text[chunk.start - 1].isalnum()  # no word cut in half
        assert chunk.end == len(text) or not text[chunk.end].isalnum()
    words_seen = set(" ".join(c.text for c in chunks).split())
    assert set(text.split()) <= words_seen


def test_a_query_matching_only_the_title_finds_the_article(make_service, tmp_path):
    service = make_service()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tram.txt").write_text(
        "Quadrilatère zéphyrin pour Villeurbanne\n\n" + " ".join(FR_SENTENCES), encoding="utf-8")
    (folder / "ghana.txt").write_text("Ghana rates\n\n" + " ".join(EN_SENTENCES), encoding="utf-8")
    report = service.add_paths([folder])
    assert report.counts()["added"] == 2
    tram = next(d for d in service.documents() if d.title.startswith("Quadrilatère"))
    hits = service.index.lexical.search("zéphyrin quadrilatère", 5)
    assert hits and all(cid.startswith(tram.doc_id + ":") for cid, _ in hits)
    passages = service.search("quadrilatere zephyrin", 3)  # typed without accents
    assert passages[0].doc_id == tram.doc_id
    assert "zéphyrin" not in passages[0].text  # found through the title alone
