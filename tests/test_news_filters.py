"""Filters (dates, outlets, articles) resolved against a manifest, and the recency tie-break."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chatbot.ingest.metadata import day_number
from chatbot.retrieval.filters import FilterError, Filters, resolve
from chatbot.retrieval.recency import recent_first, wants_latest

MANIFEST = {
    "a": {"date": "2017-02-07", "source": "dw.com"},
    "b": {"date": "2017-03-14", "source": "aljazeera.com"},
    "c": {"date": "2017-03-28", "source": "cnn.com"},
    "d": {"source": "bbc.co.uk"},  # no date
}


def test_date_range_is_inclusive_and_undated_articles_never_pass_it():
    scope = resolve(Filters.parse(since="2017-03-14", until="2017-03-28"), MANIFEST)
    assert scope.docs == {"b", "c"}
    assert scope.where == {"$and": [{"day": {"$gte": day_number("2017-03-14")}},
                                    {"day": {"$lte": day_number("2017-03-28")}}]}


def test_outlets_match_by_name_case_insensitively():
    scope = resolve(Filters.parse(sources=["Al Jazeera", "BBC"]), MANIFEST)
    assert scope.docs == {"b", "d"}
    assert scope.where == {"source": {"$in": ["aljazeera.com", "bbc.co.uk"]}}
    assert resolve(Filters.parse(sources="CNN.com"), MANIFEST).docs == {"c"}


def test_doc_ids_and_a_filter_matching_nothing():
    assert resolve(Filters.parse(doc_ids=["a", "c"], until="2017-03-01"), MANIFEST).docs == {"a"}
    empty = resolve(Filters.parse(sources=["Le Monde"]), MANIFEST)
    assert empty.empty and empty.message() == "no article matches the filter (from Le Monde)"


@pytest.mark.parametrize("kwargs, field, says", [
    ({"since": "March"}, "since", "unreadable date 'March'"),
    ({"until": "2017-13-01"}, "until", "impossible date"),
    ({"since": "2017-03-02", "until": "2017-03-01"}, "until", "before since"),
    ({"sources": [3]}, "sources", "list of strings"),
])
def test_bad_filters_name_their_field(kwargs, field, says):
    with pytest.raises(FilterError, match=says) as caught:
        Filters.parse(**kwargs)
    assert caught.value.field == field


def test_questions_about_the_latest_state():
    assert wants_latest("Who controls the oil ports now?")
    assert wants_latest("Quelle est la situation actuelle à Tripoli ?")
    assert wants_latest("What is the most recent report on Libya?")
    assert not wants_latest("Who attacked the oil ports in March?")
    # "last" and "dernier" that date something ask for no latest state
    assert not wants_latest("Combien de réfugiés arrivés en Italie l'an dernier venaient de Libye ?")
    assert not wants_latest("What happened last week in Tripoli?")
    assert wants_latest("Quel est le dernier bilan du glissement de terrain ?")


@dataclass
class Hit:
    name: str
    score: float
    day: int | None


def test_recency_reorders_only_near_ties():
    ranked = [Hit("old", 1.0, 10), Hit("new", 0.95, 30), Hit("undated", 0.93, None), Hit("far", 0.5, 99)]
    order = [h.name for h in recent_first(ranked, lambda h: h.score, lambda h: h.day)]
    assert order == ["new", "old", "undated", "far"]
