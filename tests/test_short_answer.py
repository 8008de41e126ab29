"""Short answers and overviews, as a reader sees them: through the service, over real HTTP, and
checked by the citation verifier.

"Qui dirige l'Armée nationale arabe libyenne ?" must open with "Khalifa Haftar", a verbatim span of
the cited article; "Résume l'article" must get a brief of several cited sentences, not a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from conftest import SEEDS, settings_for
from loopback import serve

from chatbot.answering.overview import overview_request
from chatbot.answering.short_answer import find, question_need
from chatbot.schemas import Answer, Citation, ShortAnswer
from chatbot.server import create_app


@pytest.fixture(scope="module")
def http(tmp_path_factory, embedder) -> Iterator[httpx.Client]:
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(tmp_path_factory.mktemp("short") / "index"), embedder=embedder)
    assert service.add_paths([SEEDS]).counts()["added"] == 1
    for url in serve(create_app(service)):
        with httpx.Client(base_url=url, timeout=180) as client:
            yield client


def ask(http: httpx.Client, question: str) -> dict:
    response = http.post("/api/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(("question", "lang", "kind"), [
    ("Who is Micah Zenko?", "en", None), ("Qui est Fayez al-Serraj ?", "fr", None),
    ("Who was Adam Lauridsen?", "en", None), ("Qui est le chef du GNA ?", "fr", "person"),
    ("Who is the UN special envoy to Libya?", "en", "person"),
    ("Who are Micah Zenko and Adam Lauridsen?", "en", None),
    # the noun "which"/"what" qualifies, past "to be" but not past another verb
    ("What did the Justice Department say about the ruling?", "en", None),
    ("Quelle est la capitale de la Libye ?", "fr", "place"), ("Which professor said it?", "en", "person")])
def test_who_someone_is_wants_no_name(question, lang, kind):
    """Asked who a named person is, a description answers: a name cut out of the quote (the
    president the expert spoke of) would be wrong; asked who holds a role, the name answers."""
    need = question_need(question, lang)
    assert (need.kind if need else None) == kind


def test_who_question_gets_the_name_first(http, seed_text):
    body = ask(http, "Qui dirige l'Armée nationale arabe libyenne ?")
    short = body["short_answer"]
    assert short is not None and short["text"] == "Khalifa Haftar"
    assert seed_text[short["start"]:short["end"]] == "Khalifa Haftar"
    assert body["answer"].startswith("Khalifa Haftar [1]")
    cited = next(c for c in body["citations"] if c["n"] == short["n"])
    assert cited["start"] <= short["start"] and short["end"] <= cited["end"]
    assert body["kind"] == "short"


@pytest.mark.parametrize("question", ["Qui dirige le Gouvernement d'union nationale ?", "Qui est le chef du GNA ?"])
def test_the_head_of_a_body_is_the_person_the_article_ties_to_it(http, seed_text, question):
    # the article names the GNA "de Fayez al-Serraj", which the small French pipeline tags as a
    # place; Khalifa Haftar, named in another clause and leading another army, is no answer
    body = ask(http, question)
    short = body["short_answer"]
    assert short is not None and short["text"] == "Fayez al-Serraj", body["answer"]
    # the quote holding it is read first, as [1], even when another sentence scored better
    assert short["n"] == 1 and body["answer"].startswith("Fayez al-Serraj [1]")
    quotes = re.findall(r"« (.+?) » \[(\d+)\]", body["answer"], re.S)
    assert "(GNA) de Fayez al-Serraj" in quotes[0][0] and quotes[0][1] == "1"
    # the sentence on the leader of another army is not quoted for this body
    assert not any("dirigés par Khalifa Haftar" in quote for quote, _ in quotes)
    assert seed_text[short["start"]:short["end"]] == "Fayez al-Serraj"
    cited = next(c for c in body["citations"] if c["n"] == short["n"])
    assert "(GNA) de Fayez al-Serraj" in seed_text[cited["start"]:cited["end"]]


def test_a_known_place_is_no_answer_to_who(http):
    # "Abou Dhabi" (two words, a capital of the lexicon) once answered "Who heads ...?"
    body = ask(http, "Who heads the Government of National Accord?")
    short = body["short_answer"]
    assert short is None or "Dhabi" not in short["text"], body["answer"]


def test_english_question_gets_the_french_name_span(http, seed_text):
    body = ask(http, "Who is in command of the Libyan National Army?")
    short = body["short_answer"]
    assert short is not None and "Haftar" in short["text"]
    assert seed_text[short["start"]:short["end"]] == short["text"]


def test_plural_question_lists_every_country(http, seed_text):
    body = ask(http, "Quels pays appuient le maréchal ?")
    short = body["short_answer"]
    assert short is not None
    items = [i["text"] for i in short["items"]]
    assert items == ["égyptien", "saoudien", "émirati"]
    for item in short["items"]:
        assert seed_text[item["start"]:item["end"]] == item["text"]


def test_english_question_names_the_countries_in_english_beside_the_french_span(http, seed_text):
    body = ask(http, "Which countries support Haftar?")
    short = body["short_answer"]
    assert short is not None and short["rendered"] == "Egypt, Saudi Arabia and the United Arab Emirates"
    assert seed_text[short["start"]:short["end"]] == short["text"] == "égyptien, saoudien et émirati"
    first = body["answer"].split("\n")[0]
    assert first == f'Egypt, Saudi Arabia and the United Arab Emirates (“{short["text"]}”) [{short["n"]}]'


def test_a_french_question_over_a_french_article_gets_no_rendering(http):
    body = ask(http, "Quels pays appuient le maréchal ?")
    assert body["short_answer"]["rendered"] is None
    assert body["answer"].startswith("égyptien, saoudien et émirati [")


def test_a_follow_up_is_not_answered_by_the_name_its_conversation_asked_about(http):
    history = [{"role": "user", "content": "When did Haftar's troops take the southern part of the west?"},
               {"role": "assistant", "content": "The southern part was conquered last March by Haftar's troops [1]."}]
    response = http.post("/api/ask", json={"question": "Who did they fight against?", "history": history})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["refused"] and "tchadiennes" in body["answer"]
    # "Haftar" is who the conversation is about, not whom his troops fought
    assert body["short_answer"] is None or "Haftar" not in body["short_answer"]["text"]


def test_which_x_is_answered_by_a_name_that_holds_x(http, seed_text):
    # "quel gouvernement" asks for a government: its name holds the word, it is no name of the question
    body = ask(http, "Quel gouvernement s'est installé à Tripoli ?")
    short = body["short_answer"]
    assert short is not None and short["text"].startswith("Gouvernement d'union nationale")
    assert seed_text[short["start"]:short["end"]] == short["text"]


def test_number_comes_with_its_unit(http):
    body = ask(http, "Combien de minutes dure la vidéo de l'ANL ?")
    assert body["short_answer"] is not None and body["short_answer"]["text"] == "8 minutes"


def test_why_question_has_no_short_answer(http):
    body = ask(http, "Comment Khalifa Haftar justifie-t-il cette nouvelle campagne militaire ?")
    assert not body["refused"]
    assert body["short_answer"] is None and body["kind"] == "quote"


def test_summary_request_gets_a_cited_brief(http, seed_text):
    body = ask(http, "Résume l'article")
    assert not body["refused"] and body["kind"] == "overview"
    quotes = body["citations"]
    assert 3 <= len(quotes) <= 6
    assert len({c["start"] for c in quotes}) == len(quotes)  # distinct sentences
    for c in quotes:
        assert seed_text[c["start"]:c["end"]] == c["quote"]
        assert f"[{c['n']}]" in body["answer"]
    assert [c["start"] for c in quotes] == sorted(c["start"] for c in quotes)  # reading order


def test_overview_about_an_absent_topic_is_refused(http):
    body = ask(http, "What's the latest on the Champions League?")
    assert body["refused"] and body["citations"] == []


def test_question_analysis_tells_overviews_and_kinds_apart():
    assert overview_request("Summarize the article").one_article
    assert overview_request("Que disent les articles sur les migrants ?").topic == "migrants"
    assert overview_request("What's the latest on Haftar?").latest
    assert overview_request("Qui dirige l'ANL ?") is None
    assert question_need("Où se tient la conférence ?", "fr").kind == "place"
    assert question_need("Which countries back him?", "en").plural
    assert question_need("Pourquoi Misrata résiste-t-elle ?", "fr") is None


def test_verifier_drops_a_short_answer_that_is_not_in_the_article(seeded_service, seed_text):
    doc_id = seeded_service.documents()[0].doc_id
    start = seed_text.index("Khalifa Haftar")
    end = seed_text.index(".", start) + 1
    citation = Citation(n=1, doc_id=doc_id, title="t", start=start, end=end, quote=seed_text[start:end])
    forged = Answer(answer="Mouammar Kadhafi [1]\nD'après les articles : « x » [1]", citations=[citation],
                    short_answer=ShortAnswer(text="Mouammar Kadhafi", n=1, start=start, end=start + 16), kind="short")
    checked = seeded_service.verified(forged, "fr")
    assert checked.short_answer is None and checked.kind == "quote"
    assert not checked.answer.startswith("Mouammar")
    moved = forged.model_copy(update={"answer": "Khalifa Haftar [1]\n« x » [1]", "short_answer": ShortAnswer(
        text="Khalifa Haftar", n=1, start=0, end=14)})
    kept = seeded_service.verified(moved, "fr").short_answer
    assert kept is not None and seed_text[kept.start:kept.end] == "Khalifa Haftar"  # re-anchored


def test_a_nationality_word_answers_no_town_question():
    # "Libyan" (a nationality, tagged NORP) in the first cited sentence once answered "Which city";
    # the town comes from the next sentence that names one
    from chatbot.answering.short_answer import short_answer

    first = "Troops commanded by Libyan renegade general Khalifa Haftar have launched an offensive."
    second = "Les soldats de l'ANL ont commencé hier à faire route en direction de Tripoli, à partir de l'est du pays."
    found = short_answer("Which city are Haftar's troops marching towards?", "en",
                         [(1, first, "en", 0), (2, second, "fr", 500)])
    assert found is not None and found.text == "Tripoli" and found.n == 2
    assert found.start == 500 + second.index("Tripoli")
    countries = short_answer("Quels pays soutiennent le maréchal ?", "fr",
                             [(1, "Il bénéficie du soutien égyptien, saoudien et émirati.", "fr", 0)])
    assert countries is not None and countries.text == "égyptien, saoudien et émirati"


@pytest.mark.parametrize(("question", "lang", "sentence", "wrong"), [
    # a title alone names nobody
    ("Quelle cour d'appel examine le décret migratoire de Trump ?", "fr",
     "Three federal judges will hear arguments in the emergency legal challenge to President Trump's executive order.",
     "President"),
    # a people is no country
    ("Vers quel pays Mesgen a-t-il été envoyé ?", "fr",
     "The only other alternatives offered to Mesgen - and other Eritreans - were to return home voluntarily or "
     "leave for another African nation.", "Eritreans"),
])
def test_no_short_answer_from_a_title_or_a_people(question, lang, sentence, wrong):
    from chatbot.answering.short_answer import short_answer

    found = short_answer(question, lang, [(1, sentence, "en", 0)])
    assert found is None or wrong not in found.text


def test_the_person_a_role_ties_to_the_body_asked_about():
    # "Fayez al-Serraj, chef du GNA": the small French pipeline does not tag him as a person;
    # the role written between him and the body asked about makes him the answer
    from chatbot.answering.short_answer import short_answer

    sentence = "Le maréchal Khalifa Haftar a rencontré Fayez al-Serraj, chef du GNA, à Abou Dhabi."
    found = short_answer("Qui dirige le GNA ?", "fr", [(1, sentence, "fr", 0)])
    assert found is not None and found.text == "Fayez al-Serraj"


def test_a_body_named_in_full_is_found_by_its_initials_in_the_other_language():
    # "Government of National Accord" is written "GNA" (and "Libyan National Army" "ANL") by a
    # French article: the acronym anchors the answer as the full name would
    from chatbot.answering.question import mentions
    from chatbot.answering.short_answer import short_answer

    sentence = ("Sous contrôle d'une nuée de milices et où s'est établi aussi le Gouvernement d'union "
                "nationale (GNA) de Fayez al-Serraj, Tripoli attend Khalifa Haftar.")
    found = short_answer("Who heads the Government of National Accord?", "en", [(1, sentence, "fr", 0)])
    assert found is not None and found.text == "Fayez al-Serraj"  # was "Khalifa Haftar"
    assert mentions("Libyan National Army", "les troupes de l'ANL avancent")
    assert not mentions("Libyan National Army", "les troupes du GNA avancent")
    assert not mentions("Khalifa Haftar", "un communiqué du KH")  # two initials stand for too many


@pytest.mark.parametrize(("question", "lang", "sentence", "expected"), [
    ("How many days did Trump give Mattis to develop the review?", "en",
     "On Jan. 28, President Trump issued an executive order that gave Defense Secretary James Mattis 30 days "
     "to develop the review.", "30 days"),
    ("How long would the ban on refugees have lasted?", "en",
     "It also bars entry to all refugees from anywhere in the world for 120 days.", "120 days"),
    ("How old is Seif Zaidan Khalaf?", "en", "As Khalaf, 20, was on his way home, an air strike hit the house.", "20"),
    ("Quel âge a Marwan Khodeida ?", "fr", "It was white,\" Marwan Khodeida, 18, told Al Jazeera.", "18"),
    # "six" is the question's own number: the ban's length answers
    ("How long would travelers from the six countries have been barred?", "en",
     "Citizens of six countries would once more be subject to a 90-day travel ban.", "90-day"),
    ("Which professor said Hawaii's complaint was similar to Washington's lawsuit?", "en",
     "University of Richmond Law School professor Carl Tobias said Hawaii's complaint seemed similar to "
     "Washington's lawsuit.", "Carl Tobias"),
    # a duration counts no one; a count keeps its figure
    ("How many people died in the siege?", "en", "The siege lasted 30 days.", None),
    ("How many refugees landed in Italy last year?", "en",
     "Some 180,000 refugees, most of them from Libya, landed in Italy last year.", "Some 180,000"),
    # a place that qualifies a noun says whose, not where
    ("Où la plainte d'Hawaï a-t-elle été déposée ?", "fr",
     "Attorneys for the state filed the lawsuit against the U.S. government Wednesday in federal court in "
     "Honolulu.", "Honolulu"),
])
def test_durations_ages_and_titled_people_are_short_answers(question, lang, sentence, expected):
    """The recogniser calls "30 days" and an age "20" dates; they answer how many days, how long and
    how old. A professor or a judge is a person."""
    found = find(question, sentence, lang, "en")
    assert (sentence[found.start:found.end] if found else None) == expected


@pytest.mark.parametrize(("question", "lang", "sentence", "expected"), [
    # an event, a work, a law is no person or body: a "who" gets no short answer from it
    ("Who shaped the alliance?", "en", "The Cold War shaped the alliance for decades.", None),
    ("Qui a inspiré le film ?", "fr", "The film was inspired by the Second World War, its director said.", None),
    # ... while a "which war" is answered by the war
    ("Which war shaped the alliance?", "en", "The Cold War shaped the alliance for decades.", "The Cold War"),
])
def test_an_event_or_a_work_answers_no_who(question, lang, sentence, expected):
    from chatbot.answering.short_answer import short_answer

    found = short_answer(question, lang, [(1, sentence, "en", 0)])
    assert (found.text if found else None) == expected


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("How far west of Es Sider is the town of Ben Jawad?",
     "LNA forces were moving towards the town of Ben Jawad, about 30km west of Es Sider, al-Mismari said.", "30km"),
    ("How far did the missile fly before falling into the sea?",
     "The missile flew about 500km before falling into the sea, South Korea's defence ministry said.", "500km"),
    ("À quelle distance de Tripoli se trouve Lampedusa ?",
     "Lampedusa lies 296 kilometres north of Tripoli.", "296 kilometres"),
])
def test_how_far_is_answered_by_the_distance(question, sentence, expected):
    lang = "fr" if question.startswith("À") else "en"
    assert question_need(question, lang).kind == "number"
    found = find(question, sentence, lang, "en")
    assert found is not None and expected in sentence[found.start:found.end]
