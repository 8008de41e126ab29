"""Who holds a role or a state, when dated articles name different holders: each is given.

Two reports on the Libyan oil ports, ten days and two outlets apart, name different forces holding
them; two reports on Misrata name different mayors. Asked through the real service (real model,
real Chroma), the answer opens with each holder, the day its sentence tells of and its outlet,
oldest first, instead of presenting one as *the* answer; a question asking for the current state
gets the newest as its short answer. Articles naming the same holder get no such comment, and a
question about a deed ("Who seized ...?") is no question about a state.
"""

from __future__ import annotations

import re

PORTS = [
    {"doc_id": "ports-1", "title": "Brigades seize Libyan oil ports", "date": "2017-03-04", "source": "aljazeera.com",
     "lang": "en", "text": "Brigades seize Libyan oil ports\n\nThe Benghazi Defence Brigades seized the oil terminals "
                           "of Es Sider and Ras Lanuf on Friday, after a lightning advance from the south. Oil exports "
                           "from the two ports were halted. The National Oil Corporation said it feared damage to "
                           "storage tanks.\n"},
    {"doc_id": "ports-2", "title": "Haftar's forces retake oil ports", "date": "2017-03-14", "source": "reuters.com",
     "lang": "en", "text": "Haftar's forces retake oil ports\n\nThe Libyan National Army of Khalifa Haftar retook "
                           "control of the oil terminals of Es Sider and Ras Lanuf on Tuesday, a spokesman said. "
                           "Engineers began inspecting the storage tanks. Exports are expected to resume within weeks.\n"},
]
MAYORS = [
    {"doc_id": "mayor-1", "title": "Misrata council", "date": "2017-01-10", "source": "libyaherald.com", "lang": "en",
     "text": "Misrata council\n\nMohamed Eshtewi is the mayor of Misrata, the city's council confirmed on Tuesday. "
             "The council discussed the budget and the state of the port.\n"},
    {"doc_id": "mayor-2", "title": "New mayor in Misrata", "date": "2017-03-20", "source": "libyaobserver.ly",
     "lang": "en", "text": "New mayor in Misrata\n\nMustafa Kerwad, the new mayor of Misrata, said on Monday that the "
                           "city would rebuild its hospital. Residents welcomed the news.\n"},
]
LINE = r"(?P<a>[^(;:]+?) \(2017-03-03, aljazeera\.com\) \[(?P<na>\d)\]; (?P<b>[^(;]+?) \(2017-03-14, reuters\.com\) \[(?P<nb>\d)\]"


def _cited(answer, holder: str, n: str) -> bool:
    return holder.strip() in {c.n: c for c in answer.citations}[int(n)].quote


def test_forces_holding_the_ports_on_different_days_are_both_given(make_service):
    service = make_service()
    for article in PORTS:
        service.add_mapping(article)
    answer = service.ask("Who controls the oil terminals of Es Sider and Ras Lanuf?")
    assert not answer.refused, answer.answer
    first_line = answer.answer.split("\n")[0]
    found = re.search("different answers by date or outlet: " + LINE, first_line)
    assert found, first_line
    assert "Benghazi Defence Brigades" in found["a"] and "Haftar" in found["b"]
    assert _cited(answer, found["a"], found["na"]) and _cited(answer, found["b"], found["nb"])
    assert answer.short_answer is None  # neither is presented as the answer

    french = service.ask("Qui contrôle les terminaux pétroliers d'Es Sider et de Ras Lanouf ?")
    assert re.search("réponses différentes selon la date ou la source : " + LINE, french.answer.split("\n")[0]), \
        french.answer

    latest = service.ask("Who controls the oil terminals of Es Sider and Ras Lanuf now?")
    assert latest.short_answer is not None and "Haftar" in latest.short_answer.text, latest.answer
    assert re.search(LINE, latest.answer), latest.answer  # the older holder is still shown, dated


