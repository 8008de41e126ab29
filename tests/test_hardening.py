"""Hostile and broken input over HTTP, access control, CORS, secrets in logs, escaping on the chat page.

One app (API key set, chat page mounted) over a real index of the seed article and the real model,
driven in process. Every bad request must be a 4xx JSON error naming the problem, never a 500, and the
server must go on answering; nothing a client sends is ever read as a path on the server.
"""

from __future__ import annotations

import asyncio
import gzip
import hmac
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import SEEDS, settings_for
from fake_openai_server import FakeOpenAIServer, Reply
from fastapi.testclient import TestClient

from chatbot.server import create_app

KEY = "hardening-key-7f3a9c"
AUTH = {"Authorization": f"Bearer {KEY}"}
JSON = {"content-type": "application/json"}
EVIL_ARTICLE = {
    "title": "Le port de Sfax <img src=x onerror=alert('title')>",
    "text": "Le port de Sfax a rouvert lundi <script>alert('xss')</script> après trois semaines de grève "
            "des dockers <img src=x onerror=alert(1)>. Les navires attendaient au large depuis des jours.",
    "source": "<b>Gazette</b>",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(tmp_path_factory.mktemp("hard") / "index", api_key=KEY, max_upload_mb=1),
                          embedder=embedder)
    assert service.add_paths([SEEDS]).counts()["added"] == 1
    return create_app(service, ui=True)


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def error_of(response) -> dict:
    """The JSON error of a 4xx response, checked for the documented shape."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


def zip_bomb(name: str = "word/document.xml", size: int = 40_000_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"a" * size)
    return buffer.getvalue()


def pdf_bomb() -> bytes:
    """A valid one-page PDF whose small content stream inflates to 200 MB."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 720 Td (Le port a rouvert) Tj ET\n" + b" " * 200_000_000)
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode(level=9))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> dict:
    return {"files": [("files", (name, data))], "headers": AUTH}


