"""News routes under ``/api``: the timeline of a story, and the entities the articles name.

``GET /api/timeline?q=...&since=&until=&sources=`` returns dated, verified quotes oldest first
(see chatbot.answering.timeline). ``sources`` may repeat or hold a comma-separated list.
``GET /api/entities`` lists people, organisations and places (chatbot.service.entities);
``GET /api/entities/{name}`` gives one with its timeline.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from chatbot.answering.timeline import Event
from chatbot.http.api import ERRORS, check_question, get_service, require_ready
from chatbot.http.filtering import filters_of
from chatbot.http.schemas import ApiError
from chatbot.service.chat import ChatService
from chatbot.service.entities import EntitiesOff, EntitySummary
from chatbot.text.entities import KINDS

router = APIRouter(prefix="/api", tags=["news"], responses=ERRORS)


class TimelineResponse(BaseModel):
    events: list[Event]
    query: str
    message: str | None = None  # why there are no events (a filter that matches no article, a name unmentioned)
    unmentioned: list[str] = []  # what ``query`` names that no article found writes: then no events


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
    return TimelineResponse(events=found.events, query=found.query, message=found.message,
                            unmentioned=found.unmentioned)


class EntitiesResponse(BaseModel):
    entities: list[EntitySummary]


class EntityResponse(EntitySummary):
    timeline: list[Event]  # dated quotes of the articles that name it, oldest first
    message: str | None = None  # why the timeline is empty, when a reason is known


def _kind(kind: str) -> str | None:
    if kind and kind not in KINDS:
        raise ApiError(422, "invalid_request", f"kind: {kind!r} is not one of {', '.join(KINDS)}", param="kind")
    return kind or None


def _entities_off(exc: EntitiesOff) -> ApiError:
    return ApiError(409, "entities_off", str(exc))


@router.get("/entities", response_model=EntitiesResponse)
def entities(kind: Annotated[str, Query(description="person, organisation or place (empty: all)")] = "",
             q: Annotated[str, Query(description="part of the name or an alias, accents ignored")] = "",
             limit: Annotated[int, Query(ge=0, description="at most this many (0: all)")] = 0,
             since: Annotated[str, Query(description="ISO date, inclusive (empty: no bound)")] = "",
             until: Annotated[str, Query(description="ISO date, inclusive (empty: no bound)")] = "",
             sources: Annotated[list[str], Query(description="outlets (none: every outlet)")] = [],  # noqa: B006
             doc_ids: Annotated[list[str], Query(description="only these articles (none: all)")] = [],  # noqa: B006
             service: ChatService = Depends(get_service)) -> EntitiesResponse:
    """People, organisations and places named in the articles (those passing the filters), most
    mentioned first; ``mentions``, ``documents`` and the dates count only those articles."""
    filters = filters_of(since=since or None, until=until or None, sources=sources or None, doc_ids=doc_ids or None)
    try:
        found = service.entities.listing(filters, _kind(kind), q, limit or None)
    except EntitiesOff as exc:
        raise _entities_off(exc) from None
    return EntitiesResponse(entities=found)


@router.get("/entities/{name}", response_model=EntityResponse)
def entity(name: str,
           since: Annotated[str, Query(description="ISO date, inclusive (empty: no bound)")] = "",
           until: Annotated[str, Query(description="ISO date, inclusive (empty: no bound)")] = "",
           sources: Annotated[list[str], Query(description="outlets (none: every outlet)")] = [],  # noqa: B006
           doc_ids: Annotated[list[str], Query(description="only these articles (none: all)")] = [],  # noqa: B006
           service: ChatService = Depends(require_ready)) -> EntityResponse:
    """One entity, found by its name or any alias (accents, case and titles ignored), with the
    timeline of the articles that name it; 404 when no article (passing the filters) names it."""
    filters = filters_of(since=since or None, until=until or None, sources=sources or None, doc_ids=doc_ids or None)
    try:
        found = service.entity(name, filters)
    except EntitiesOff as exc:
        raise _entities_off(exc) from None
    if found is None:
        where = f" ({filters.describe()})" if filters else ""
        raise ApiError(404, "entity_not_found", f"no article{where} names an entity called {name!r}", param="name")
    summary, timeline = found
    return EntityResponse(**summary.model_dump(), timeline=timeline.events, message=timeline.message)
