"""Figures that differ between dated articles are each given with their date and outlet.

Two small articles on the same floods, two days and two outlets apart, give different death tolls;
asked through the real service (real model, real Chroma), the answer states both, oldest first,
instead of picking one as *the* answer. Each figure is dated by the day its sentence tells of: the
floods that killed 20 "yesterday" in the report of 3 March happened on the 2nd. Articles agreeing
on the figure get no such comment.
"""

from __future__ import annotations

import re

DERNA = [
    {"doc_id": "derna-1", "title": "Floods hit Derna", "date": "2017-03-03", "source": "libyaherald.com",
     "lang": "en", "text": "Floods hit Derna\n\nHeavy floods hit the city of Derna yesterday, killing 20 people, the "
                           "local council said. Rescue teams from Benghazi arrived in the evening with boats and "
                           "tents.\n"},
    {"doc_id": "derna-2", "title": "Derna flood toll rises", "date": "2017-03-05", "source": "alwasat.ly",
     "lang": "en", "text": "Derna flood toll rises\n\nThe death toll from the Derna floods rose to 25 people, the "
                           "health ministry said on Sunday. Many roads into the city remain closed.\n"},
]


def test_two_dated_tolls_are_both_given_with_date_and_outlet(make_service):
    service = make_service()
    for article in DERNA:
        service.add_mapping(article)
    answer = service.ask("How many people died in the Derna floods?")
    assert not answer.refused, answer.answer
    first_line = answer.answer.split("\n")[0]
    assert re.search(r"different figures: 20 \(2017-03-02, libyaherald\.com\) \[\d\]; "
                     r"25 \(2017-03-05, alwasat\.ly\) \[\d\]", first_line), first_line
    assert answer.short_answer is None  # neither toll is presented as the answer
    assert {c.doc_id for c in answer.citations} == {"derna-1", "derna-2"}
    by_n = {c.n: c for c in answer.citations}
    for figure, marker in re.findall(r"(\d+) \([^)]*\) \[(\d)\]", first_line):  # each marker cites its figure
        assert figure in by_n[int(marker)].quote

    french = service.ask("Combien de personnes sont mortes dans les inondations de Derna ?")
    assert "chiffres différents : 20 (2017-03-02, libyaherald.com)" in french.answer.split("\n")[0]


def test_agreeing_figures_get_no_comment(make_service):
    service = make_service()
    service.add_mapping(DERNA[0])
    service.add_mapping({**DERNA[1], "text": DERNA[1]["text"].replace("rose to 25", "stood at 20")})
    answer = service.ask("How many people died in the Derna floods?")
    assert not answer.refused, answer.answer
    assert "different figures" not in answer.answer
    assert answer.short_answer is not None and answer.short_answer.text == "20"


def test_figures_of_different_things_are_not_compared():
    from chatbot.answering.figures import disagreement
    from chatbot.schemas import Passage

    def quoted(doc_id: str, date: str, source: str, text: str) -> object:
        passage = Passage(doc_id=doc_id, title=doc_id, source=source, date=date, lang="en", chunk_id=f"{doc_id}:0000",
                          start=0, end=len(text), text=text)
        return type("Quote", (), {"passage": passage, "start": 0, "text": text})()

    question = "How many people died in the Derna floods?"
    tolls = [quoted("a", "2017-03-03", "libyaherald.com", "The floods in Derna killed 20 people, the council said."),
             quoted("b", "2017-03-05", "alwasat.ly", "The floods in Derna killed 25 people, the ministry said.")]
    assert [(f.figure, f.date) for f in disagreement(question, "en", tolls)] == [("20", "2017-03-03"),
                                                                                   ("25", "2017-03-05")]
    other = quoted("c", "2017-03-05", "alwasat.ly", "The floods in Derna destroyed 25 houses, the ministry said.")
    assert disagreement(question, "en", [tolls[0], other]) == []
