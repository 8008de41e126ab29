"""Property-based tests of the loaders and the chunker: any input, no crash, exact offsets.

Hypothesis draws arbitrary text (and text built from the punctuation the sentence splitter cares
about: French quotes, ellipses, abbreviations, blank lines) and arbitrary bytes under every supported
file extension. Runs are derandomized so the suite is repeatable; no model is needed.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.ingest.chunking import chunk_article
from chatbot.ingest.loaders import SUPPORTED, LoadError, build_article, load_bytes
from chatbot.schemas import Article

FUZZ = settings(max_examples=500, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(FUZZ, max_examples=60)

PIECES = ["Le", "maréchal", "Haftar", "avance", "vers", "Tripoli", "U.S.", "M.", "Mme", "Dr.", "no.", "5",
          "2019", "sept.", "« ", " »", "“", "”", '"', "'", ". ", "! ", "? ", "… ", "...", ", ", "; ", " – ",
          "(", ")", "[", "]", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u200b", "\u00ad", "É", "Ça",
          "x" * 700, "mot " * 40, "\r\n", "é" * 3, "e\u0301"]
ARTICLE_TEXT = st.one_of(
    st.text(max_size=3000),
    st.lists(st.sampled_from(PIECES), max_size=300).map("".join),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=200),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["text", "title", "date", "source", "url", "lang", "id", "doc_id"]) | st.text(max_size=8),
        inner, max_size=6),
    max_leaves=20,
)


def check_chunks(article: Article, chunk_size: int, overlap: int) -> None:
    """Each chunk is its slice of the text, chunks run in reading order and cover every non-space character."""
    chunks = chunk_article(article, chunk_size=chunk_size, chunk_overlap=overlap)
    text = article.text
    assert chunks, "an article with words has at least one chunk"
    covered = [False] * len(text)
    for before, chunk in zip([None, *chunks], chunks, strict=False):
        assert text[chunk.start:chunk.end] == chunk.text
        assert 0 <= chunk.start < chunk.end <= len(text) and chunk.text.strip()
        assert chunk.doc_id == article.doc_id
        if before is not None:
            assert before.start < chunk.start and before.end < chunk.end, "chunks go forward"
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    missed = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not missed, f"characters outside every chunk: {text[missed[0]:missed[0] + 20]!r}"
    for match in re.finditer(r"\w+", text):  # each word is readable whole in one chunk, or split only when huge
        inside = any(c.start <= match.start() and match.end() <= c.end for c in chunks)
        assert inside or len(match.group()) > chunk_size // 4


@FUZZ
@given(text=ARTICLE_TEXT, chunk_size=st.integers(40, 700), overlap_share=st.floats(0, 0.5))
def test_any_text_loads_or_is_refused_and_chunks_exactly(text, chunk_size, overlap_share):
    try:
        article = build_article("fuzz.txt", text)
    except LoadError as exc:
        assert str(exc).startswith("fuzz.txt: ")
        return
    assert article.text and article.text == article.text.strip()
    assert re.search(r"\w", article.text)
    check_chunks(article, chunk_size, int(chunk_size * overlap_share))


@FUZZ
@given(text=ARTICLE_TEXT)
def test_the_default_chunking_keeps_offsets_on_any_text(text):
    try:
        article = build_article("fuzz.md", text, title="t")
    except LoadError:
        return
    check_chunks(article, 600, 120)


def assert_loaded(items: list, name: str) -> None:
    """``load_bytes`` answers a list of Articles and LoadErrors that name the file."""
    assert isinstance(items, list) and items
    for item in items:
        assert isinstance(item, Article | LoadError)
        if isinstance(item, LoadError):
            assert item.where.startswith(name) and item.problem
        else:
            assert item.text.strip() and item.doc_id and item.sha256


EXTENSIONS = sorted(SUPPORTED | {".zip", ".docx", ""})


@FUZZ
@given(data=st.binary(max_size=4000), ext=st.sampled_from(EXTENSIONS))
def test_any_bytes_under_any_extension_never_raise(data, ext):
    name = f"fuzz{ext}"
    assert_loaded(load_bytes(data, name), name)


@FUZZ
@given(text=ARTICLE_TEXT, ext=st.sampled_from([".txt", ".md", ".markdown", ".html", ".htm"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
def test_any_text_in_any_encoding_never_raises(text, ext, encoding):
    data = text.encode(encoding, errors="replace")
    assert_loaded(load_bytes(data, f"fuzz{ext}"), f"fuzz{ext}")


@FUZZ
@given(value=JSON_VALUE, ext=st.sampled_from([".json", ".jsonl"]))
def test_any_json_document_never_raises(value, ext):
    data = json.dumps(value, allow_nan=True).encode()
    if ext == ".jsonl" and isinstance(value, list):
        data = "\n".join(json.dumps(v) for v in value).encode()
    assert_loaded(load_bytes(data, f"fuzz{ext}"), f"fuzz{ext}")


@FEW
@given(depth=st.integers(1, 200_000), ext=st.sampled_from([".json", ".jsonl"]), opener=st.sampled_from("[{"))
def test_deeply_nested_json_is_a_load_error(depth, ext, opener):
    data = (b'{"a":' * depth + b"1" + b"}" * depth) if opener == "{" else (b"[" * depth + b"]" * depth)
    items = load_bytes(data, f"deep{ext}")
    assert_loaded(items, f"deep{ext}")
    assert all(isinstance(i, LoadError) for i in items)


def test_oversized_numbers_and_non_string_fields_are_load_errors():
    cases = {
        b'{"text": "Un article.", "id": ' + b"9" * 5000 + b"}": "malformed JSON",
        b'{"text": "Un article.", "title": true}': "field 'title' must be a string",
        b'{"text": "Un article.", "date": NaN}': "field 'date' must be a string",
        b'{"text": "Un article.", "source": {"a": 1}}': "field 'source' must be a string",
    }
    for data, problem in cases.items():
        (item,) = load_bytes(data, "odd.json")
        assert isinstance(item, LoadError) and problem in item.problem, item


def test_html_scripts_and_handlers_never_reach_the_stored_text():
    html = (b"<html><head><title>Pont</title><script>window.pwned = 'SCRIPT-BODY'</script></head><body>"
            b"<article><p>Le maire a inaugur\xc3\xa9 le nouveau pont hier soir devant une foule nombreuse.</p>"
            b"<img src=x onerror=\"alert('ONERROR-BODY')\"><style>p{color:red}</style>"
            b"<p>Les travaux ont dur\xc3\xa9 trois ans et co\xc3\xbbt\xc3\xa9 douze millions d'euros.</p></article>"
            b"<script>document.write('SCRIPT-TWO')</script></body></html>")
    (article,) = load_bytes(html, "pont.html")
    assert isinstance(article, Article)
    assert "nouveau pont" in article.text and "douze millions" in article.text
    for leaked in ("SCRIPT-BODY", "SCRIPT-TWO", "ONERROR-BODY", "<script", "onerror", "color:red"):
        assert leaked not in article.text and leaked not in article.title
