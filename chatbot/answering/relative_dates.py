"""Relative dates in a quote ("hier", "on Tuesday", "last week", "l'an dernier") resolved against
the article's publication date.

A quoted sentence saying "yesterday" means nothing to a reader months later; shown next to the quote,
the day it names makes the quote usable. The expressions and their rules are data
(``relative_dates.toml``, one table per language); this module only matches them and does the
calendar arithmetic:

* day ("hier", "tomorrow"): the publication day shifted by that many days;
* weekday ("mardi", "on Tuesday"): the latest such day on or before the publication day, or the
  first on or after it when the verb it belongs to speaks of the future ("will be sworn in on
  Wednesday", see ``weekday_tense``); "last Tuesday" / "mardi dernier" the latest strictly before,
  "next Tuesday" / "mardi prochain" the first strictly after; a weekday written with its date
  ("mardi 21 mars") is left alone;
* week, month, year ("last week", "le mois dernier", "l'an dernier"): the whole calendar period
  (weeks run Monday to Sunday) shifted from the one holding the publication day.

An article without a full publication date resolves nothing: the day is never guessed. The same
table tells ``specificity`` which year a sentence speaks of (:func:`years_spoken`), so the
expressions are listed once.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chatbot.answering.weekday_tense import weekday_ahead
from chatbot.schemas import ResolvedDate
from chatbot.text import months
from chatbot.text.months import article_day
from chatbot.text.words import fold_same_length

DATA = Path(__file__).with_name("relative_dates.toml")
PERIODS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Rule:
    kind: str  # day, week, month, year, weekday or near
    shift: int = 0  # periods for day/week/month/year; for weekday the day's index (Monday = 0)
    mode: str = ""  # weekday: latest, before or after


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict]:
    return tomllib.loads(DATA.read_text("utf-8"))


@lru_cache(maxsize=8)
def _written_date(lang: str) -> re.Pattern[str]:
    """What follows a weekday in a written date: a day number or a month name ("mardi 21 mars")."""
    names = months.alternation(months.names(lang))
    return re.compile(rf"\s*,?\s*(?:\d{{1,2}}(?!\d)|(?:{names or '(?!)'})(?!\w))")


@lru_cache(maxsize=8)
def _matcher(lang: str) -> tuple[re.Pattern[str], dict[str, Rule]]:
    """One regular expression over every expression of ``lang`` (all languages for an unknown
    one), longest first so "la semaine dernière" wins over "semaine" and "avant-hier" over "hier"."""
    tables = _tables()
    langs = [lang] if lang in tables else list(tables)
    rules: dict[str, Rule] = {}
    for code in langs:
        table = tables[code]
        for kind in PERIODS:
            for phrase, shift in table.get(kind, {}).items():
                rules[fold_same_length(phrase)] = Rule(kind, int(shift))
        for phrase in table.get("near", []):
            rules[fold_same_length(phrase)] = Rule("near")
        for form, mode in table.get("weekday_forms", {}).items():
            for day, index in months.weekdays(code).items():
                rules[fold_same_length(form.format(day=day))] = Rule("weekday", index, mode)
    alternatives = "|".join(re.escape(p) for p in sorted(rules, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), rules


def find(text: str, lang: str = "und") -> list[tuple[int, int, Rule]]:
    """The relative expressions of ``text``: (start, end, rule), in reading order."""
    code = lang[:2] if lang else "und"
    pattern, rules = _matcher(code)
    folded = fold_same_length(text)
    found = []
    for m in pattern.finditer(folded):
        rule = rules[m.group(0)]
        if rule.kind == "weekday" and _written_date(code).match(folded, m.end()):
            continue  # "mardi 21 mars": a written date, not a relative one
        found.append((m.start(), m.end(), rule))
    return found


def _month_start(day: dt.date, shift: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def period(rule: Rule, published: dt.date) -> tuple[dt.date, dt.date, str] | None:
    """(first day, last day, precision) the rule names for an article of ``published``."""
    if rule.kind == "day":
        day = published + dt.timedelta(days=rule.shift)
        return day, day, "day"
    if rule.kind == "weekday" and rule.mode == "onward":
        day = published + dt.timedelta(days=(rule.shift - published.weekday()) % 7)
        return day, day, "day"
    if rule.kind == "weekday":
        back = (published.weekday() - rule.shift) % 7  # days since the latest such day (0: today)
        if rule.mode == "before":
            back = back or 7
        if rule.mode == "after":
            day = published + dt.timedelta(days=(rule.shift - published.weekday()) % 7 or 7)
        else:
            day = published - dt.timedelta(days=back)
        return day, day, "day"
    if rule.kind == "week":
        monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=rule.shift)
        return monday, monday + dt.timedelta(days=6), "week"
    if rule.kind == "month":
        first = _month_start(published, rule.shift)
        return first, _month_start(first, 1) - dt.timedelta(days=1), "month"
    if rule.kind == "year":
        year = published.year + rule.shift
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    return None  # "recently": no day to name


def resolve(quote: str, published: str | None, lang: str = "und") -> list[ResolvedDate]:
    """The relative expressions of ``quote`` with the periods they name; nothing when the
    publication date is unknown or not a full day."""
    day = article_day(published)
    if day is None:
        return []
    out = []
    for start, end, rule in find(quote, lang):
        if rule.kind == "weekday" and rule.mode == "latest" and weekday_ahead(quote, start, lang):
            rule = Rule("weekday", rule.shift, "onward")  # "will be sworn in on Wednesday"
        found = period(rule, day)
        if found is not None:
            first, last, precision = found
            out.append(ResolvedDate(text=quote[start:end], start=start, end=end, date=first.isoformat(),
                                    until=last.isoformat(), precision=precision))
    return out


def years_spoken(text: str, article_year: int) -> set[int]:
    """The years ``text``'s relative expressions speak of, from the article's year alone: a year
    expression shifts it, any other expression ("hier", "this month", "recently") keeps it."""
    return {article_year + (rule.shift if rule.kind == "year" else 0) for _, _, rule in find(text)}


def label(found: ResolvedDate) -> str:
    """How the period is shown: ``2017-03-13``, ``2017-03-06 – 2017-03-12``, ``2017-02``, ``2016``."""
    if found.precision == "year":
        return found.date[:4]
    if found.precision == "month":
        return found.date[:7]
    if found.date == found.until:
        return found.date
    return f"{found.date} – {found.until}"
