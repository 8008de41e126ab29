"""The JSON API over real HTTP: a uvicorn server on loopback around a real index and the real model."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from conftest import SEEDS
from fastapi.testclient import TestClient
from loopback import served_index

from chatbot.server import create_app


@pytest.fixture(scope="module")
def live(tmp_path_factory, embedder) -> Iterator[tuple[str, object]]:
    """A writable server (loopback, no key) over its own index holding the seed article."""
    yield from served_index(tmp_path_factory.mktemp("api"), embedder, max_upload_mb=1)


@pytest.fixture(scope="module")
def http(live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live[0], timeout=120) as client:
        yield client


def sse_events(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def error_of(response: httpx.Response) -> dict:
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


# ---- reading ------------------------------------------------------------------------------------
def test_health_counts_the_index(http):
    body = http.get("/api/health").json()
    assert body["status"] == "ok" and body["documents"] == 1 and body["chunks"] > 1
    assert "state" not in body


def test_ask_answers_with_verified_citations(http, seed_text):
    r = http.post("/api/ask", json={"question": "Qui dirige l'Armée nationale libyenne ?"})
    assert r.status_code == 200
    answer = r.json()
    assert not answer["refused"] and "Haftar" in answer["answer"]
    assert answer["citations"]
    for c in answer["citations"]:
        assert f"[{c['n']}]" in answer["answer"]
        assert seed_text[c["start"]:c["end"]] == c["quote"]


def test_ask_follow_up_uses_history(http):
    history = [{"role": "user", "content": "Qui est Khalifa Haftar ?"},
               {"role": "assistant", "content": "Un maréchal qui dirige l'ANL."}]
    r = http.post("/api/ask", json={"question": "Vers quelle ville marchent ses troupes ?", "history": history})
    assert r.status_code == 200
    assert "Tripoli" in r.json()["answer"]


def test_ask_streams_passages_deltas_answer_done(http, seed_text):
    with http.stream("POST", "/api/ask", json={"question": "Qui marche sur Tripoli ?", "stream": True}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r.read().decode())
    kinds = [k for k, _ in events]
    assert kinds[0] == "passages" and kinds[-2:] == ["answer", "done"]
    assert set(kinds[1:-2]) == {"delta"} and len(kinds) > 4
    passages = events[0][1]
    assert passages and all(seed_text[p["start"]:p["end"]] == p["text"] for p in passages)
    final = events[-2][1]
    assert "".join(d for k, d in events if k == "delta") == final["answer"]
    assert final["citations"] and not final["refused"]


def test_search_returns_at_most_k_passages_of_the_article(http, seed_text):
    r = http.post("/api/search", json={"query": "Haftar Tripoli offensive", "k": 2})
    passages = r.json()["passages"]
    assert 1 <= len(passages) <= 2
    assert all(seed_text[p["start"]:p["end"]] == p["text"] for p in passages)


def test_several_users_at_once_get_the_same_answer(http):
    from concurrent.futures import ThreadPoolExecutor

    questions = ["Qui marche sur Tripoli ?", "Qui dirige l'Armée nationale libyenne ?"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda q: http.post("/api/ask", json={"question": q}), questions))
    assert all(r.status_code == 200 for r in answers)
    by_question: dict[str, set[str]] = {}
    for question, r in zip(questions, answers, strict=True):
        by_question.setdefault(question, set()).add(r.json()["answer"])
    assert all(len(texts) == 1 for texts in by_question.values())
    assert all(not r.json()["refused"] for r in answers)


def test_openapi_docs_are_served(http):
    assert http.get("/docs").status_code == 200
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/search", "/api/documents", "/v1/chat/completions"} <= set(paths)


# ---- writing ------------------------------------------------------------------------------------
def make_pdf(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle("Rapport sur la pêche en Bretagne")
    y = 800
    for line in text.split(". "):
        pdf.drawString(50, y, line)
        y -= 20
    pdf.save()
    return buffer.getvalue()


FORMATS = {
    "volcan.txt": b"Eruption en Islande\n\nLe volcan Hekla est entre en eruption mardi, selon les geologues.",
    "jardin.md": "# Les jardins partagés\n\nLa mairie de Lyon ouvre douze jardins partagés au printemps.".encode(),
    "musee.html": b"<html><head><title>Le musee rouvre</title></head><body><article><h1>Le musee rouvre</h1>"
                  b"<p>Le musee des beaux-arts de Lille rouvre ses portes samedi apres deux ans de travaux, "
                  b"avec une nouvelle aile consacree a la peinture flamande.</p></article></body></html>",
    "train.json": json.dumps({"title": "Nouveau train de nuit", "text": "Un train de nuit relie désormais "
                              "Paris à Berlin trois fois par semaine.", "source": "Le Rail"}).encode(),
    "brefs.jsonl": ("\n".join(json.dumps({"title": t, "text": x}) for t, x in [
        ("Marathon", "Le marathon de Nantes a réuni huit mille coureurs dimanche."),
        ("Vendanges", "Les vendanges commencent tôt cette année en Bourgogne à cause de la chaleur.")])).encode(),
    "peche.pdf": make_pdf("Les pecheurs bretons ont debarque une prise record de sardines. "
                          "Le port de Douarnenez salue une saison exceptionnelle"),
}


def test_upload_every_format_then_find_and_delete(http):
    files = [("files", (name, data)) for name, data in FORMATS.items()]
    r = http.post("/api/documents", files=files)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["added"] == 7 and report["failed"] == 0
    titles = {d["title"] for d in http.get("/api/documents").json()}
    assert {"Eruption en Islande", "Les jardins partagés", "Nouveau train de nuit", "Marathon",
            "Vendanges", "Rapport sur la pêche en Bretagne"} <= titles
    assert any("musee" in t.lower() for t in titles)
    hit = http.post("/api/search", json={"query": "sardines Douarnenez", "k": 1}).json()["passages"][0]
    assert hit["title"] == "Rapport sur la pêche en Bretagne"

    again = http.post("/api/documents", files=files[:1]).json()
    assert again["unchanged"] == 1 and again["added"] == 0

    for doc_id in report["doc_ids"]["added"]:
        assert http.delete(f"/api/documents/{doc_id}").status_code == 200
    assert http.get("/api/health").json()["documents"] == 1
    gone = http.delete(f"/api/documents/{report['doc_ids']['added'][0]}")
    assert gone.status_code == 404 and "doc_id" in error_of(gone)["message"]


def test_upload_with_one_bad_file_reports_it_and_keeps_the_good_one(http):
    files = [("files", ("ok.txt", b"La neige est tombee sur Grenoble ce matin, une premiere en octobre.")),
             ("files", ("virus.exe", b"MZ\x90\x00"))]
    report = http.post("/api/documents", files=files).json()
    assert report["added"] == 1 and report["failures"][0]["path"] == "virus.exe"
    assert "unsupported file type" in report["failures"][0]["error"]
    assert http.delete(f"/api/documents/{report['doc_ids']['added'][0]}").status_code == 200


def test_add_one_article_as_json(http):
    article = {"title": "Grève des contrôleurs", "text": "Les contrôleurs aériens seront en grève jeudi à Marseille.",
               "date": "2024-05-02", "source": "Le Ciel", "url": "https://example.org/greve", "lang": "fr"}
    report = http.post("/api/documents", json=article).json()
    assert report["added"] == 1
    doc = next(d for d in http.get("/api/documents").json() if d["doc_id"] == report["doc_ids"]["added"][0])
    assert (doc["title"], doc["date"], doc["source"]) == ("Grève des contrôleurs", "2024-05-02", "Le Ciel")
    assert http.delete(f"/api/documents/{doc['doc_id']}").status_code == 200


BAD_INPUTS = [
    ("post", "/api/ask", {"content": b'{"question": "Haftar ?"', "headers": {"content-type": "application/json"}},
     422, "body"),
    ("post", "/api/ask", {"json": {"question": "Haftar ?", "histroy": []}}, 422, "histroy"),
    ("post", "/api/ask", {"json": {"question": "   "}}, 422, "question"),
    ("post", "/api/ask", {"json": {"history": []}}, 422, "question"),
    ("post", "/api/ask", {"json": {"question": "Haftar ?" * 400}}, 422, "question"),
    ("post", "/api/ask", {"json": {"question": "Haftar ?", "history": [{"role": "bot", "content": "x"}]}},
     422, "history[0].role"),
    ("post", "/api/ask", {"json": {"question": 42}}, 422, "question"),
    ("post", "/api/search", {"json": {"query": "Haftar", "k": 0}}, 422, "k"),
    ("post", "/api/search", {"json": {"query": ""}}, 422, "query"),
    ("post", "/api/documents", {"files": [("files", ("x.docx", b"PK\x03\x04"))]}, 422, "x.docx"),
    ("post", "/api/documents", {"files": [("files", ("big.txt", b"mot " * 300_000))]}, 413, "MB"),
    ("post", "/api/documents", {"json": {"title": "sans texte"}}, 422, "text"),
    ("post", "/api/documents", {"json": {"text": "Un texte.", "author": "moi"}}, 422, "author"),
    ("post", "/api/documents", {"content": b"plain", "headers": {"content-type": "text/plain"}}, 415, "multipart"),
    ("post", "/api/documents", {"files": {"note": (None, "no file here")}}, 422, "files"),
    ("post", "/api/index/rebuild", {"json": {"source": "/etc"}}, 422, "source"),
    ("delete", "/api/documents/does-not-exist", {}, 404, "does-not-exist"),
    ("get", "/api/no-such-route", {}, 404, "/api/no-such-route"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "names"), BAD_INPUTS,
                         ids=[f"{m} {p} {s} {n}" for m, p, _, s, n in BAD_INPUTS])
def test_bad_input_is_a_json_4xx_naming_the_problem(http, method, path, kwargs, status, names):
    r = getattr(http, method)(path, **kwargs) if method != "post" else http.post(path, **kwargs)
    assert r.status_code == status, r.text
    assert names in error_of(r)["message"]
    assert http.get("/api/health").status_code == 200


def test_chunked_upload_over_the_limit_is_refused(http):
    def body() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 100_000

    r = http.post("/api/ask", content=body(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "CHATBOT_MAX_UPLOAD_MB" in error_of(r)["message"]
    assert http.get("/api/health").status_code == 200


def test_rebuild_runs_in_background_and_keeps_answering(http):
    r = http.post("/api/index/rebuild")
    assert r.status_code == 202 and r.json()["state"] == "rebuilding"
    states = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # a wait for completion, not a speed check
        health = http.get("/api/health").json()
        states.append(health.get("state"))
        if states[-1] is None:
            break
        assert http.post("/api/ask", json={"question": "Qui marche sur Tripoli ?"}).status_code == 200
        time.sleep(0.2)
    assert states[-1] is None and health["documents"] == 1
    assert health["last_rebuild"]["added"] == 1
    assert "Haftar" in http.post("/api/ask", json={"question": "Qui marche sur Tripoli ?"}).json()["answer"]


# ---- access control and start-up states (in-process client, separate indexes) ------------------------
def test_api_key_guards_write_routes(make_service):
    service = make_service("keyed", api_key="s3cret")
    client = TestClient(create_app(service, host="0.0.0.0", ui=False))
    article = {"title": "Clé", "text": "Le conseil municipal de Brest a voté le budget hier soir."}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
        r = client.post("/api/documents", json=article, headers=headers)
        assert r.status_code == 401 and error_of(r)["code"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"
    assert client.delete("/api/documents/x").status_code == 401
    assert client.post("/api/index/rebuild").status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    added = client.post("/api/documents", json=article, headers=good)
    assert added.status_code == 200 and added.json()["added"] == 1
    assert client.get("/api/health").json()["documents"] == 1  # reading needs no key


def test_non_loopback_without_key_is_read_only(make_service):
    client = TestClient(create_app(make_service("public"), host="0.0.0.0", ui=False))
    for r in (client.post("/api/documents", json={"text": "Un article."}),
              client.delete("/api/documents/x"), client.post("/api/index/rebuild")):
        assert r.status_code == 403
        assert "CHATBOT_API_KEY" in error_of(r)["message"]
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/documents").json() == []


def test_questions_wait_for_the_first_indexing(make_service):
    app = create_app(make_service("starting"), ui=False)
    client = TestClient(app, base_url="http://127.0.0.1")  # writes without a key: this machine only
    release = threading.Event()

    def work(progress):
        progress(3, 10)
        release.wait(60)
        return app.state.service.add_paths([SEEDS])

    assert app.state.jobs.start("indexing", work)
    health = client.get("/api/health").json()
    assert (health["state"], health["done"], health["total"]) == ("indexing", 3, 10)
    r = client.post("/api/ask", json={"question": "Qui marche sur Tripoli ?"})
    assert r.status_code == 503 and "being built" in error_of(r)["message"]
    assert client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "Tripoli ?"}]}
                       ).status_code == 503
    assert client.post("/api/documents", json={"text": "Un article."}).status_code == 409
    release.set()
    app.state.jobs.join()
    assert client.get("/api/health").json()["last_indexing"]["added"] == 1
    assert client.post("/api/ask", json={"question": "Qui marche sur Tripoli ?"}).status_code == 200


def test_a_server_fault_is_a_json_500_and_the_server_goes_on(make_service, monkeypatch, caplog):
    service = make_service("fault")
    client = TestClient(create_app(service, ui=False), raise_server_exceptions=False)

    def broken_search(query, k=None):
        raise RuntimeError("disk vanished")

    monkeypatch.setattr(service, "search", broken_search)
    r = client.post("/api/search", json={"query": "Tripoli"})
    assert r.status_code == 500 and error_of(r)["code"] == "internal_error"
    assert "disk vanished" not in r.text and "disk vanished" in caplog.text
    assert client.get("/api/health").json()["status"] == "ok"


def test_api_survives_a_broken_chat_page(make_service, monkeypatch, caplog):
    import sys
    import types

    broken = types.ModuleType("chatbot.web.page")

    def build_ui(service):
        raise RuntimeError("page cannot be built")

    broken.build_ui = build_ui
    monkeypatch.setitem(sys.modules, "chatbot.web.page", broken)
    client = TestClient(create_app(make_service("noui"), ui=True))
    assert "chat page disabled" in caplog.text
    assert client.get("/api/health").json()["status"] == "ok"
    assert "/docs" in error_of(client.get("/"))["message"]


def test_chat_page_is_mounted_beside_the_api(make_service):
    pytest.importorskip("chatbot.web.page")
    client = TestClient(create_app(make_service("ui"), ui=True))
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/v1/models").json()["data"][0]["id"] == "news-chatbot"
