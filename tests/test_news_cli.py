"""The news options of the ``chatbot`` command, as real processes on a real index folder:
``index add --date --source``, ``--since/--until/--source``, ``timeline``. Each process loads the
model, so one flow tells the story; what the filters select is covered in test_news_api.py."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli_index import chatbot, listed

WATER = ("The Tripoli water authority said on Monday that supplies to the capital had been restored "
         "after armed men who had shut a pumping station in the south left the site.")


def test_dates_and_outlets_from_the_command_line(tmp_path: Path):
    water = tmp_path / "water.txt"
    water.write_text(WATER, "utf-8")
    # bad usage is refused before anything is loaded
    bad = chatbot(tmp_path, "index", "add", str(water), "--date", "20/03/2017")
    assert bad.returncode == 2 and "error: --date: unreadable date '20/03/2017'" in bad.stderr
    many = chatbot(tmp_path, "index", "add", str(water), str(tmp_path), "--source", "Libya Herald")
    assert many.returncode == 2 and "exactly one file" in many.stderr
    bad_filter = chatbot(tmp_path, "search", "water", "--since", "last week")
    assert bad_filter.returncode == 2 and "error: --since: unreadable date 'last week'" in bad_filter.stderr

    added = chatbot(tmp_path, "index", "add", str(water), "--date", "20 March 2017", "--source", "Libya Herald")
    assert added.returncode == 0, added.stderr
    (doc,) = listed(tmp_path)
    assert (doc["date"], doc["source"]) == ("2017-03-20", "Libya Herald")

    found = chatbot(tmp_path, "search", "water supplies in Tripoli", "--source", "libya herald",
                    "--since", "2017-03-01", "--until", "2017/3/31", "--json")
    assert found.returncode == 0, found.stderr
    passages = json.loads(found.stdout)
    assert passages and {(p["source"], p["date"]) for p in passages} == {("Libya Herald", "2017-03-20")}

    events = chatbot(tmp_path, "timeline", "water supplies in Tripoli", "--since", "2018-01-01", "--json")
    assert events.returncode == 0, events.stderr
    assert json.loads(events.stdout) == {"events": [], "query": "water supplies in Tripoli",
                                         "message": "no article matches the filter (published 2018-01-01 to ...)",
                                         "unmentioned": []}