def test_mayors_named_on_different_days_are_both_given(make_service):
    service = make_service()
    for article in MAYORS:
        service.add_mapping(article)
    answer = service.ask("Who is the mayor of Misrata?")
    first_line = answer.answer.split("\n")[0]
    assert re.search(r"different answers by date or outlet: Mohamed Eshtewi \(2017-01-10, libyaherald\.com\) "
                     r"\[\d\]; Mustafa Kerwad \(2017-03-20, libyaobserver\.ly\) \[\d\]", first_line), answer.answer
    assert answer.short_answer is None


def test_one_holder_named_twice_gets_no_comment(make_service):
    service = make_service()
    service.add_mapping(MAYORS[1])
    service.add_mapping({**MAYORS[0], "text": MAYORS[0]["text"].replace("Mohamed Eshtewi", "Mustafa Kerwad")})
    answer = service.ask("Who is the mayor of Misrata?")
    assert not answer.refused, answer.answer
    assert "different answers" not in answer.answer
    assert answer.short_answer is not None and answer.short_answer.text == "Mustafa Kerwad"


def test_a_deed_is_not_a_state_and_names_of_one_holder_are_one(embedder):
    from chatbot.answering.name_meaning import NameMeaning
    from chatbot.answering.statuses import asked_state, same_holder

    assert asked_state("Who controls the oil terminals of Es Sider?", "en") is not None
    assert asked_state("Qui dirige le Gouvernement d'union nationale ?", "fr") is not None
    assert "mayor" in (asked_state("Who is the mayor of Misrata?", "en").role or "")
    assert asked_state("Who seized the oil terminals of Es Sider?", "en") is None  # a deed, done once
    assert asked_state("Who held talks with Fayez al-Serraj?", "en") is None  # "hold" also holds talks
    similarity = NameMeaning(embedder).similarity
    assert same_holder("Haftar", "Khalifa Haftar", similarity)
    assert same_holder("LNA", "Libyan National Army", similarity)  # its initials...
    assert same_holder("ANL", "Libyan National Army", similarity)  # ... in any order (French)
    assert same_holder("GNA", "Gouvernement d'union nationale", similarity)  # may be its long form in English
    assert not same_holder("BDB", "Khalifa Haftar", similarity)
    assert not same_holder("the BDB", "LNA", similarity)
    assert same_holder("Libye", "Libya", similarity)  # a name and its translation
    assert not same_holder("Mohamed Eshtewi", "Mustafa Kerwad", similarity)
    assert not same_holder("Benghazi Defence Brigades", "Khalifa Haftar", similarity)


def test_who_holds_a_state_is_not_what_the_state_is_over(make_service):
    service = make_service()
    service.add_mapping({"doc_id": "ports-3", "title": "Haftar forces regain oil ports", "date": "2017-03-14",
                         "source": "aljazeera.com", "lang": "en",
                         "text": "Haftar forces regain oil ports\n\nForces loyal to renegade Libyan general Khalifa "
                                 "Haftar say after heavy fighting they have regained control of the major oil ports of "
                                 "Ras Lanuf and Es Sider in the volatile eastern part of the country, weeks after it "
                                 "was captured by a rival faction. Oil exports had been halted.\n"})
    answer = service.ask("Who controls the oil ports?")
    assert answer.short_answer is not None and "Haftar" in answer.short_answer.text, answer.answer


def test_a_state_over_something_else_is_not_compared():
    from chatbot.answering.statuses import asked_state, same_object

    question = "Qui contrôle les ports pétroliers ?"
    state = asked_state(question, "fr")
    ports = ("Forces loyal to renegade Libyan general Khalifa Haftar say after heavy fighting they have regained "
             "control of the major oil ports of Ras Lanuf and Es Sider.")
    centres = "Libya's Interior Ministry has little control over these centres, where militias abuse migrants."
    assert same_object(state, question, "fr", ports, "en")
    assert not same_object(state, question, "fr", centres, "en")
