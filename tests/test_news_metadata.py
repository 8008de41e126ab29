"""Publication dates and outlets read from every format, and what happens when a date is wrong."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest

from chatbot.ingest.loaders import load_bytes, load_path
from chatbot.ingest.metadata import DateError, checked_overrides, day_number, normalize_date, normalize_source
from chatbot.schemas import Article

BODY = ("Forces loyal to Khalifa Haftar said on Tuesday they had retaken the oil ports of Ras Lanuf "
        "and Es Sider after heavy fighting with the Benghazi Defence Brigades.")


def one(data: bytes | str, name: str) -> Article:
    items = load_bytes(data.encode() if isinstance(data, str) else data, name)
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


@pytest.mark.parametrize("given, expected", [
    ("2017-03-14", "2017-03-14"),
    ("2017-03-14T23:30:00+02:00", "2017-03-14"),  # the outlet's own calendar day
    ("2017-03-14T09:00:00Z", "2017-03-14"),
    ("2017/3/14", "2017-03-14"),
    ("Tue, 14 Mar 2017 10:00:00 GMT", "2017-03-14"),
    ("14 March 2017", "2017-03-14"),
    ("March 14th, 2017", "2017-03-14"),
    ("Tuesday, 14 March 2017", "2017-03-14"),
    ("D:20170314093000+01'00'", "2017-03-14"),
    ("", None),
    (None, None),
])
def test_dates_are_normalised_to_iso_days(given, expected):
    assert normalize_date(given) == expected


@pytest.mark.parametrize("given, says", [
    ("yesterday", "unreadable date 'yesterday'"),
    ("2017-02-30", "impossible date"),
    ("14/03/2017", "unreadable date"),
    ("3017-01-01", "out of range"),
])
def test_a_bad_date_says_what_was_given(given, says):
    with pytest.raises(DateError, match=says):
        normalize_date(given)


def test_day_numbers_order_like_dates():
    assert day_number("2017-03-14") - day_number("2017-02-28") == 14
    assert day_number(None) is None


def test_outlets_are_tidied():
    assert normalize_source("https://www.bbc.co.uk/news/world") == "bbc.co.uk"
    assert normalize_source("  Al   Jazeera ") == "Al Jazeera"
    assert normalize_source("") is None


def test_json_fields_and_their_common_aliases():
    article = one(json.dumps({"title": "Oil ports", "text": BODY, "date": "2017/3/14", "source": "aljazeera.com",
                              "author": "Staff"}), "a.json")
    assert (article.date, article.source, article.author) == ("2017-03-14", "aljazeera.com", "Staff")
    alias = one(json.dumps({"title": "Oil ports", "text": BODY, "published": "14 March 2017",
                            "outlet": "Reuters"}), "b.json")
    assert (alias.date, alias.source) == ("2017-03-14", "Reuters")


def test_jsonl_malformed_date_keeps_the_article_without_a_date_and_says_why():
    data = "\n".join(json.dumps(x) for x in [
        {"title": "Good", "text": BODY, "date": "2017-03-14"},
        {"title": "Bad date", "text": BODY + " Later update.", "date": "the 14th"}])
    good, bad = load_bytes(data.encode(), "feed.jsonl")
    assert good.date == "2017-03-14" and not good.notes
    assert bad.date is None and bad.title == "Bad date"
    assert bad.notes == ["unreadable date 'the 14th' (use YYYY-MM-DD); indexed without a date"]


def test_absent_date_stays_unknown_never_the_file_time(tmp_path: Path):
    path = tmp_path / "old.txt"
    path.write_text(f"Oil ports retaken\n\n{BODY}", "utf-8")
    os.utime(path, (time.time() - 86400 * 400, time.time() - 86400 * 400))
    (article,) = load_path(path)
    assert article.date is None and article.source is None and not article.notes


def test_html_metadata_gives_date_outlet_author_and_url():
    html = f"""<html><head><title>Haftar forces retake oil ports</title>
    <meta property="og:site_name" content="Al Jazeera">
    <meta property="article:published_time" content="2017-03-14T10:31:00+00:00">
    <meta name="author" content="Ali Younes">
    <link rel="canonical" href="https://www.aljazeera.com/news/2017/3/14/haftar">
    </head><body><article><h1>Haftar forces retake oil ports</h1><p>{BODY}</p>
    <p>The ports are the country's largest oil export terminals, and their loss had cut output.</p>
    </article></body></html>"""
    article = one(html, "page.html")
    assert article.date == "2017-03-14"
    assert article.source == "Al Jazeera"
    assert article.author == "Ali Younes"
    assert article.url == "https://www.aljazeera.com/news/2017/3/14/haftar"


def test_markdown_front_matter():
    md = f"---\ntitle: Oil ports retaken\ndate: 2017-03-14\nsource: Reuters\n---\n\n{BODY}\n"
    article = one(md, "ports.md")
    assert (article.title, article.date, article.source) == ("Oil ports retaken", "2017-03-14", "Reuters")
    assert article.text.startswith("Forces loyal") and "date:" not in article.text


def test_text_header_block():
    txt = f"Date: 14 March 2017\nSource: Libya Herald\n\nOil ports retaken\n{BODY}"
    article = one(txt, "ports.txt")
    assert (article.date, article.source, article.title) == ("2017-03-14", "Libya Herald", "Oil ports retaken")
    assert article.text == BODY


def test_a_first_line_with_a_colon_is_not_taken_for_a_header():
    txt = f"Update: the ports changed hands again\n\n{BODY}"
    article = one(txt, "ports.txt")
    assert article.date is None and article.source is None
    assert article.title == "Update: the ports changed hands again"


def test_text_header_with_a_bad_date_is_indexed_without_it():
    article = one(f"Date: 32/13/2017\nSource: Reuters\n\n{BODY}", "ports.txt")
    assert article.date is None and article.source == "Reuters"
    assert "unreadable date '32/13/2017'" in article.notes[0]


def test_pdf_metadata_gives_date_and_publisher():
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.drawString(50, 800, "Forces loyal to Khalifa Haftar retook the oil ports of Ras Lanuf and Es Sider.")
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.add_metadata({"/Title": "Oil ports retaken", "/PublicationDate": "D:20170314093000Z",
                         "/Publisher": "Libya Herald", "/Author": "Staff"})
    out = io.BytesIO()
    writer.write(out)
    article = one(out.getvalue(), "ports.pdf")
    assert (article.title, article.date, article.source) == ("Oil ports retaken", "2017-03-14", "Libya Herald")


def test_dates_typed_by_a_user_are_checked_strictly():
    assert checked_overrides("2017/3/14", "https://www.bbc.co.uk/") == {"date": "2017-03-14", "source": "bbc.co.uk"}
    with pytest.raises(DateError, match="^date: unreadable date 'soon'"):
        checked_overrides("soon", None)
