"""The OpenAI-compatible API, driven by the official ``openai`` client over real HTTP on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest
from loopback import serving_app

from chatbot.server import create_app

QUESTION = "Qui dirige les soldats qui marchent sur Tripoli ?"


@pytest.fixture(scope="module")
def base_url(seeded_service) -> Iterator[str]:
    """A read-only use of the shared seeded index: nothing here writes to it."""
    with serving_app(create_app(seeded_service, ui=False)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="x", max_retries=0, timeout=120)


def test_models_lists_the_chatbot(client):
    assert [m.id for m in client.models.list()] == ["news-chatbot"]
    assert client.models.retrieve("news-chatbot").id == "news-chatbot"


def test_chat_completion_answers_with_citations(client, seed_text):
    completion = client.chat.completions.create(model="news-chatbot",
                                                messages=[{"role": "system", "content": "Be brief."},
                                                          {"role": "user", "content": QUESTION}])
    text = completion.choices[0].message.content
    assert completion.choices[0].finish_reason == "stop" and "Haftar" in text
    citations = completion.model_extra["citations"]
    assert citations and not completion.model_extra["refused"]
    for c in citations:
        assert f"[{c['n']}]" in text and seed_text[c["start"]:c["end"]] == c["quote"]
    assert "Sources:" in text


def test_streaming_gives_chunks_then_citations(client):
    stream = client.chat.completions.create(model="news-chatbot", stream=True,
                                            messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 3 and chunks[0].choices[0].delta.role == "assistant"
    assert "Haftar" in text and "[1]" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert [c["n"] for c in last.model_extra["citations"]] == sorted({c["n"] for c in last.model_extra["citations"]})
    assert last.model_extra["citations"]


def test_raw_stream_ends_with_done(base_url):
    body = {"model": "anything", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream("POST", f"{base_url}/v1/chat/completions", json=body, timeout=120) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    payloads = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert {p["object"] for p in payloads} == {"chat.completion.chunk"}
    assert len({p["id"] for p in payloads}) == 1


def test_earlier_turns_are_the_history(client):
    completion = client.chat.completions.create(model="news-chatbot", messages=[
        {"role": "user", "content": "Qui est Khalifa Haftar ?"},
        {"role": "assistant", "content": "Le maréchal qui dirige l'ANL."},
        {"role": "user", "content": [{"type": "text", "text": "Vers quelle ville marchent ses troupes ?"}]},
    ])
    assert "Tripoli" in completion.choices[0].message.content


def test_question_outside_the_articles_is_refused(client):
    completion = client.chat.completions.create(
        model="news-chatbot", messages=[{"role": "user", "content": "Quelle est la recette de la tarte Tatin ?"}])
    assert completion.model_extra["refused"] and completion.model_extra["citations"] == []
    assert "Sources:" not in completion.choices[0].message.content


@pytest.mark.parametrize(("messages", "extra", "names"), [
    ([{"role": "assistant", "content": "Bonjour"}], {}, "messages[0].role"),
    ([{"role": "tool", "content": "x"}], {}, "messages[0].role"),
    ([{"role": "user", "content": "   "}], {}, "messages[0].content"),
    ([{"role": "user", "content": "Tripoli ?" * 300}], {}, "messages[0].content"),
    ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}], {},
     "messages[0].content"),
    ([], {}, "messages"),
    ([{"role": "user", "content": QUESTION}], {"n": 2}, "n"),
    ([{"role": "user", "content": QUESTION}], {"unknown_option": True}, "unknown_option"),
])
def test_bad_requests_are_openai_style_4xx(client, messages, extra, names):
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(model="news-chatbot", messages=messages, extra_body=extra or None)
    error = caught.value.body
    assert error["code"] and names in error["message"]
    assert [m.id for m in client.models.list()] == ["news-chatbot"]


def test_unknown_model_id_is_404(client):
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4")
