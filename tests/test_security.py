"""Attacks on a running ``chatbot serve`` from outside: the real app under uvicorn on loopback, the real
model and index, the chat page's functions called through Gradio's HTTP API the way any client can.

Without a key, only this machine may write (loopback ``Host``, no foreign ``Origin``); the page's
upload function reads only files uploaded through Gradio's upload route; every route bounds the
conversation it is sent; slow bodies are cut off; every response forbids framing.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SEEDS, settings_for
from loopback import serve

from chatbot.server import create_app

SECRET = "SECRET-MARKER-4f1c le mot de passe du coffre est papillon."
EVIL = "https://evil.example"


def seeded(folder: Path, embedder: Any, **overrides: Any) -> Any:
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(folder / "index", **overrides), embedder=embedder)
    assert service.add_paths([SEEDS]).counts()["added"] == 1
    return service


@pytest.fixture(scope="module")
def open_server(tmp_path_factory, embedder) -> Iterator[tuple[str, Any]]:
    """Loopback, no API key: writes allowed from this machine only."""
    service = seeded(tmp_path_factory.mktemp("security"), embedder, max_upload_mb=1, body_timeout_s=2,
                     max_history_turns=6, max_turn_chars=3000)
    for url in serve(create_app(service)):
        yield url, service


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory, embedder) -> Iterator[tuple[str, Any]]:
    service = seeded(tmp_path_factory.mktemp("security-keyed"), embedder, api_key="k3y-sec", max_upload_mb=1)
    for url in serve(create_app(service)):
        yield url, service


@pytest.fixture(scope="module")
def http(open_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=open_server[0], timeout=120) as client:
        yield client


def call_page(base: str, api_name: str, data: list[Any], headers: dict[str, str] | None = None,
              ) -> tuple[str, Any]:
    """Call one of the page's functions through Gradio's HTTP API: ("complete"|"error", payload)."""
    with httpx.Client(base_url=base, timeout=180) as client:
        started = client.post(f"/gradio_api/call/{api_name}", json={"data": data}, headers=headers or {})
        if started.status_code != 200:
            return "refused", started
        event_id = started.json()["event_id"]
        text = client.get(f"/gradio_api/call/{api_name}/{event_id}").text
    event, payload = "", None
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        event = lines.get("event", event)
        payload = json.loads(lines["data"]) if lines.get("data") not in (None, "null") else None
    return event, payload


def page_upload(base: str, name: str, data: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=60) as client:
        return client.post("/gradio_api/upload", files=[("files", (name, data))], headers=headers or {})


def file_data(path: str) -> dict[str, Any]:
    return {"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


def titles(service: Any) -> list[str]:
    return [d.title for d in service.documents()]


def search_hits(http: httpx.Client, query: str) -> str:
    return json.dumps(http.post("/api/search", json={"query": query, "k": 10}).json())


# ---- 1. the page reads only what was uploaded to it ---------------------------------------------------
def test_page_upload_function_never_reads_a_server_path(open_server, http, tmp_path):
    base, service = open_server
    secret = tmp_path / "coffre.txt"
    secret.write_text(SECRET, encoding="utf-8")
    system_files = [p for p in ("/usr/share/common-licenses/MIT", "/usr/share/common-licenses/GPL-3",
                                "/etc/os-release") if Path(p).exists()][:1]
    before = len(service.documents())
    for path in [str(secret), *system_files]:
        event, payload = call_page(base, "add_files", ["", [file_data(path)]])
        shown = json.dumps(payload)
        assert "SECRET-MARKER" not in shown
        assert event == "error" or "refused" in shown or "refusé" in shown, (event, shown[:300])
    assert len(service.documents()) == before
    assert "SECRET-MARKER" not in search_hits(http, "mot de passe du coffre papillon")


def test_a_file_uploaded_to_the_page_is_indexed_and_its_temp_copy_removed(open_server, http):
    base, service = open_server
    article = b"Le phare de Cordouan\n\nLe phare de Cordouan a rouvert aux visiteurs samedi apres deux ans de travaux."
    stored = page_upload(base, "cordouan.txt", article, {"Origin": base})
    assert stored.status_code == 200, stored.text
    path = stored.json()[0]
    assert Path(path).exists()
    event, payload = call_page(base, "add_files", ["", [file_data(path)]])
    assert event == "complete" and "1 added" in json.dumps(payload), payload
    assert "Le phare de Cordouan" in titles(service)
    assert not Path(path).exists()
    again, payload = call_page(base, "add_files", ["", [file_data(path)]])  # a path once uploaded, now used up
    assert again == "error" or "refused" in json.dumps(payload)
    doc_id = next(d.doc_id for d in service.documents() if d.title == "Le phare de Cordouan")
    assert http.delete(f"/api/documents/{doc_id}").status_code == 200


# ---- 2. without a key, only this machine writes -------------------------------------------------------
def test_writes_from_another_site_or_a_rebinding_host_are_refused(open_server, http):
    base, service = open_server
    port = base.rsplit(":", 1)[1]
    before = titles(service)
    form = http.post("/api/documents", files=[("files", ("a.txt", b"Un article venu d'ailleurs sur la peche."))],
                     headers={"Origin": EVIL})
    assert form.status_code == 403 and "another site" in form.json()["error"]["message"]
    urlencoded = http.post("/api/documents", content=b"text=Un+article", headers={
        "Origin": EVIL, "content-type": "application/x-www-form-urlencoded"})
    assert urlencoded.status_code == 403
    assert http.post("/api/index/rebuild", headers={"Origin": EVIL}).status_code == 403
    assert http.post("/api/index/rebuild", headers={"Origin": "null"}).status_code == 403
    assert http.post("/api/index/rebuild", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    doc_id = service.documents()[0].doc_id
    for host in (f"evil.example:{port}", "127.0.0.1:1", f"192.168.1.5:{port}"):
        gone = http.delete(f"/api/documents/{doc_id}", headers={"Host": host})
        assert gone.status_code == 403 and "Host" in gone.json()["error"]["message"], gone.text
    assert titles(service) == before

    article = ["", "Article pirate", "Un article ajoute depuis un autre site.", "", ""]
    for headers in ({"Origin": EVIL}, {"Host": f"evil.example:{port}"}):
        event, payload = call_page(base, "add_text", article, headers)
        if event != "refused":
            assert "refused" in json.dumps(payload), payload
    event, payload = call_page(base, "rebuild", [""], {"Origin": EVIL})
    assert event == "refused" or "refused" in json.dumps(payload)
    assert titles(service) == before and "state" not in http.get("/api/health").json()

    same_site = http.post("/api/documents", json={"title": "Local", "text": "Un article ajoute depuis cette machine."},
                          headers={"Origin": base})
    assert same_site.status_code == 200, same_site.text
    assert http.delete(f"/api/documents/{same_site.json()['doc_ids']['added'][0]}").status_code == 200


# ---- 3. conversation limits on every route --------------------------------------------------------------
def test_history_is_bounded_on_every_route(http, open_server):
    base, service = open_server
    huge = [{"role": "user", "content": "Haftar " * 600}, {"role": "assistant", "content": "x"}]
    r = http.post("/api/ask", json={"question": "et ?", "history": huge})
    assert r.status_code == 422 and r.json()["error"]["param"] == "history[0].content"
    assert "CHATBOT_MAX_TURN_CHARS" in r.json()["error"]["message"]
    many = [{"role": "user", "content": "Qui ?"}] * 7
    r = http.post("/api/ask", json={"question": "et ?", "history": many})
    assert r.status_code == 422 and "CHATBOT_MAX_HISTORY_TURNS" in r.json()["error"]["message"]
    r = http.post("/api/ask", json={"question": "et ?", "history": huge, "stream": True})
    assert r.status_code == 422
    messages = [*huge, {"role": "user", "content": "et ?"}]
    r = http.post("/v1/chat/completions", json={"messages": messages})
    assert r.status_code == 422 and r.json()["error"]["param"] == "messages[0].content"
    r = http.post("/v1/chat/completions", json={"messages": [*many, {"role": "user", "content": "et ?"}]})
    assert r.status_code == 422 and "messages" in r.json()["error"]["message"]

    question = "Haftar ? " * 55_556  # 500,004 characters, within the 1 MB body limit of this server
    event, payload = call_page(base, "ask", [question, [], [], []])
    assert event == "complete", payload
    shown = json.dumps(payload)
    assert "too long" in shown and f"{len(question.strip())} characters" in shown


def test_page_questions_do_not_wait_for_each_other(open_server, monkeypatch):
    base, service = open_server
    gate, entered = threading.Event(), threading.Event()
    real_ask = service.ask

    def ask(question, history=None, on_event=None, filters=None):
        if "Tobrouk" in question:
            entered.set()
            gate.wait(120)
        return real_ask(question, history, on_event, filters=filters)

    monkeypatch.setattr(service, "ask", ask)
    results: dict[str, Any] = {}
    slow = threading.Thread(target=lambda: results.update(slow=call_page(base, "ask", ["Et Tobrouk ?", [], [], []])))
    slow.start()
    try:
        assert entered.wait(120)
        event, payload = call_page(base, "ask", ["Qui dirige l'Armée nationale libyenne ?", [], [], []])
        assert event == "complete" and "Haftar" in json.dumps(payload, ensure_ascii=False)
        assert "slow" not in results, "the first question finished first: the second one waited for it"
    finally:
        gate.set()
        slow.join(120)
    assert results["slow"][0] == "complete"


# ---- 4. the page's upload route ----------------------------------------------------------------------------
def test_page_upload_route_is_bounded_and_guarded(open_server):
    base, _ = open_server
    port = base.rsplit(":", 1)[1]
    big = page_upload(base, "big.txt", b"mot " * 700_000)
    assert big.status_code == 413
    assert page_upload(base, "a.txt", b"Un article.", {"Origin": EVIL}).status_code == 403
    assert page_upload(base, "a.txt", b"Un article.", {"Host": f"evil.example:{port}"}).status_code == 403
    assert page_upload(base, "a.txt", b"Un article.").status_code == 200


# ---- 5. headers, slow bodies, unknown sessions ------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/api/health", "/gradio_api/info", "/docs", "/api/nothing",
                                  "/gradio_api/queue/data?session_hash=nope"])
def test_every_response_forbids_framing_and_sniffing(http, path):
    r = http.get(path)
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_page_runs_only_its_own_scripts(http):
    import re

    first, second = http.get("/"), http.get("/")
    policy = first.headers["content-security-policy"]
    nonce = re.search(r"script-src 'self' 'unsafe-eval' 'nonce-([\w-]+)'", policy)
    assert nonce and "unsafe-inline" not in policy, policy
    tags = re.findall(r"<script\b[^>]*>", first.text)
    assert tags and all(f'nonce="{nonce.group(1)}"' in tag for tag in tags), tags
    assert nonce.group(1) not in second.headers["content-security-policy"]  # drawn per response
    assert int(first.headers["content-length"]) == len(first.content)


def test_a_body_that_trickles_in_is_cut_off(open_server, http):
    base, _ = open_server
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: " + f"{host}:{port}".encode()
                     + b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"question\": \"")
        reply = b""
        try:
            for _ in range(200):  # one byte at a time, well past the 2 s the body may take
                sock.sendall(b"a")
                time.sleep(0.05)
        except OSError:
            pass  # the server closed the connection after answering
        sock.settimeout(30)
        try:
            while b"\r\n\r\n" not in reply:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            pass
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b"CHATBOT_BODY_TIMEOUT_S" in reply or b"request_timeout" in reply
    assert http.get("/api/health").status_code == 200


def test_unknown_page_session_is_a_quiet_4xx(http, caplog):
    caplog.set_level(logging.INFO)
    response = http.get("/gradio_api/queue/data", params={"session_hash": "no-such-session"})
    assert response.status_code == 404 and "session" in response.json()["error"]["message"]
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---- 6. one write check: a rebuild from the page is a job the API sees ------------------------------------
def test_a_rebuild_started_from_the_page_shows_in_health_and_blocks_writers(open_server, http, monkeypatch):
    base, service = open_server
    gate = threading.Event()
    real_rebuild = service.rebuild

    def slow_rebuild(source=None, progress=None):
        gate.wait(120)
        return real_rebuild(source, progress)

    monkeypatch.setattr(service, "rebuild", slow_rebuild)
    try:
        event, payload = call_page(base, "rebuild", [""])
        assert event == "complete" and "rebuild started" in json.dumps(payload), payload
        assert http.get("/api/health").json()["state"] == "rebuilding"
        busy = http.post("/api/documents", json={"text": "Un article pendant la reconstruction."})
        assert busy.status_code == 409 and busy.json()["error"]["code"] == "index_busy"
        event, payload = call_page(base, "add_text", ["", "Pendant", "Un article pendant la reconstruction.", "", ""])
        assert "busy" in json.dumps(payload)
    finally:
        gate.set()
    service.jobs.join(120)
    health = http.get("/api/health").json()
    assert "state" not in health and health["last_rebuild"]["added"] >= 1


# ---- with a key ----------------------------------------------------------------------------------------------
def test_with_a_key_the_page_needs_it_and_uploads_stay_same_site(keyed_server):
    base, service = keyed_server
    article = ["", "Clé", "Un article qui demande la clé.", "", ""]
    event, payload = call_page(base, "add_text", article)
    assert "refused" in json.dumps(payload) and "Clé" not in titles(service)
    event, payload = call_page(base, "add_text", ["k3y-sec", *article[1:]], {"Host": "chatbot.example.org"})
    assert "1 added" in json.dumps(payload) and "Clé" in titles(service)
    assert page_upload(base, "a.txt", b"Un article.", {"Origin": EVIL}).status_code == 403
    assert page_upload(base, "a.txt", b"Un article.").status_code == 200
