"""An amount asked for ("combien coûte", "how much", "quel est le prix") needs a figure in the cited
sentence; "un", "une" and "one", as often an article or a pronoun as a number, are none. A count
("combien de soldats") may still be "un soldat".

Real encoder, real Chroma on disk, the seed article and two short articles.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

ARTICLES = [
    {"doc_id": "oil-price", "lang": "fr", "date": "2019-04-08", "source": "Le Monde",
     "title": "Le pétrole libyen en hausse",
     "text": "Le baril de pétrole libyen se vendait lundi 71 dollars à Tripoli, selon la compagnie nationale. "
             "Un accord a été conclu avec les acheteurs italiens pour une livraison en mai."},
    {"doc_id": "clash", "lang": "fr", "date": "2019-04-09", "source": "Le Monde",
     "title": "Accrochages au sud de Tripoli",
     "text": "Un soldat a été tué mardi lors d'accrochages au sud de Tripoli, selon le ministère de la santé. "
             "Les combats ont repris dans la soirée près de l'aéroport."},
]


@pytest.fixture(scope="module")
def amounts_service(tmp_path_factory, embedder):
    return service_over(tmp_path_factory, embedder, "amounts", ARTICLES)


@pytest.mark.parametrize(("question", "expected"), [
    ("Combien coûte le baril de pétrole libyen ?", "71 dollars"),
    ("How much does a barrel of Libyan oil cost?", "71 dollars"),
    ("Combien de soldats ont été tués mardi au sud de Tripoli ?", "Un soldat a été tué"),
])
def test_an_amount_or_a_count_is_answered_by_its_figure(amounts_service, question, expected):
    assert_refused_or_cites(amounts_service, question, expected)


@pytest.mark.parametrize("question", [
    "Combien coûte le baril de pétrole libyen ?",
    "Quel est le prix du pétrole libyen ?",
    "How much does a barrel of Libyan oil cost?",
])
def test_an_indefinite_article_is_no_amount(seeded_service, question):
    # the seed names no price; its sentences hold "un deal", "un gouvernement civil"
    assert_refused_or_cites(seeded_service, question, None)


def test_a_year_no_undated_article_speaks_of_is_not_answered(seeded_service):
    # the seed is undated and names no year: nothing in it can be said to happen in 2030
    assert_refused_or_cites(seeded_service, "Quel est le prix du pétrole libyen en 2030 ?", None)
    assert_refused_or_cites(seeded_service, "Qui dirigeait l'ANL en 2030 ?", None)
    # the same question without a year is answered
    assert_refused_or_cites(seeded_service, "Qui dirige l'Armée nationale arabe libyenne ?", "Khalifa Haftar")
