"""How good the timeline is, on hand-judged topics of the 300-article news index.

Each topic of ``bench/timeline_topics.jsonl`` lists the dated events a reader would expect on it (a
verbatim piece of the sentence that tells it, any of a few alternatives when several articles tell
it, and the day or days it happened, read from the article by a person) and the articles that are
about the topic. Topics are split into ``tuning`` and ``heldout``; the held-out ones are never used
to choose a rule or a value. Per split:

* recall: share of the expected events that are in the timeline (an event whose quote holds one of
  the event's pieces);
* right date: share of those found whose event date lies in the expected days;
* on topic: share of all events shown that come from one of the topic's articles;
* events: events shown per topic.

    python -m bench.timeline_quality [--index-dir bench/data/index-news300] [--json FILE] [--show]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from bench.common import ROOT, header, load_embedder, read_jsonl, service_for, setup_logging, table, write_json

TOPICS = ROOT / "bench" / "timeline_topics.jsonl"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def judge(topic: dict[str, Any], events: list[Any]) -> dict[str, Any]:
    """Found, right-dated and on-topic counts of one topic's timeline."""
    found = dated = 0
    for expected in topic["events"]:
        hits = [e for e in events if any(_flat(piece) in _flat(e.quote) for piece in expected["evidence"])]
        if hits:
            found += 1
            dated += any(expected["from"] <= e.date[:10] <= expected["to"] for e in hits)
    on_topic = sum(1 for e in events if e.citation.doc_id in topic["docs"] or
                   any(c.get("doc_id") in topic["docs"] for c in e.citation.also_in))
    return {"id": topic["id"], "split": topic["split"], "expected": len(topic["events"]), "found": found,
            "dated": dated, "events": len(events), "on_topic": on_topic}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    expected = sum(r["expected"] for r in rows)
    found = sum(r["found"] for r in rows)
    events = sum(r["events"] for r in rows)
    return {"topics": len(rows), "recall": round(100 * found / expected, 1) if expected else None,
            "right_date": round(100 * sum(r["dated"] for r in rows) / found, 1) if found else None,
            "on_topic": round(100 * sum(r["on_topic"] for r in rows) / events, 1) if events else None,
            "events_per_topic": round(events / len(rows), 1) if rows else None}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=ROOT / "bench" / "data" / "index-news300")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--show", action="store_true", help="print every topic's events")
    args = parser.parse_args(argv)
    setup_logging()
    service = service_for(args.index_dir, load_embedder())
    rows = []
    for topic in read_jsonl(TOPICS):
        timeline = service.timeline(topic["q"])
        rows.append(judge(topic, timeline.events))
        if args.show:
            print(f"-- {topic['id']} {topic['q']}")
            for e in timeline.events:
                print(f"   {e.date} ({e.citation.date}) {e.citation.doc_id}: {_flat(e.quote)[:150]}")
    result = {split: summary([r for r in rows if r["split"] == split]) for split in ("tuning", "heldout")}
    result["rows"] = rows
    print(header("timeline quality"))
    print(table(["topic", "split", "expected", "found", "right date", "events", "on topic"],
                [[r["id"], r["split"], r["expected"], r["found"], r["dated"], r["events"], r["on_topic"]]
                 for r in rows]))
    print(table(["split", "topics", "recall %", "right date %", "on topic %", "events/topic"],
                [[s, *(result[s][k] for k in ("topics", "recall", "right_date", "on_topic", "events_per_topic"))]
                 for s in ("tuning", "heldout")]))
    if args.json:
        write_json(args.json, result)
    return result


if __name__ == "__main__":
    json.dumps(main())
