"""News routes under ``/api``: the timeline of a story.

``GET /api/timeline?q=...&since=&until=&sources=`` returns dated, verified quotes oldest first
(see chatbot.answering.timeline). ``sources`` may repeat or hold a comma-separated list.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from chatbot.answering.timeline import Event
from chatbot.http.api import ERRORS, check_question, require_ready
from chatbot.http.filtering import filters_of
from chatbot.http.schemas import ApiError
from chatbot.service.chat import ChatService

router = APIRouter(prefix="/api", tags=["news"], responses=ERRORS)


class TimelineResponse(BaseModel):
    events: list[Event]
    query: str
    message: str | None = None  # why there are no events (a filter that matches no article)


@router.get("/timeline", response_model=TimelineResponse)
def timeline(q: Annotated[str, Query(description="what the timeline is about")] = "",
             since: Annotated[str | None, Query(description="ISO date, inclusive")] = None,
             until: Annotated[str | None, Query(description="ISO date, inclusive")] = None,
             sources: Annotated[list[str] | None, Query(description="outlets")] = None,
             doc_ids: Annotated[list[str] | None, Query(description="only these articles")] = None,
             service: ChatService = Depends(require_ready)) -> TimelineResponse:
    """Dated quotes about ``q`` from the articles, oldest first; near-copies appear once."""
    if not q.strip():
        raise ApiError(422, "invalid_request", "q: the query is empty", param="q")
    check_question(service, q, "q")
    filters = filters_of(since=since, until=until, sources=sources, doc_ids=doc_ids)
    found = service.timeline(q.strip(), filters)
    return TimelineResponse(events=found.events, query=found.query, message=found.message)
