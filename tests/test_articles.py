"""Loading articles: every format gives clean text and its metadata; every bad input one clear line.

These run without the embedding model: they read real files (HTML pages, PDFs drawn by reportlab,
JSON) through the same loaders ``chatbot index add`` and uploads use.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from fixtures_articles import (
    ENGLISH_TEXT,
    FRENCH_TEXT,
    HTML_BOILERPLATE,
    NEWS_HTML,
    PDF_LINES,
    write_bad_inputs,
    write_json,
    write_jsonl,
    write_pdf,
)

from chatbot.ingest.loaders import LoadError, load_bytes, load_path, make_doc_id, text_sha256
from chatbot.schemas import Article

SEED = next((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


def only_article(items: list) -> Article:
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def test_seed_loads_as_french_with_a_readable_title():
    article = only_article(load_path(SEED))
    assert article.lang == "fr"
    assert "Haftar" in article.title
    assert "394ae1682318d41c" not in article.title  # a hash-like file name is not a title
    assert article.text.startswith("Depuis des mois, Khalifa Haftar")
    assert article.sha256 == text_sha256(article.text)


def test_txt_title_from_a_short_first_line(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text("Lyon inaugure son tramway\n\n" + FRENCH_TEXT, encoding="utf-8")
    article = only_article(load_path(path))
    assert article.title == "Lyon inaugure son tramway"
    assert article.text == FRENCH_TEXT  # the title line is not part of the body
    assert article.lang == "fr"


def test_txt_without_title_line_is_named_after_the_file(tmp_path: Path):
    path = tmp_path / "ghana_rates.txt"
    path.write_text(ENGLISH_TEXT, encoding="utf-8")
    article = only_article(load_path(path))
    assert article.title == "ghana rates"
    assert article.text == ENGLISH_TEXT
    assert article.lang == "en"


def test_markdown_heading_becomes_the_title(tmp_path: Path):
    path = tmp_path / "tram.md"
    path.write_text("# Un tramway pour l'est lyonnais\n\n" + FRENCH_TEXT, encoding="utf-8")
    article = only_article(load_path(path))
    assert article.title == "Un tramway pour l'est lyonnais"
    assert "#" not in article.text


def test_html_keeps_the_story_and_drops_the_page_around_it(tmp_path: Path):
    path = tmp_path / "courier.html"
    path.write_text(NEWS_HTML, encoding="utf-8")
    article = only_article(load_path(path))
    assert "Forces loyal to the eastern commander Khalifa Haftar" in article.text
    assert "United Arab Emirates" in article.text
    for junk in HTML_BOILERPLATE:
        assert junk not in article.text, junk
    assert article.title == "Haftar forces advance on Tripoli"
    assert article.date == "2019-04-05"
    assert article.source == "The Daily Courier"
    assert article.url == "https://courier.example.com/world/haftar-tripoli"
    assert article.lang == "en"


def test_json_object_with_all_fields(tmp_path: Path):
    path = write_json(tmp_path / "one.json", {
        "title": "Taux relevés au Ghana", "text": ENGLISH_TEXT, "date": "2023-09-18",
        "source": "Wire", "url": "https://wire.example/ghana", "lang": "EN", "id": "ghana-42"})
    article = only_article(load_path(path))
    assert (article.title, article.date, article.source, article.url, article.lang) == (
        "Taux relevés au Ghana", "2023-09-18", "Wire", "https://wire.example/ghana", "en")
    assert article.doc_id == "ghana-42"  # a given id is honoured
    assert article.text == ENGLISH_TEXT


def test_json_list_gives_one_article_each_with_language_detected(tmp_path: Path):
    path = write_json(tmp_path / "batch.json", [
        {"title": "Ghana", "text": ENGLISH_TEXT},
        {"text": FRENCH_TEXT},
    ])
    first, second = load_path(path)
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.title, first.lang) == ("Ghana", "en")
    assert second.lang == "fr"
    assert second.title.startswith("La mairie de Lyon")  # not the container's file name
    assert first.doc_id != second.doc_id


def test_jsonl_loads_good_lines_and_names_the_bad_ones(tmp_path: Path):
    path = tmp_path / "feed.jsonl"
    write_jsonl(path, [
        {"title": "Ghana", "text": ENGLISH_TEXT, "date": "2023-09-18", "source": "Wire",
         "url": "https://wire.example/g", "lang": "en"},
        {"title": "Sans texte"},
        {"title": "Lyon", "text": FRENCH_TEXT},
    ])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"title": "cut\n')
    items = load_path(path)
    articles = [i for i in items if isinstance(i, Article)]
    errors = [str(i) for i in items if isinstance(i, LoadError)]
    assert [a.title for a in articles] == ["Ghana", "Lyon"]
    assert (articles[0].date, articles[0].source, articles[0].url) == (
        "2023-09-18", "Wire", "https://wire.example/g")
    assert articles[1].lang == "fr"
    assert len(errors) == 2
    assert "line 2" in errors[0] and "'text'" in errors[0]
    assert "line 4" in errors[1] and "malformed JSON" in errors[1]


def test_pdf_text_and_title_load(tmp_path: Path):
    path = write_pdf(tmp_path / "sfax.pdf", PDF_LINES, title="La sardine se fait rare")
    article = only_article(load_path(path))
    assert article.title == "La sardine se fait rare"
    for line in PDF_LINES:
        assert " ".join(line.split()) in " ".join(article.text.split())
    assert article.lang == "fr"


def test_same_text_same_id_whatever_the_file(tmp_path: Path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.md"
    a.write_text(ENGLISH_TEXT, encoding="utf-8")
    b.write_text(ENGLISH_TEXT + "\n", encoding="utf-8")
    first, second = only_article(load_path(a)), only_article(load_path(b))
    assert first.doc_id == second.doc_id == make_doc_id(ENGLISH_TEXT)
    assert first.sha256 == second.sha256 == text_sha256(ENGLISH_TEXT)
    other = only_article(load_bytes(FRENCH_TEXT.encode(), "c.txt"))
    assert other.doc_id != first.doc_id


def test_unicode_normalized_and_whitespace_cleaned():
    decomposed = "Le de\u0301le\u0301gue\u0301 a parle\u0301.\r\n\r\n\r\n\r\nIl\u00a0est   arrive\u0301\t\ta\u0300 Tripoli."
    article = only_article(load_bytes(decomposed.encode("utf-8"), "depeche.txt"))
    assert article.text == "Le délégué a parlé.\n\nIl est arrivé à Tripoli."
    assert unicodedata.is_normalized("NFC", article.text)
    assert "délégué" in article.text  # a composed query word matches the stored text
    assert article.sha256 == text_sha256(article.text)


def test_upload_offsets_refer_to_the_stored_text():
    from chatbot.ingest.chunking import chunk_article

    raw = ("Titre court\n\n" + "Le pre\u0301sident  a parle\u0301.  " * 40).encode("utf-8")
    article = only_article(load_bytes(raw, "upload.txt"))
    for chunk in chunk_article(article, chunk_size=200, chunk_overlap=40):
        assert article.text[chunk.start:chunk.end] == chunk.text


@pytest.mark.parametrize("problem", ["empty", "binary", "utf-8", "malformed JSON", "missing field 'text'", "unreadable PDF"])
def test_each_bad_file_gives_one_line_naming_file_and_problem(tmp_path: Path, problem: str):
    path = write_bad_inputs(tmp_path)[problem]
    items = load_path(path)
    assert len(items) == 1 and isinstance(items[0], LoadError)
    message = str(items[0])
    assert "\n" not in message
    assert str(path) in message
    assert problem.lower() in message.lower()


def test_missing_path_is_named(tmp_path: Path):
    from chatbot.ingest.loaders import iter_paths

    missing = tmp_path / "nowhere" / "gone.txt"
    (item,) = list(iter_paths([missing]))
    assert isinstance(item, LoadError)
    assert str(missing) in str(item) and "no such file" in str(item)


def test_unsupported_extension_says_which_types_work():
    (item,) = load_bytes(b"PK\x03\x04", "report.docx")
    assert isinstance(item, LoadError)
    assert "report.docx" in str(item) and ".pdf" in str(item)


def test_one_bad_item_in_a_json_list_does_not_lose_the_others(tmp_path: Path):
    path = write_json(tmp_path / "batch.json", [
        {"title": "Ghana", "text": ENGLISH_TEXT}, {"title": "No body"}, "just a string",
        {"title": "Lyon", "text": FRENCH_TEXT}])
    items = load_path(path)
    assert [i.title for i in items if isinstance(i, Article)] == ["Ghana", "Lyon"]
    errors = [str(i) for i in items if isinstance(i, LoadError)]
    assert len(errors) == 2
    assert f"{path}[1]" in errors[0] and "'text'" in errors[0]
    assert f"{path}[2]" in errors[1] and "expected a JSON object" in errors[1]


def test_folders_expand_to_supported_files_skipping_hidden_ones(tmp_path: Path):
    from chatbot.ingest.loaders import iter_paths

    (tmp_path / "news" / "2019").mkdir(parents=True)
    (tmp_path / "news" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "news" / "2019" / "b.txt").write_text(ENGLISH_TEXT)
    (tmp_path / "news" / "a.md").write_text(FRENCH_TEXT)
    (tmp_path / "news" / "notes.docx").write_bytes(b"PK")
    (tmp_path / "news" / ".draft.txt").write_text(ENGLISH_TEXT)
    (tmp_path / "news" / ".ipynb_checkpoints" / "a-checkpoint.md").write_text(FRENCH_TEXT)
    found = list(iter_paths([tmp_path / "news"]))
    assert found == [tmp_path / "news" / "2019" / "b.txt", tmp_path / "news" / "a.md"]
