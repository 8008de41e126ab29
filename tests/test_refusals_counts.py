"""Counts asked across languages: whose they are.

"Combien de soldats américains" is not answered by a count of a Russian firm's staff, and is by a
count of U.S. troops.

Real encoder, real Chroma on disk, short English articles.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

from chatbot.answering.count_origin import asked_origin, counts_of_origin

RUSSIAN = {"doc_id": "libya-contractors", "lang": "en", "date": "2017-03-13", "source": "Example Wire",
           "title": "Russian contractors in eastern Libya",
           "text": "Until the end of February, a few dozen armed staff members of a Russian security firm were "
                   "deployed in the areas of Libya controlled by Khalifa Haftar's troops, the firm's head said."}
AMERICAN = {"doc_id": "libya-us-troops", "lang": "en", "date": "2017-03-20", "source": "Example Wire",
            "title": "US troops in Libya",
            "text": "About 300 U.S. troops are deployed in Libya to train local forces, a Pentagon spokesman said."}


@pytest.fixture(scope="module")
def russian_only(tmp_path_factory, embedder):
    return service_over(tmp_path_factory, embedder, "russian", [RUSSIAN])


@pytest.fixture(scope="module")
def both_forces(tmp_path_factory, embedder):
    return service_over(tmp_path_factory, embedder, "forces", [RUSSIAN, AMERICAN])


def test_a_count_of_another_countrys_people_is_no_answer(russian_only):
    assert_refused_or_cites(russian_only, "Combien de soldats américains sont déployés en Libye ?", None)


def test_the_count_of_the_asked_countrys_people_is_quoted(both_forces):
    assert_refused_or_cites(both_forces, "Combien de soldats américains sont déployés en Libye ?", "About 300 U.S. troops")


def test_whose_count_is_read_beside_the_noun_and_after_the_number():
    assert asked_origin("How many American soldiers are in Libya?", ("soldiers",)) == "united_states"
    assert asked_origin("Combien de soldats ont été tués en Libye ?", ("soldats",)) is None  # Libya is where, not whose
    assert not counts_of_origin(RUSSIAN["text"], "united_states")
    assert counts_of_origin("About 300 troops were deployed.", "united_states")  # no country said: kept
    assert counts_of_origin("Some 1,500 U.S. soldiers and 300 Russian advisers", "united_states")
