"""Month and weekday names of both languages, and the one reader of an article's date.

Several steps read dates written in sentences ("le 30 janvier", "Jan. 30", "March 2016") or compare
a sentence with its article's day; they all take month names from ``data/months.toml`` and the
article's day from ``article_day`` here, so a month added or a date form accepted holds everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "months.toml"


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict]:
    return tomllib.loads(DATA.read_text("utf-8"))


def names(lang: str | None = None) -> dict[str, int]:
    """Full month names (folded) of ``lang``, or of every language, with their month number."""
    tables = _tables()
    codes = [lang] if lang in tables else list(tables)
    return {name: i for code in codes for i, name in enumerate(tables[code]["names"], start=1)}


@lru_cache(maxsize=1)
def with_abbreviations() -> dict[str, int]:
    """Full names and abbreviations of every language (folded), with their month number."""
    found = names()
    for table in _tables().values():
        found.update(table.get("abbreviations", {}))
    return found


def weekdays(lang: str | None = None) -> dict[str, int]:
    """Names of the days of the week (folded) of ``lang``, or of every language, Monday = 0."""
    tables = _tables()
    codes = [lang] if lang in tables else list(tables)
    return {name: i for code in codes for i, name in enumerate(tables[code]["weekdays"])}


def alternation(words: dict[str, int]) -> str:
    """A regular-expression alternation of ``words``, longest first ("janvier" before "janv")."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def spell_day(day: dt.date, lang: str) -> str:
    """``day`` as written for a reader of ``lang`` ("Tuesday 14 March 2017", "mardi 14 mars 2017")."""
    table = _tables().get(lang) or _tables()["en"]
    return table["spelled"].format(weekday=table["spelled_weekdays"][day.weekday()], day=day.day,
                                   month=table["spelled_names"][day.month - 1], year=day.year)


def article_day(date: str | None) -> dt.date | None:
    """An article's day from its stored date ("2018-03-20", also "2017/3/14" or a date with its
    time); None when the date is unknown or not a full day."""
    found = re.search(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b", date or "")
    if not found:
        return None
    try:
        return dt.date(*(int(g) for g in found.groups()))
    except ValueError:
        return None
