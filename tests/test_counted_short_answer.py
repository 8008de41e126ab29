"""Of a sentence's numbers, the short answer to "how many X" across languages is the one counting X.

A French question about an English sentence shares no word with it, so nothing in the sentence
anchors the answer and the first number used to win: "Combien de blessés ...?" was answered "At
least one" out of "At least one person has been killed and 35 injured". The words after each number
are now compared with the counted noun by meaning; a number followed by a verb ("11 were injured")
counts what the count before it counts. A small index of articles written for these tests (real
model, real Chroma on disk, real spaCy).
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

ARTICLES = [
    {"id": "kabul", "date": "2017-03-01", "lang": "en", "title": "Taliban assaults in Kabul",
     "text": ("Kabul - At least one person has been killed and 35 injured in two attacks in Kabul on "
              "Wednesday, officials said. The Taliban claimed both assaults.")},
    {"id": "rabat", "date": "2017-03-10", "lang": "en", "title": "Morocco trains imams from abroad",
     "text": ("Rabat - The school in Rabat currently hosts 250 Moroccans and 675 students from Mali, the "
              "Ivory Coast, France, Niger and Guinea. It opened in 2015.")},
    {"id": "al-bab", "date": "2017-02-09", "lang": "en", "title": "Russian airstrike hits Turkish troops",
     "text": ("Ankara - Three Turkish soldiers were mistakenly killed and 11 were injured in a Russian "
              "airstrike near the Syrian city of al-Bab, the Turkish armed forces said.")},
]


@pytest.fixture(scope="module")
def counts_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "counted-short", ARTICLES)


@pytest.mark.parametrize(("question", "expected"), [
    ("Combien de blessés ont fait les deux attentats de Kaboul ?", "35"),
    ("Combien d'étudiants étrangers l'école de Rabat accueille-t-elle ?", "675"),
    ("Combien de militaires turcs ont été blessés par la frappe aérienne russe près d'al-Bab ?", "11"),
])
def test_the_short_answer_is_the_number_counting_what_is_asked(counts_service, question, expected):
    answer = counts_service.ask(question)
    assert not answer.refused, answer.answer
    assert answer.short_answer is not None and answer.short_answer.text == expected, answer.answer


def test_in_one_language_the_number_near_most_of_the_questions_words_wins():
    from chatbot.answering.short_answer import find

    sentence = ("The administration requested $1 billion in its supplemental for 2017, and another $2.6 billion "
                "for border infrastructure and technology in 2018.")
    found = find("How much did the administration request for border infrastructure and technology in 2018?",
                 sentence, "en", "en")
    assert found is not None and sentence[found.start:found.end] == "$2.6 billion"
    found = find("How much did the administration request in its supplemental for 2017?", sentence, "en", "en")
    assert found is not None and sentence[found.start:found.end] == "$1 billion"
