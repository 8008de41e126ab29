"""A question asking for a person by role is answered by the person whose title means that role.

News copy writes the title next to the name ("Hawaii Attorney General Douglas Chin said"); the best
sentence may name another person commenting on the same case, and across languages no shared word
ties the short answer to the question. A small index of articles written for these tests (real
model, real Chroma on disk, real spaCy).
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

ARTICLES = [
    {"id": "lawsuit", "date": "2017-03-09", "lang": "en", "source": "news.example",
     "title": "Hawaii sues over the new travel ban",
     "text": " ".join([
         "The state of Hawaii asked a federal judge on Wednesday to block the new travel ban.",
         "University of Richmond Law School professor Carl Tobias said the complaint of the attorney "
         "general of Hawaii seemed similar to Washington's successful lawsuit.",
         "The hearing is set for next week in Honolulu.",
         '"This new executive order is nothing more than a ban under another name," Hawaii Attorney '
         "General Douglas Chin said in a statement on Monday.",
         "The Justice Department said the order was lawful.",
     ])},
    {"id": "ruling", "date": "2017-03-16", "lang": "en", "source": "tv.example",
     "title": "Judge halts the revised order",
     "text": " ".join([
         "A federal judge in Hawaii halted the revised order hours before it was due to take effect.",
         "DHS press secretary Gillian Christensen confirmed the report but dismissed the ruling.",
         'The ruling is almost entirely based on the "intent of the administration," says TV '
         "correspondent Jessica Schneider.",
         "The administration is expected to appeal.",
     ])},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "role-titles", ARTICLES)


@pytest.mark.parametrize("question", ["Qui est le procureur général d'Hawaï ?", "Who is the attorney general of Hawaii?"])
def test_the_person_titled_with_the_role_is_the_short_answer_and_quoted_first(service, question):
    answer = service.ask(question)
    assert not answer.refused, answer.answer
    assert answer.short_answer is not None and answer.short_answer.text == "Douglas Chin", answer.answer
    assert "Hawaii Attorney General Douglas Chin" in answer.citations[0].quote
    assert answer.answer.startswith("Douglas Chin")


def test_another_persons_title_does_not_answer_for_the_role(service):
    answer = service.ask("Quel correspondant a commenté la décision du juge ?")
    assert not answer.refused, answer.answer
    assert answer.short_answer is not None and answer.short_answer.text == "Jessica Schneider", answer.answer
    assert "Gillian Christensen" not in answer.answer.splitlines()[0]
