"""An outlet named in the question is answered from that outlet's articles only; a sentence two
outlets printed word for word is quoted once.

"Selon la Deutsche Welle, ..." asks what that outlet published: its name is not a name the articles
must spell (the question would be refused), and another outlet's answer is not its answer. A small
index of articles written for these tests, from three outlets (real model, real Chroma on disk).
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

ARTICLES = [
    {"id": "ports-aj", "date": "2017-03-14", "lang": "en", "source": "aljazeera.com",
     "title": "Haftar's forces retake the oil ports",
     "text": ("Benghazi - Forces loyal to Khalifa Haftar say they have regained control of the oil ports of Ras "
              "Lanuf and Es Sider after two days of fighting. A spokesman said the ports would reopen soon.")},
    {"id": "berlin-dw", "date": "2017-01-29", "lang": "en", "source": "dw.com",
     "title": "Gabriel doubts Libya is safe for returns",
     "text": ("Berlin - Foreign Minister Sigmar Gabriel was sceptical about sending migrants back to Libya because "
              "of the country's chaotic political situation. \"We believe Libya is a very unstable place,\" Gabriel "
              "told reporters in Brussels on Monday.")},
    {"id": "mosul-cnn", "date": "2017-03-20", "lang": "en", "source": "cnn.com",
     "title": "Fighting in western Mosul",
     "text": ("Mosul - Iraqi forces pushed deeper into the old city of western Mosul on Sunday, officers said. "
              "Thousands of families fled the fighting.")},
    # the same wire lead, then another story: not a near-copy, but its lead is one sentence to quote once
    {"id": "mosul-bbc", "date": "2017-03-20", "lang": "en", "source": "bbc.com",
     "title": "Iraq: aid agencies prepare for more families",
     "text": ("Mosul - Iraqi forces pushed deeper into the old city of western Mosul on Sunday, officers said. "
              "Aid agencies in Erbil said their camps were almost full and asked donors for more tents, "
              "blankets and water tanks before the summer.")},
]


@pytest.fixture(scope="module")
def outlets_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "outlet-asked", ARTICLES)


def test_the_outlet_named_is_searched_alone(outlets_service):
    answer = outlets_service.ask("Selon la Deutsche Welle, que pense Sigmar Gabriel de la Libye ?")
    assert not answer.refused, answer.answer
    assert {c.doc_id for c in answer.citations} == {"berlin-dw"}

    answer = outlets_service.ask("According to Al Jazeera, who controls the oil ports of Ras Lanuf and Es Sider?")
    assert not answer.refused, answer.answer
    assert answer.short_answer is not None and "Haftar" in answer.short_answer.text


def test_an_outlet_that_did_not_report_it_gets_a_refusal_saying_so(outlets_service):
    answer = outlets_service.ask("Who controls the oil ports of Ras Lanuf and Es Sider, according to CNN?")
    assert answer.refused and not answer.citations, answer.answer
    assert answer.answer.startswith("Only the articles of cnn.com were searched"), answer.answer


def test_what_an_outlet_reports_about_a_topic_is_a_brief_of_its_articles(outlets_service):
    answer = outlets_service.ask("What does CNN report about Mosul?")
    assert answer.kind == "overview", answer.answer
    assert {c.doc_id for c in answer.citations} == {"mosul-cnn"}


def test_only_an_indexed_outlet_counts():
    from chatbot.retrieval.filters import outlet_matches
    from chatbot.retrieval.outlet_asked import outlet_asked

    outlets = ["aljazeera.com", "dw.com", "cnn.com"]
    assert outlet_matches("dw.com", ("Deutsche Welle",)) and outlet_matches("aljazeera.com", ("Al Jazeera",))
    assert not outlet_matches("dw.com", ("Dow",))
    assert outlet_asked("According to the UN, how many migrants died?", lambda: outlets) is None
    # lower-case words are no outlet's name, nor are their initials ("t", "a", "s", "s": tass.com)
    assert not outlet_matches("tass.com", ("the army's statement",))
    assert outlet_asked("According to the army's statement, what does it intend?", lambda: ["tass.com"]) is None
    assert outlet_asked("What did Sigmar Gabriel say about Libya?", lambda: outlets) is None
    asked = outlet_asked("Qu'a rapporté Al Jazeera sur Haftar ?", lambda: outlets)
    assert asked is not None and asked.outlets == ("aljazeera.com",)
    assert asked.question == "Que disent les articles sur Haftar ?"
    asked = outlet_asked("Selon Le Monde, qui dirige le GNA ?", lambda: ["lemonde.fr", "bbc.co.uk"])
    assert asked is not None and asked.outlets == ("lemonde.fr",) and asked.question == "Qui dirige le GNA ?"


def test_a_sentence_two_outlets_printed_is_quoted_once(outlets_service):
    answer = outlets_service.ask("Where did Iraqi forces push deeper on Sunday?")
    assert not answer.refused, answer.answer
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes)), answer.answer
    lead = [c for c in answer.citations if c.quote.startswith("Mosul - Iraqi forces pushed deeper")]
    assert len(lead) == 1, answer.answer
    others = {"mosul-cnn", "mosul-bbc"} - {lead[0].doc_id}
    assert {a["doc_id"] for a in lead[0].also_in} == others, lead[0]
