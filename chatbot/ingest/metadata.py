"""Publication dates and outlets, read from the article itself and normalised.

News questions are about time ("what happened after the ports were taken?") and about who said it,
so every article keeps its publication date (ISO 8601, ``YYYY-MM-DD``) and its outlet whenever the
article states them: JSON fields, HTML metadata, Markdown front matter, a ``date:``/``source:``
header block at the top of a text file, a PDF's document information. Unknown stays unknown: a
file's modification time says when it was copied, not when it was published.

A date that cannot be read is never fatal: the article is indexed without one and the problem is
reported for that file (:class:`DateError` carries the message).
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from typing import Any

from chatbot.text.words import squeeze

# header keys that may open a text or Markdown file, mapped to the article field they set
HEADER_KEYS = {
    "date": "date", "published": "date", "publication date": "date", "pubdate": "date",
    "source": "source", "outlet": "source", "publisher": "source", "sitename": "source",
    "title": "title", "url": "url", "link": "url", "lang": "lang", "language": "lang",
    "author": "author", "by": "author",
}
_HEADER_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z _-]{0,24}?)\s*:\s*(.*?)\s*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")
_SLASHED = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")  # 2017/3/14, 2017.03.14, 2017-3-4
EARLIEST = dt.date(1800, 1, 1)


class DateError(ValueError):
    """A date that is present but cannot be read; ``str()`` says what was given and what is expected."""


def normalize_date(value: Any, *, today: dt.date | None = None) -> str | None:
    """``value`` as ``YYYY-MM-DD``; None when empty; :class:`DateError` when unreadable.

    Accepted: ISO 8601 dates and date-times (with or without a zone), ``2017/3/14``, RFC 2822
    (``Tue, 14 Mar 2017 10:00:00 GMT``), PDF dates (``D:20170314...``), and written dates in English
    (``14 March 2017``, ``March 14, 2017``). A date-time with a zone keeps its own calendar day
    (the day the outlet printed). Dates before 1800 or more than a day in the future are refused:
    they are typing errors, not publication dates.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        if not text:
            return None
        day = _parse(text)
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    if not EARLIEST <= day <= latest:
        raise DateError(f"date '{value}' is out of range (before {EARLIEST.year} or in the future)")
    return day.isoformat()


def _parse(text: str) -> dt.date:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    if match := _SLASHED.match(text):
        return _day(text, int(match.group(1)), int(match.group(3)), int(match.group(4)))
    if match := _PDF_DATE.match(text):
        year, month, day = (int(g) if g else 1 for g in match.groups())
        return _day(text, year, month, day)
    if re.search(r"[A-Za-z]{3}", text):
        try:
            return parsedate_to_datetime(text).date()
        except (TypeError, ValueError, IndexError):
            pass
        written = _written_date(text)
        if written is not None:
            return written
    raise DateError(f"unreadable date '{text[:40]}' (use YYYY-MM-DD)")


def _day(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date '{text[:40]}' ({exc})") from None


def _written_date(text: str) -> dt.date | None:
    """``14 March 2017``, ``March 14, 2017``, ``Tuesday 14 Mar 2017``: day, month name and year all present."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", " "))
    cleaned = " ".join(w for w in cleaned.split() if not re.fullmatch(r"[A-Za-z]+day", w))
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y"):
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def day_number(iso: str | None) -> int | None:
    """Days since 0001-01-01 of an ISO date: an integer Chroma can compare with ``$gte``/``$lte``."""
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return None


def normalize_source(value: Any) -> str | None:
    """An outlet name as given, tidied: ``https://www.bbc.co.uk/news`` -> ``bbc.co.uk``; blank -> None."""
    if value is None:
        return None
    text = squeeze(str(value))
    if not text:
        return None
    if re.match(r"^(https?://|www\.)", text, re.I):
        text = re.sub(r"^(https?://)?(www\.)?", "", text, flags=re.I).split("/")[0]
    return text[:120]


def read_header(text: str, markdown: bool) -> tuple[dict[str, str], str]:
    """Fields of a header block at the top of ``text`` and the text after it.

    Markdown front matter (``---`` ... ``---``) is read for both kinds of file; otherwise the
    opening lines count as a header only when every one of them, up to the first blank line, is a
    known ``key: value`` line (``Date: 2017-03-14``) and one of them sets the date or the source,
    so an article whose first sentence happens to contain a colon keeps it.
    """
    front = _FRONT_MATTER.match(text)
    if front:
        fields = _header_fields(front.group(1).splitlines(), strict=False)
        if fields is not None:
            return fields, text[front.end():]
    if not markdown or not front:
        block, sep, rest = text.partition("\n\n")
        lines = [ln for ln in block.splitlines() if ln.strip()]
        fields = _header_fields(lines, strict=True) if lines and sep else None
        if fields and ({"date", "source"} & fields.keys()):
            return fields, rest
    return {}, text


def _header_fields(lines: list[str], strict: bool) -> dict[str, str] | None:
    fields: dict[str, str] = {}
    for line in lines:
        match = _HEADER_LINE.match(line)
        key = HEADER_KEYS.get(match.group(1).strip().lower()) if match else None
        if key is None:
            if strict:
                return None
            continue
        value = match.group(2).strip().strip("\"'") if match else ""
        if value:
            fields.setdefault(key, value)
    return fields


def checked_overrides(date: Any = None, source: Any = None, field_prefix: str = "") -> dict[str, str]:
    """Date and outlet a user sets by hand (upload fields, ``index add --date --source``).

    Unlike a date read from a file, a date typed by the user is checked strictly: a
    :class:`DateError` whose message names the field is raised, so the user can correct it.
    """
    out: dict[str, str] = {}
    try:
        iso = normalize_date(date)
    except DateError as exc:
        raise DateError(f"{field_prefix}date: {exc}") from None
    if iso:
        out["date"] = iso
    outlet = normalize_source(source)
    if outlet:
        out["source"] = outlet
    return out
