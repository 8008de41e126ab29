"""An OpenAI-compatible API under ``/v1``, so existing chat clients can talk to the chatbot.

``POST /v1/chat/completions``: the last user message is the question, earlier user and assistant
messages are the conversation (system messages are ignored: the bot's behaviour is fixed). The
reply's text carries the ``[n]`` markers and a short source list, because most clients only show
the text; the structured citations are in a ``citations`` field of the response, and of the final
chunk when streaming. Sampling options are accepted and ignored.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from chatbot.http.api import ERRORS, check_history, check_question, json_body, require_ready
from chatbot.http.filtering import filters_of
from chatbot.http.schemas import (
    MODEL_ID,
    ApiError,
    ChatChoice,
    ChatCompletion,
    ChatCompletionMessage,
    ChatCompletionRequest,
    ModelCard,
    ModelList,
)
from chatbot.schemas import Answer, Citation, Message
from chatbot.service.chat import ChatService
from chatbot.service.streaming import stream_answer

log = logging.getLogger(__name__)
SOURCES_HEADER = "\n\nSources:\n"
STARTED = int(time.time())
router = APIRouter(prefix="/v1", tags=["openai"], responses=ERRORS)


def sources_footer(citations: list[Citation]) -> str:
    """The source list appended to the reply text, one line per citation number."""
    if not citations:
        return ""
    lines = []
    for c in citations:
        about = ", ".join(x for x in (c.source, c.date) if x)
        lines.append(f"[{c.n}] {c.title}" + (f" ({about})" if about else ""))
    return SOURCES_HEADER + "\n".join(lines)


def conversation(body: ChatCompletionRequest) -> tuple[str, list[Message]]:
    """The question (last message, which must be the user's) and the earlier turns."""
    last = body.messages[-1]
    index = len(body.messages) - 1
    if last.role != "user":
        raise ApiError(422, "invalid_request", f"messages[{index}].role: the last message must be the "
                       f"user's question, got role '{last.role}'", param=f"messages[{index}].role")
    question = last.text().strip()
    if not question:
        raise ApiError(422, "invalid_request", f"messages[{index}].content: the question is empty",
                       param=f"messages[{index}].content")
    history = []
    for m in body.messages[:-1]:
        if m.role in ("user", "assistant"):
            text = m.text().split(SOURCES_HEADER)[0] if m.role == "assistant" else m.text()
            history.append(Message(role=m.role, content=text))
    return question, history


def _chunk(cid: str, created: int, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    data = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/chat/completions", response_model=ChatCompletion, dependencies=[Depends(json_body)],
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "chat.completion, or chat.completion.chunk events when stream=true"}})
async def chat_completions(body: ChatCompletionRequest, service: ChatService = Depends(require_ready)) -> Any:
    """Answer the conversation's last user message from the articles, OpenAI style."""
    question, history = conversation(body)
    check_question(service, question, f"messages[{len(body.messages) - 1}].content")
    earlier = body.messages[:-1]
    check_history(service, [m.text() for m in earlier], "messages", [f"messages[{i}].content" for i in range(len(earlier))])
    filters = filters_of(body)
    cid = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if not body.stream:
        answer: Answer = await run_in_threadpool(lambda: service.ask(question, history, filters=filters))
        text = answer.answer + sources_footer(answer.citations)
        return ChatCompletion(id=cid, created=created, model=MODEL_ID, citations=answer.citations,
                              refused=answer.refused,
                              choices=[ChatChoice(message=ChatCompletionMessage(content=text))])

    async def chunks() -> AsyncIterator[str]:
        yield _chunk(cid, created, {"role": "assistant", "content": ""})
        try:
            async for kind, data in stream_answer(service, question, history, filters=filters):
                if kind == "delta":
                    yield _chunk(cid, created, {"content": data})
                elif kind == "answer":
                    footer = sources_footer(data.citations)
                    if footer:
                        yield _chunk(cid, created, {"content": footer})
                    yield _chunk(cid, created, {}, "stop", refused=data.refused,
                                 citations=[c.model_dump() for c in data.citations])
        except Exception:  # noqa: BLE001 - headers are sent: the error goes in the stream
            err = {"error": {"code": "internal_error", "message": "the answer failed; see the server log"}}
            yield f"data: {json.dumps(err)}\n\n"
        yield "data: [DONE]\n\n"

    return StreamingResponse(chunks(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/models", response_model=ModelList)
def models() -> ModelList:
    """The one model this server offers: the news chatbot itself."""
    return ModelList(data=[ModelCard(created=STARTED)])


@router.get("/models/{model_id}", response_model=ModelCard)
def model(model_id: str) -> ModelCard:
    if model_id != MODEL_ID:
        raise ApiError(404, "model_not_found", f"model: no model '{model_id}' (this server offers '{MODEL_ID}')",
                       param="model")
    return ModelCard(created=STARTED)
