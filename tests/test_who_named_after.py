"""A "who" question whose best sentence names no one new is answered with the sentence that does.

A report often says what someone did before saying who they are: "Donald Trump's choice for
national security adviser has turned down the job offer. Retired Vice-Admiral Robert Harward was
widely tipped for the post ...". Quoting the first sentence alone answered "Who turned down ...?"
without a name.
"""

from __future__ import annotations

import pytest

from chatbot.answering.referents import names_someone_new
from tests.refusal_cases import service_over


@pytest.mark.parametrize(("sentence", "asked", "new"), [
    ("US President Donald Trump's choice for national security adviser has turned down the job offer.",
     ["Trump"], False),  # Trump is asked about; "US" is part of his name here
    ("Retired Vice-Admiral Robert Harward was widely tipped for the post.", ["Trump"], True),
    ("His predecessor, South Africa's Nkosazana Dlamini-Zuma, was criticised.", ["U.S. Africa Command"], True),
    ("The meeting took place in Abou Dhabi last week.", ["Haftar"], False),  # a place is no one
])
def test_someone_new_is_a_person_or_body_the_question_does_not_name(sentence, asked, new):
    assert names_someone_new(sentence, asked) is new


ARTICLES = [
    {"doc_id": "adviser", "title": "Trump's pick for national security adviser declines the post", "lang": "en",
     "text": "Donald Trump's choice for national security adviser has turned down the job offer. Retired "
             "Vice-Admiral Robert Harward was widely tipped for the post after Mr Trump fired Michael Flynn "
             "on Monday. A White House official said Mr Harward cited family and financial commitments.\n\n"
             "The president is expected to name another candidate this week."},
    {"doc_id": "libya", "title": "Libye : Haftar avance vers Tripoli", "lang": "fr",
     "text": "Les forces du maréchal Khalifa Haftar avancent vers Tripoli, siège du Gouvernement d'union "
             "nationale de Fayez al-Serraj."},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder):
    return service_over(tmp_path_factory, embedder, "who_named_after", ARTICLES)


def test_the_person_introduced_next_is_quoted(service):
    answer = service.ask("Who turned down Trump's offer to be national security adviser?")
    assert not answer.refused, answer.answer
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("Donald Trump's choice") for q in quotes)
    assert any(q.startswith("Retired Vice-Admiral Robert Harward") for q in quotes), answer.answer
    # the sentence is quoted for whom it introduces: no short answer is cut out of it ("Michael Flynn")
    assert answer.short_answer is None or "Flynn" not in answer.short_answer.text


def test_a_sentence_naming_the_answer_is_quoted_alone(service):
    answer = service.ask("Who fired Michael Flynn?")
    assert not answer.refused, answer.answer
    assert not any("family and financial" in c.quote for c in answer.citations)
