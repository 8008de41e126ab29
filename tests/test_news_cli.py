"""The news options of the ``chatbot`` command, as real processes on a real index folder:
``index add --date --source``, ``--since/--until/--source`` on search and ask, ``timeline``."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli_index import chatbot, listed

FIXTURE = Path(__file__).parent / "data" / "news_libya.jsonl"
WATER = ("The Tripoli water authority said on Monday that supplies to the capital had been restored "
         "after armed men who had shut a pumping station in the south left the site.")


def test_dates_and_outlets_from_the_command_line(tmp_path: Path):
    water = tmp_path / "water.txt"
    water.write_text(WATER, "utf-8")
    # bad usage is refused before anything is loaded
    bad = chatbot(tmp_path, "index", "add", str(water), "--date", "20/03/2017")
    assert bad.returncode == 2 and "error: --date: unreadable date '20/03/2017'" in bad.stderr
    many = chatbot(tmp_path, "index", "add", str(water), str(FIXTURE), "--source", "Libya Herald")
    assert many.returncode == 2 and "exactly one file" in many.stderr
    bad_filter = chatbot(tmp_path, "search", "water", "--since", "last week")
    assert bad_filter.returncode == 2 and "error: --since: unreadable date 'last week'" in bad_filter.stderr

    added = chatbot(tmp_path, "index", "add", str(water), "--date", "20 March 2017", "--source", "Libya Herald")
    assert added.returncode == 0, added.stderr
    assert chatbot(tmp_path, "index", "add", str(FIXTURE)).returncode == 0
    docs = {d["title"]: d for d in listed(tmp_path)}
    (mine,) = [d for d in docs.values() if d["source"] == "Libya Herald"]
    assert mine["date"] == "2017-03-20"

    found = chatbot(tmp_path, "search", "water supplies in Tripoli", "--source", "Libya Herald", "--json")
    assert found.returncode == 0, found.stderr
    passages = json.loads(found.stdout)
    assert passages and {p["source"] for p in passages} == {"Libya Herald"}

    nothing = chatbot(tmp_path, "search", "oil ports", "--until", "2000-01-01", "--json")
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == []
    assert "no article matches the filter (published ... to 2000-01-01)" in nothing.stderr

    events = chatbot(tmp_path, "timeline", "Khalifa Haftar and the oil ports", "--since", "2017-03-01", "--json")
    assert events.returncode == 0, events.stderr
    timeline = json.loads(events.stdout)["events"]
    assert timeline and [e["date"] for e in timeline] == sorted(e["date"] for e in timeline)
    assert all(e["date"] >= "2017-03-01" and e["citation"]["source"] for e in timeline)

    answer = chatbot(tmp_path, "ask", "Who took control of the oil ports of Ras Lanuf?", "--source", "aljazeera")
    assert answer.returncode == 0, answer.stderr
    assert "aljazeera.com, 2017-03-14" in answer.stdout
