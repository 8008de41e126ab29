"""Loading articles from files and uploads into :class:`Article` objects.

Each supported format yields clean, normalised text (Unicode NFC, tidy whitespace) and whatever
metadata it carries. The stored text is final: every chunk and citation offset refers to it. Bad
input raises :class:`LoadError` with a one-line message naming the file and the problem, so one bad
file never stops the others.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chatbot.ingest.decoding import LoadError, decode_text
from chatbot.ingest.metadata import DateError, normalize_date, normalize_source, read_header
from chatbot.schemas import Article
from chatbot.text.sentences import sentence_spans

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".pdf"}
MAX_TITLE_LINE = 160
_HEXISH = re.compile(r"^[\W_]*(\d+[\W_]+)?[0-9a-f]{8,}[\W_]*$", re.I)


_SPACE_RUN = re.compile(r"[^\S\n ][^\S\n]*| [^\S\n]+")


def normalize_text(text: str) -> str:
    """NFC, unify line breaks and spaces, collapse blank runs; paragraphs survive as ``\\n\\n``."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "").replace("\ufeff", "").replace("\u200b", "")
    # any run of horizontal whitespace (incl. nbsp) -> one space; a lone plain space, by far the
    # most common case, is not matched at all, which keeps this pass fast on long texts
    text = _SPACE_RUN.sub(" ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # control and format characters go; looked up once per distinct character, so a long text
    # costs a few C-level passes rather than a Python step per character
    drop = {ord(ch): None for ch in set(text) if ch not in "\n\t" and unicodedata.category(ch)[0] == "C"}
    return (text.translate(drop) if drop else text).strip()


def clean_title(title: str) -> str:
    """A title on one line: no control characters (NUL, line breaks, tabs), spaces collapsed."""
    title = unicodedata.normalize("NFC", title)
    title = "".join(" " if ch.isspace() else ch for ch in title)  # line breaks, tabs: a space
    title = "".join(ch for ch in title if unicodedata.category(ch)[0] != "C")  # NUL and the like: gone
    return " ".join(title.split())


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_doc_id(text: str, given: str | None = None) -> str:
    """The given id (made safe), else 16 hex digits of the text's sha256: same text, same id."""
    if given:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", str(given)).strip("-.")[:64]
        if safe:
            return safe
    return text_sha256(text)[:16]


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid), ``und`` when there is too little text."""
    sample = text[:4000]
    if len(re.findall(r"\w+", sample)) < 3:
        return "und"
    import py3langid

    lang, _ = py3langid.classify(sample)
    return str(lang)


def _title_from_text(text: str) -> str:
    spans = sentence_spans(text, 0, min(len(text), 2000))  # the opening is enough to find the first
    sentence = text[spans[0][0]:spans[0][1]] if spans else text
    if len(sentence) <= 90:
        return sentence
    cut = sentence[:90].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _title_from_name(path_name: str, text: str) -> str:
    """The file name made readable; a machine-made name (a hash) falls back to the opening words."""
    stem = Path(path_name).stem
    if _HEXISH.match(stem) or not stem.strip():
        return _title_from_text(text)
    return re.sub(r"[_]+", " ", stem).strip()


def build_article(
    where: str,
    text: str,
    *,
    title: str | None = None,
    date: str | None = None,
    source: str | None = None,
    url: str | None = None,
    lang: str | None = None,
    doc_id: str | None = None,
    origin: str | None = None,
    author: str | None = None,
) -> Article:
    """Validate and normalise one article's fields; ``where`` names it in error messages.

    An unreadable date is not fatal: the article keeps no date and ``notes`` says why.
    """
    notes: list[str] = []
    try:
        iso_date = normalize_date(date)
    except DateError as exc:
        iso_date = None
        notes.append(f"{exc}; indexed without a date")
    clean = normalize_text(text)
    if not clean:
        raise LoadError(where, "no text (the article is empty)")
    if not re.search(r"\w", clean):
        raise LoadError(where, "no words in the text")
    shown = clean_title(title or "") or clean_title(_title_from_name(where, clean)) or \
        clean_title(_title_from_text(clean))
    return Article(
        doc_id=make_doc_id(clean, doc_id),
        title=shown[:300],
        text=clean,
        sha256=text_sha256(clean),
        date=iso_date,
        source=normalize_source(source),
        url=(url or None),
        lang=(lang or detect_language(clean)).lower()[:8],
        origin=origin or where,
        author=normalize_source(author),
        notes=notes,
    )


def _load_plain(data: bytes, where: str, markdown: bool) -> list[Article]:
    text = normalize_text(decode_text(data, where))
    header, text = read_header(text, markdown)  # front matter or a date:/source: block
    first, _, rest = text.partition("\n")
    title = header.get("title")
    candidate = first.lstrip("#").strip() if markdown else first.strip()
    if (not title and rest.strip() and 0 < len(candidate) <= MAX_TITLE_LINE
            and not candidate.endswith((".", ","))):
        title, text = candidate, rest
    return [build_article(where, text, title=title, origin=where, date=header.get("date"),
                          source=header.get("source"), url=header.get("url"), lang=header.get("lang"),
                          author=header.get("author"))]


def _load_html(data: bytes, where: str) -> list[Article]:
    import trafilatura

    html = decode_text(data, where)
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None:
        raise LoadError(where, "no article text found in the HTML")
    fields = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    if not (fields.get("text") or "").strip():
        raise LoadError(where, "no article text found in the HTML")
    return [
        build_article(
            where,
            fields["text"],
            title=fields.get("title"),
            date=fields.get("date"),
            source=fields.get("sitename") or fields.get("hostname"),
            url=fields.get("url"),
            lang=fields.get("language"),
            origin=where,
            author=fields.get("author"),
        )
    ]


# other names feeds and exports give the date and the outlet; the contract's own names win
ALIASES = {"published": "date", "publish_date": "date", "published_at": "date", "pubdate": "date",
           "outlet": "source", "publisher": "source", "sitename": "source", "author": "author"}


def article_from_mapping(obj: Any, where: str) -> Article:
    """A JSON object ``{"title", "text", "date"?, "source"?, "url"?, "lang"?, "id"?}``."""
    if not isinstance(obj, dict):
        raise LoadError(where, f"expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if text is None:
        raise LoadError(where, "missing field 'text'")
    if not isinstance(text, str):
        raise LoadError(where, "field 'text' must be a string")
    for key in ("title", "date", "source", "url", "lang", "id", "doc_id", *ALIASES):
        value = obj.get(key)
        # numbers are accepted as their text (an id, a year); booleans, NaN and infinities are not
        if value is not None and (not isinstance(value, str | int | float) or isinstance(value, bool)
                                  or (isinstance(value, float) and not math.isfinite(value))):
            raise LoadError(where, f"field '{key}' must be a string")
    obj = {**{ALIASES[k]: v for k, v in obj.items() if k in ALIASES and v is not None}, **obj}
    given_id = obj.get("doc_id") or obj.get("id")
    # without a title, the opening words name the article: the file name names the whole batch
    title = str(obj["title"]) if obj.get("title") else _title_from_text(normalize_text(text))
    return build_article(
        where,
        text,
        title=title or None,
        date=str(obj["date"]) if obj.get("date") else None,
        source=str(obj["source"]) if obj.get("source") else None,
        url=str(obj["url"]) if obj.get("url") else None,
        lang=str(obj["lang"]) if obj.get("lang") else None,
        doc_id=str(given_id) if given_id else None,
        origin=f"{where}#{given_id}" if given_id else None,
        author=str(obj["author"]) if obj.get("author") else None,
    )


def _parse_json(raw: str, where: str, *, with_line: bool = True) -> Any:
    """``json.loads`` whose every failure is a LoadError: syntax, nesting too deep, huge numbers."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        at = f" at line {exc.lineno}" if with_line else ""
        raise LoadError(where, f"malformed JSON ({exc.msg}{at})") from None
    except RecursionError:
        raise LoadError(where, "malformed JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise LoadError(where, f"malformed JSON ({exc})") from None


def _load_json(data: bytes, where: str) -> list[Article | LoadError]:
    """One object or a list of them; a bad item in a list is reported alone, the others load."""
    obj = _parse_json(decode_text(data, where), where)
    if not isinstance(obj, list):
        return [article_from_mapping(obj, where)]
    if not obj:
        raise LoadError(where, "the JSON list holds no article")
    results: list[Article | LoadError] = []
    for i, item in enumerate(obj):
        try:
            results.append(article_from_mapping(item, f"{where}[{i}]"))
        except LoadError as exc:
            results.append(exc)
    return results


def iter_jsonl(data: bytes, where: str) -> Iterator[Article | LoadError]:
    """Each line an article; a bad line is yielded as its LoadError so the others still load."""
    raw = decode_text(data, where)
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"{where} line {lineno}"
        try:
            yield article_from_mapping(_parse_json(line, label, with_line=False), label)
        except LoadError as exc:
            yield exc


def _load_pdf(data: bytes, where: str) -> list[Article]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.strip():
        raise LoadError(where, "the file is empty")
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(where, f"unreadable PDF ({exc.__class__.__name__}: {exc})") from None
    except Exception as exc:  # pypdf raises many kinds on corrupt files
        if exc.__class__.__name__ == "LimitReachedError":
            raise LoadError(where, "the PDF expands beyond pypdf's decompression limit "
                                   "(a compression bomb?)") from None
        raise LoadError(where, f"unreadable PDF ({exc.__class__.__name__})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise LoadError(where, "the PDF has no extractable text (scanned images?)")
    info = {k: meta.get(k) for k in ("/Title", "/PublicationDate", "/CreationDate", "/Author", "/Publisher",
                                     "/Source")} if hasattr(meta, "get") else {}
    published = info.get("/PublicationDate") or info.get("/CreationDate")
    title = info.get("/Title")
    source = info.get("/Publisher") or info.get("/Source")
    return [build_article(where, text, title=str(title) if title else None, origin=where,
                          date=str(published) if published else None,
                          source=str(source) if source else None,
                          author=str(info["/Author"]) if info.get("/Author") else None)]


def load_bytes(data: bytes, name: str) -> list[Article | LoadError]:
    """Load one file's content; ``name`` gives the format (by extension) and names it in errors."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix in {".txt", ".md", ".markdown"}:
            return list(_load_plain(data, name, markdown=suffix != ".txt"))
        if suffix in {".html", ".htm"}:
            return list(_load_html(data, name))
        if suffix == ".json":
            return list(_load_json(data, name))
        if suffix == ".jsonl":
            return list(iter_jsonl(data, name)) or [LoadError(name, "the file holds no article (no JSON line)")]
        if suffix == ".pdf":
            return list(_load_pdf(data, name))
    except LoadError as exc:
        return [exc]
    supported = ", ".join(sorted(SUPPORTED))
    return [LoadError(name, f"unsupported file type '{suffix or '(none)'}' (use {supported})")]


def iter_paths(paths: list[Path]) -> Iterator[Path | LoadError]:
    """Expand files and folders (recursively, supported types only, sorted) into files."""
    for path in paths:
        if not path.exists():
            yield LoadError(str(path), "no such file or folder")
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
            # hidden files and folders (.git, .ipynb_checkpoints copies) are not articles
            yield from (f for f in files
                        if not any(part.startswith(".") for part in f.relative_to(path).parts))
        else:
            yield path


def load_path(path: Path) -> list[Article | LoadError]:
    """Read one file from disk and load it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [LoadError(str(path), f"cannot read ({exc.strerror})")]
    return load_content(data, path)


def load_content(data: bytes, path: Path) -> list[Article | LoadError]:
    """Load the bytes read from ``path`` (here or on another node): origins name the resolved path."""
    items = load_bytes(data, str(path))
    resolved = str(path.resolve())
    for item in items:
        if isinstance(item, Article) and item.origin and item.origin.startswith(str(path)):
            item.origin = resolved + item.origin[len(str(path)):]
    return items
