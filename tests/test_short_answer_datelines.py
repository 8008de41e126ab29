"""A short answer is never a dateline's place nor a piece of garbled text.

A wire story opens with where it was filed ("MOSCOW, February 9./TASS/."): "Where did Lavrov and
Tillerson meet?" was answered "MOSCOW", then "/Russia", out of a sentence that says "in Bonn". An
apostrophe lost in an article's encoding left "Owens"?widow", which the pipeline tagged as a place,
and it became the answer to "Where did Trump attend the transfer ...?". Real spaCy pipelines.
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

from chatbot.answering.short_answer import find
from chatbot.answering.spans import broken_name, dateline

TASS = ("MOSCOW, February 9./TASS/. /Russia and the US are working on the possibility of a meeting of Russian "
        "Foreign Minister Sergey Lavrov and US Secretary of State Rex Tillerson in Bonn, Russian Foreign "
        "Ministry spokeswoman Maria Zakharova has said.")


ARTICLES = [
    {"id": "tass", "date": "2017-02-09", "lang": "en", "source": "tass.example",
     "title": "Russia and US work on a Lavrov-Tillerson meeting",
     "text": TASS + " The two ministers have spoken by telephone. The meeting would be their first since "
             "Mr Tillerson took office. The ministry gave no date for it."},
    {"id": "owens", "date": "2017-03-01", "lang": "en", "source": "news.example",
     "title": "Trump honours Navy SEAL killed in Yemen raid",
     "text": "President Trump honoured a Navy SEAL killed in the raid in Yemen during his address to Congress. "
             'While Owens"?widow Carryn attended the speech and was recognized with an extended standing '
             "ovation, his father Bill refused to see Trump at the dignified transfer and has called for an "
             "investigation. The raid had been planned under the previous administration."},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "datelines", ARTICLES)


def _short(question: str, sentence: str, lang: str = "en") -> str | None:
    found = find(question, sentence, lang, "en")
    return sentence[found.start:found.end] if found else None


def test_the_place_a_report_was_filed_from_is_no_answer(service):
    for question in ("Where did Lavrov and Tillerson plan to meet in February?",
                     "Où Lavrov et Tillerson devaient-ils se rencontrer en février ?"):
        answer = service.ask(question)
        assert not answer.refused, answer.answer
        assert answer.short_answer is not None and answer.short_answer.text == "Bonn", answer.answer
    reuters = "WASHINGTON (Reuters) - The senators met the German chancellor in Berlin on Monday."
    assert _short("Where did the senators meet the chancellor?", reuters) == "Berlin"


@pytest.mark.parametrize(("sentence", "word"), [
    ("MOSCOW, February 9./TASS/. Russia and the US agreed", "MOSCOW"),
    ("TRIPOLI, 14 mars (AFP) - Les combats ont repris", "TRIPOLI"),
])
def test_a_dateline_is_told_from_a_sentence_opening_with_a_place(sentence, word):
    assert dateline(sentence, 0, len(word))


@pytest.mark.parametrize(("sentence", "word"), [
    ("UK, France and Germany agreed on Monday to send more troops to the region", "UK"),
    ("NATO, the alliance of 28 countries, said", "NATO"),
    ("Moscow, February 9 (TASS) - the ministry said", "Moscow"),  # not in capitals
])
def test_a_sentence_opening_with_a_name_is_no_dateline(sentence, word):
    assert not dateline(sentence, 0, len(word))


def test_garbled_text_is_no_answer(service):
    answer = service.ask("Where did Trump attend the transfer of Navy SEAL Ryan Owens' remains?")
    assert answer.short_answer is None or "?" not in answer.short_answer.text, answer.answer
    assert broken_name('Owens"?widow') and broken_name("/Russia")
    assert not any(broken_name(n) for n in ("Al-Serraj", "O'Brien", "U.S.", "Côte d’Ivoire", "Ras Lanuf"))
