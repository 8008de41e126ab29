"""Request filters (since, until, sources, doc_ids) checked once for every route that takes them."""

from __future__ import annotations

from typing import Any

from chatbot.http.schemas import ApiError
from chatbot.retrieval.filters import FilterError, Filters


def filters_of(body: Any = None, **given: Any) -> Filters | None:
    """The filters of a request body (or of query parameters); a bad value is a 422 naming its field."""
    fields = {name: getattr(body, name, None) for name in ("since", "until", "sources", "doc_ids")} if body else {}
    fields.update({k: v for k, v in given.items() if v is not None})
    try:
        filters = Filters.parse(**fields)
    except FilterError as exc:
        raise ApiError(422, "invalid_filter", str(exc), param=exc.field) from None
    return filters if filters.active else None
