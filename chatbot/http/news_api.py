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
             since: Annotated[str, Query(description="ISO date, inclusive (empty: no bound)")] = "",
             until: Annotated[str, Query(description="ISO date, inclusive (empty: no bound)")] = "",
             sources: Annotated[list[str], Query(description="outlets (none: every outlet)")] = [],  # noqa: B006
             doc_ids: Annotated[list[str], Query(description="only these articles (none: all)")] = [],  # noqa: B006
             service: ChatService = Depends(require_ready)) -> TimelineResponse:
    """Dated quotes about ``q`` from the articles, oldest first; near-copies appear once.

    Query parameters are plain strings (an absent one is empty, never null), as a query string
    carries them."""
    if not q.strip():
        raise ApiError(422, "invalid_request", "q: the query is empty", param="q")
    check_question(service, q, "q")
    filters = filters_of(since=since or None, until=until or None, sources=sources or None, doc_ids=doc_ids or None)
    found = service.timeline(q.strip(), filters)
    return TimelineResponse(events=found.events, query=found.query, message=found.message)
