"""Quotes translated into the reader's language: real index, real encoder, real HTTP, scripted model.

An English question answered from the French seed article quotes French sentences. A local
OpenAI-compatible server stands in for the translating model; its replies are routed by the
sentence being translated, so each test decides what the "model" says about which quote. What a
reader would notice is checked: a faithful translation appears, labelled, beside the kept quote; a
translation that changes a number, drops or adds a name, or says something else never appears;
the answer never waits long for a slow model, and a translation finished late is there next time.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from conftest import SEEDS, settings_for
from fake_openai_server import FakeOpenAIServer, Reply
from loopback import serve
from test_api import sse_events

from chatbot.server import create_app
from chatbot.web.render import render_answer, render_sources

SUPPORT_Q = "Which countries support Haftar?"
SUPPORT_FR = "qui bénéficie du soutien égyptien, saoudien et émirati"
SUPPORT_EN = ("Meanwhile, the controversial marshal, who enjoys Egyptian, Saudi and Emirati support, has "
              "focused on the South and the South-West, gradually encircling the north-west of the country.")
VIDEO_Q = "How long is the video showing the military vehicles?"
VIDEO_FR = "Une vidéo de 8 minutes"
VIDEO_EN = ("An 8-minute video shows the impressive number of heavily armed military vehicles parked by the "
            "side of the road, waiting for the order to drive west, whose southern part was conquered last "
            "March by Haftar's troops after several days of fighting with Chadian militias and networks of "
            "local militias.")


@pytest.fixture(scope="module")
def llm_server():
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder, llm_server):
    """Extractive answers, translations from the scripted server (generous waits: a busy machine)."""
    from chatbot.service.chat import ChatService

    svc = ChatService(settings_for(tmp_path_factory.mktemp("translate") / "index", llm_base_url=llm_server.base_url,
                                   llm_model="fake", llm_timeout_s=120, translate_timeout_s=120),
                      embedder=embedder)
    assert svc.add_paths([SEEDS]).counts()["added"] == 1
    return svc


def translator_cleared(service):
    service.translator._cache.clear()
    return service


def quoting(answer, fragment: str):
    found = [c for c in answer.citations if fragment in c.quote]
    assert found, f"no citation quotes {fragment!r}: {[c.quote for c in answer.citations]}"
    return found[0]


def test_faithful_translation_is_attached_beside_the_kept_quote(service, llm_server):
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(SUPPORT_FR, SUPPORT_EN)
    answer = translator_cleared(service).ask(SUPPORT_Q)
    citation = quoting(answer, SUPPORT_FR)
    assert citation.translation is not None
    assert citation.translation.lang == "en" and citation.translation.text == SUPPORT_EN
    assert SUPPORT_FR in answer.answer  # the original quote stays in the answer, cited
    prompt = next(r["messages"][-1]["content"] for r in llm_server.requests
                  if SUPPORT_FR in r["messages"][-1]["content"])
    assert "French into English" in prompt and SUPPORT_FR in prompt
    bubble = render_answer(answer, 1, "en")
    assert '<div class="cb-translation" lang="en"><em>' in bubble
    assert f"Machine translation [{citation.n}]:" in bubble and "Egyptian, Saudi and Emirati" in bubble
    assert "Machine translation" in render_sources(answer, 1, SUPPORT_Q, "en")


def test_translation_adding_a_country_is_rejected(service, llm_server):
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(SUPPORT_FR, SUPPORT_EN.replace("Egyptian, Saudi", "Egyptian, Sudanese, Saudi"))
    answer = translator_cleared(service).ask(SUPPORT_Q)
    assert quoting(answer, SUPPORT_FR).translation is None
    assert any(SUPPORT_FR in m["messages"][-1]["content"] for m in llm_server.requests)  # it was asked
    assert not answer.refused and SUPPORT_FR in answer.answer  # the quote is still the answer


def test_translation_dropping_a_name_is_rejected(service, llm_server):
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(VIDEO_FR, VIDEO_EN.replace("by Haftar's troops", "by the troops"))
    answer = translator_cleared(service).ask(VIDEO_Q)
    assert quoting(answer, VIDEO_FR).translation is None


def test_translation_changing_a_number_is_rejected(service, llm_server):
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(VIDEO_FR, VIDEO_EN.replace("An 8-minute", "An 18-minute"))
    answer = translator_cleared(service).ask(VIDEO_Q)
    assert quoting(answer, VIDEO_FR).translation is None
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(VIDEO_FR, VIDEO_EN)  # the faithful one is accepted for the same quote
    answer = translator_cleared(service).ask(VIDEO_Q)
    assert quoting(answer, VIDEO_FR).translation.text == VIDEO_EN


def test_translation_saying_something_else_is_rejected(service, llm_server):
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(SUPPORT_FR, "Meanwhile, the controversial marshal, who is at war with Egyptian, Saudi and "
                                 "Emirati forces, has lost the South and the South-West and fled the north-west.")
    answer = translator_cleared(service).ask(SUPPORT_Q)
    assert quoting(answer, SUPPORT_FR).translation is None


def test_french_question_on_a_french_article_asks_for_no_translation(service, llm_server):
    llm_server.script("NOT_IN_ARTICLES")
    answer = service.ask("Qui soutient Khalifa Haftar ?")
    assert answer.citations and all(c.translation is None for c in answer.citations)
    assert llm_server.requests == []


def test_slow_translation_does_not_hold_the_answer_and_is_cached_for_next_time(tmp_path, embedder, llm_server):
    from chatbot.service.chat import ChatService

    svc = ChatService(settings_for(tmp_path / "index", llm_base_url=llm_server.base_url, llm_model="fake",
                                   llm_timeout_s=30, translate_timeout_s=0.5), embedder=embedder)
    svc.add_paths([SEEDS])
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(SUPPORT_FR, Reply(SUPPORT_EN, delay_s=3))
    first = svc.ask(SUPPORT_Q)
    assert not first.refused and quoting(first, SUPPORT_FR).translation is None
    deadline = time.monotonic() + 60
    while svc.translator._pending and time.monotonic() < deadline:  # finishing in the background
        time.sleep(0.1)
    second = svc.ask(SUPPORT_Q)
    assert quoting(second, SUPPORT_FR).translation.text == SUPPORT_EN
    assert sum(SUPPORT_FR in r["messages"][-1]["content"] for r in llm_server.requests) == 1  # asked once


def test_translation_off_asks_the_model_nothing(tmp_path, embedder, llm_server):
    from chatbot.service.chat import ChatService

    svc = ChatService(settings_for(tmp_path / "index", llm_base_url=llm_server.base_url, llm_model="fake",
                                   translate=False), embedder=embedder)
    svc.add_paths([SEEDS])
    llm_server.script("NOT_IN_ARTICLES")
    answer = svc.ask(SUPPORT_Q)
    assert answer.citations and all(c.translation is None for c in answer.citations)
    assert llm_server.requests == []


def test_http_stream_sends_the_quote_then_its_translation(service, llm_server):
    llm_server.script("NOT_IN_ARTICLES")
    llm_server.route(SUPPORT_FR, SUPPORT_EN)
    translator_cleared(service)
    for url in serve(create_app(service)):
        with httpx.Client(base_url=url, timeout=120) as http:
            with http.stream("POST", "/api/ask", json={"question": SUPPORT_Q, "stream": True}) as r:
                assert r.status_code == 200
                events = sse_events(r.read().decode())
            kinds = [k for k, _ in events]
            assert kinds[0] == "passages" and kinds[-2:] == ["answer", "done"]
            assert kinds.index("translation") > max(i for i, k in enumerate(kinds) if k == "delta")
            streamed = "".join(d for k, d in events if k == "delta")
            assert SUPPORT_FR in streamed  # the quote came before the translation
            translation = next(d for k, d in events if k == "translation")
            final = dict(events)["answer"]
            cited = next(c for c in final["citations"] if SUPPORT_FR in c["quote"])
            assert translation == {"n": cited["n"], "lang": "en", "text": SUPPORT_EN}
            assert cited["translation"] == {"lang": "en", "text": SUPPORT_EN}
            plain = http.post("/api/ask", json={"question": SUPPORT_Q}).json()  # cached now
            assert any(c["translation"] == {"lang": "en", "text": SUPPORT_EN} for c in plain["citations"])
            assert json.dumps(plain, ensure_ascii=False).count(SUPPORT_FR) >= 2  # answer text and quote keep the French