BAD = [
    ("ask as text/plain", "post", "/api/ask", {"content": b'{"question": "Haftar ?"}',
                                               "headers": {"content-type": "text/plain"}}, 415, "application/json"),
    ("ask as a form", "post", "/api/ask", {"data": {"question": "Haftar ?"}}, 415, "application/json"),
    ("chat as text/plain", "post", "/v1/chat/completions", {"content": b"hi", "headers": {"content-type": "text/plain"}},
     415, "application/json"),
    ("ask not UTF-8", "post", "/api/ask", {"content": b'{"question": "\xff\xfe Haftar"}', "headers": JSON}, 422, "UTF-8"),
    ("search not UTF-8", "post", "/api/search", {"content": b'{"query": "\xc3"}', "headers": JSON}, 422, "UTF-8"),
    ("article not UTF-8", "post", "/api/documents", {"content": b'{"text": "caf\xe9 noir"}', "headers": {**JSON, **AUTH}},
     422, "body"),
    ("ask nested 100k deep", "post", "/api/ask", {"content": b"[" * 100_000 + b"]" * 100_000, "headers": JSON}, 422, "body"),
    ("search 5000-digit k", "post", "/api/search", {"content": b'{"query": "x", "k": ' + b"9" * 5000 + b"}",
                                                   "headers": JSON}, 422, "body"),
    ("ask lone surrogate", "post", "/api/ask", {"content": b'{"question": "\\ud800"}', "headers": JSON}, 422, "question"),
    ("gzip bomb body", "post", "/api/ask", {"content": gzip.compress(b'{"question": "' + b"a" * 20_000_000 + b'"}'),
                                            "headers": {**JSON, "content-encoding": "gzip"}}, 415, "Content-Encoding"),
    ("gzip upload", "post", "/api/documents", {"content": gzip.compress(b"x" * 1_000_000),
                                               "headers": {**JSON, **AUTH, "content-encoding": "gzip"}}, 415, "gzip"),
    ("chat huge question", "post", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": "mot " * 600}]}},
     422, "CHATBOT_MAX_QUESTION_CHARS"),
    ("chat empty question", "post", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": " "}]}},
     422, "empty"),
    ("chat tool role", "post", "/v1/chat/completions", {"json": {"messages": [{"role": "tool", "content": "x"}]}},
     422, "messages[0].role"),
    ("chat ends with assistant", "post", "/v1/chat/completions",
     {"json": {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}}, 422, "last message"),
    ("chat malformed JSON", "post", "/v1/chat/completions", {"content": b'{"messages": [', "headers": JSON}, 422, "malformed"),
    ("chat unknown field", "post", "/v1/chat/completions",
     {"json": {"messages": [{"role": "user", "content": "x"}], "tools": []}}, 422, "tools"),
    ("chat body over the limit", "post", "/v1/chat/completions", {"content": b" " * 1_100_000, "headers": JSON}, 413, "MB"),
    ("search body over the limit", "post", "/api/search", {"content": b"{" + b" " * 1_100_000, "headers": JSON}, 413, "MB"),
    ("multipart without boundary", "post", "/api/documents",
     {"content": b"abc", "headers": {"content-type": "multipart/form-data", **AUTH}}, 422, "multipart"),
    ("zip upload", "post", "/api/documents", upload("bomb.zip", zip_bomb()), 422, "unsupported file type '.zip'"),
    ("zip renamed .docx", "post", "/api/documents", upload("report.docx", zip_bomb()), 422, "'.docx'"),
    ("zip renamed .txt", "post", "/api/documents", upload("report.txt", zip_bomb()), 422, "binary content"),
    ("zip renamed .pdf", "post", "/api/documents", upload("report.pdf", zip_bomb()), 422, "unreadable PDF"),
    ("zip renamed .html", "post", "/api/documents", upload("page.html", zip_bomb()), 422, "binary content"),
    ("pdf bomb", "post", "/api/documents", upload("bomb.pdf", pdf_bomb()), 422, "decompression limit"),
    ("latin-1 .txt", "post", "/api/documents", upload("latin.txt", "Le café de la gare à Orléans rouvre.".encode("latin-1")),
     422, "not valid UTF-8"),
    ("deeply nested .json", "post", "/api/documents", upload("deep.json", b"[" * 50_000 + b"]" * 50_000), 422, "nested"),
    ("empty .txt", "post", "/api/documents", upload("empty.txt", b"  \n"), 422, "empty"),
    ("wrong method on ask", "get", "/api/ask", {}, 405, "POST"),
    ("wrong method on health", "post", "/api/health", {}, 405, "GET"),
    ("wrong method on a document", "put", "/api/documents/abc", {"headers": AUTH}, 405, "DELETE"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "names"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_a_json_4xx_and_the_server_goes_on(client, method, path, kwargs, status, names):
    response = client.request(method.upper(), path, **kwargs)
    assert response.status_code == status, response.text[:300]
    assert names in error_of(response)["message"]
    assert client.get("/api/health").json()["documents"] >= 1


def test_wrong_method_says_which_methods_are_allowed(client):
    response = client.delete("/api/search")
    assert response.status_code == 405 and response.headers["allow"] == "POST"


# ---- uploads are content, never paths -----------------------------------------------------------------
def stored_text(app, doc_id: str) -> str:
    found = app.state.service.index.article(doc_id)
    assert found is not None
    return found[1]


def test_upload_file_names_are_never_read_from_disk(app, client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER le mot de passe du serveur est hunter2.", encoding="utf-8")
    uploaded = b"Les dockers du port de Brest ont vote la fin de la greve mardi soir."
    for name in (str(secret), f"../../../../{tmp_path.name}/secret.txt", "..\\..\\secret.txt"):
        response = client.post("/api/documents", files=[("files", (name, uploaded))], headers=AUTH)
        assert response.status_code == 200, response.text
        doc_id = next(iter(sum(response.json()["doc_ids"].values(), [])))
        assert stored_text(app, doc_id) == uploaded.decode()
        assert "SECRET-MARKER" not in response.text
    for name in ("/etc/passwd", "../../etc/passwd", "/etc/shadow"):
        response = client.post("/api/documents", files=[("files", (name, b"root"))], headers=AUTH)
        assert "unsupported file type" in error_of(response)["message"]
        assert "root:" not in response.text
    listing = client.get("/api/documents").text
    assert "SECRET-MARKER" not in listing and "root:x:" not in listing


def test_a_path_in_a_json_article_is_never_read(app, client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER", encoding="utf-8")
    refused = client.post("/api/documents", json={"text": "Un article.", "path": str(secret)}, headers=AUTH)
    assert "path" in error_of(refused)["message"]
    for fields in ({"text": str(secret)}, {"text": "Un article sur la pêche.", "url": secret.as_uri(),
                                           "doc_id": "../../etc/passwd"}):
        response = client.post("/api/documents", json=fields, headers=AUTH)
        assert response.status_code == 200, response.text
        doc_id = next(iter(sum(response.json()["doc_ids"].values(), [])))
        assert "/" not in doc_id and ".." not in doc_id
        assert stored_text(app, doc_id) == fields["text"]


def test_html_upload_keeps_the_article_and_drops_its_scripts(app, client):
    page = (b"<html><head><title>Pont de Nantes</title><script>steal('SCRIPT-HEAD')</script></head><body><article>"
            b"<h1>Pont de Nantes</h1><p>Le nouveau pont de Nantes a ouvert hier aux pietons et aux cyclistes.</p>"
            b"<img src=x onerror=\"steal('ONERROR')\"><script>steal('SCRIPT-BODY')</script>"
            b"<p>Sa construction a dure quatre ans et coute quarante millions d'euros.</p></article></body></html>")
    response = client.post("/api/documents", files=[("files", ("pont.html", page))], headers=AUTH)
    assert response.status_code == 200, response.text
    text = stored_text(app, response.json()["doc_ids"]["added"][0])
    assert "nouveau pont de Nantes" in text and "quarante millions" in text
    assert not any(bad in text for bad in ("SCRIPT-HEAD", "SCRIPT-BODY", "ONERROR", "<script", "onerror"))


def test_markup_in_a_pasted_article_shows_escaped_in_the_chat(app, client):
    from chatbot.web.page import make_respond

    response = client.post("/api/documents", json=EVIL_ARTICLE, headers=AUTH)
    assert response.status_code == 200, response.text
    request = SimpleNamespace(headers={"accept-language": "fr"})
    respond = make_respond(app.state.service)

    async def updates() -> list:
        return [u async for u in respond("Quand le port de Sfax a-t-il rouvert ?", [], [], [], request)]

    *_, (_, chat, _, _, sources) = asyncio.run(updates())
    shown = chat[-1]["content"] + str(sources)
    assert "Sfax" in shown and "&lt;script&gt;" in shown
    assert "<script" not in shown and "<img" not in shown and "<b>" not in shown
    page = client.get("/")
    assert page.status_code == 200 and "alert('xss')" not in page.text


# ---- access control, CORS, secrets ------------------------------------------------------------------
def test_the_api_key_is_compared_in_constant_time(client, monkeypatch):
    calls, real = [], hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("chatbot.service.access.hmac.compare_digest", spy)
    assert client.delete("/api/documents/nothing-here", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.delete("/api/documents/nothing-here", headers=AUTH).status_code == 404
    assert calls == [(b"nope", KEY.encode()), (KEY.encode(), KEY.encode())]


@pytest.mark.parametrize("path", ["/api/ask", "/api/documents", "/v1/chat/completions", "/gradio_api/info", "/config", "/"])
def test_cors_is_closed_to_other_origins(client, path):
    origin = "https://evil.example"
    preflight = client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization, content-type"})
    simple = client.get(path, headers={"Origin": origin})
    for response in (preflight, simple):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers
        assert response.status_code < 500


def test_no_secret_reaches_logs_or_responses(tmp_path, embedder, caplog):
    """API key and LLM key set, the LLM server failing: neither key shows in any log or response."""
    from chatbot.service.chat import ChatService

    llm_key = "sk-llm-secret-5e1d0b"
    caplog.set_level(logging.DEBUG)
    with FakeOpenAIServer() as llm:
        llm.script(Reply(status=401))
        service = ChatService(settings_for(tmp_path / "index", api_key=KEY, answerer="llm", llm_base_url=llm.base_url,
                                           llm_model="fake", llm_api_key=llm_key, llm_timeout_s=5), embedder=embedder)
        client = TestClient(create_app(service, host="0.0.0.0", ui=True), raise_server_exceptions=False)
        responses = [
            client.post("/api/documents", json={"title": "Grève", "text": "Les dockers de Sfax sont en grève depuis lundi."},
                        headers={"Authorization": f"Bearer {KEY}x"}),
            client.post("/api/documents", json={"title": "Grève", "text": "Les dockers de Sfax sont en grève depuis lundi."},
                        headers=AUTH),
            client.post("/api/ask", json={"question": "Depuis quand les dockers de Sfax sont-ils en grève ?"}),
            client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "Qui est en grève ?"}],
                                                      "stream": True}),
            client.get("/api/health"), client.get("/openapi.json"), client.get("/"), client.get("/config"),
        ]
        assert llm.requests, "the LLM server was called, so its key was in use"
    assert responses[1].status_code == 200 and responses[2].status_code == 200
    assert "grève" in responses[2].json()["answer"] and responses[2].json()["fallback"]
    seen = caplog.text + "".join(r.text for r in responses)
    assert KEY not in seen and llm_key not in seen
    assert responses[0].status_code == 401 and "wrong API key" in json.dumps(responses[0].json())


def test_uploaded_files_over_the_limit_leave_nothing_behind(client):
    before = client.get("/api/health").json()["documents"]
    big = [("files", (f"part{i}.txt", b"mot " * 100_000)) for i in range(4)]
    response = client.post("/api/documents", files=big, headers=AUTH)
    assert response.status_code == 413 and "CHATBOT_MAX_UPLOAD_MB" in error_of(response)["message"]
    assert client.get("/api/health").json()["documents"] == before


def test_seed_folder_is_not_exposed_over_http(client):
    for path in ("/api/documents/../../seeds", "/file=" + str(Path(SEEDS).resolve()), "/gradio_api/file=/etc/passwd"):
        response = client.get(path)
        assert response.status_code in (403, 404, 405) and "root:x:" not in response.text
