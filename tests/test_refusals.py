"""Refusals that hold on several articles about the same country, and quotes that stand alone.

A small index of four dated articles (written for these tests, real model, real Chroma on disk):
questions whose topic is everywhere in it but whose specific answer (the year asked, the person
whose statement is asked, a count) is in no article must be refused; the answerable ones next to
them must still be answered; a quoted sentence whose subject is "he" must come with the sentence
that names him. Among several stories, the sentence must come from an article that names what the
question names.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

ARTICLES = [
    {"id": "envoy", "date": "2018-02-07", "lang": "en", "title": "UN envoy warns against returning migrants",
     "text": (
         "The UN envoy for the region, Hendrik Vollmer, says that sending migrants back to the coastal "
         "camps is not a solution. The camps are overcrowded and many detainees are malnourished. "
         "Last year, the mission flew 3,200 people back to their countries of origin. "
         "Hendrik Vollmer previously served as his country's ambassador to Jordan. "
         "Since March 2016, he has led the UN support mission in the country. "
         "The mission plans to reopen its office in the capital in the spring.")},
    {"id": "ports", "date": "2018-03-14", "lang": "en", "title": "Eastern forces retake the oil ports",
     "text": (
         "Forces loyal to the eastern commander have retaken the oil ports of Port Selim and Wadi Hamra. "
         "Karim al-Tarhuni, spokesman of the Eastern Army, told reporters the ports were secured on Tuesday. "
         "The two terminals had been seized by a rival brigade earlier this month. "
         "Oil production has recently been fluctuating around 650,000 barrels per day. "
         "Meanwhile, gunmen opened fire on demonstrators in the capital on Friday.")},
    {"id": "siege", "date": "2018-03-18", "lang": "en", "title": "Siege of the northern blocks ends",
     "text": (
         "The Eastern Army has ended a weeks-long siege of the northern blocks of the port city. "
         "Salem Bukhari, a spokesman for the Eastern Army, said on Saturday that the holdouts had tried "
         "to flee at dawn. "
         "He said 23 fighters had been killed and six arrested, while four soldiers died. "
         "The army also lost a fighter jet over the harbour district, though the pilot ejected.")},
    {"id": "summit", "date": "2018-03-20", "lang": "fr", "title": "Sommet sur les migrations à Rome",
     "text": (
         "Les ministres européens et nord-africains se sont réunis lundi à Rome pour parler des migrations. "
         "La ministre italienne Giulia Ferrante a déclaré que l'Europe devait aider les garde-côtes. "
         "Selon elle, 180 000 migrants sont arrivés en Italie l'an dernier. "
         "Le sommet doit se poursuivre le mois prochain à Madrid.")},
    {"id": "donors", "date": "2018-02-20", "lang": "en", "title": "Donors to meet on the lake region crisis",
     "text": (
         "On Friday, February 24, the countries of the lake region, donor governments and aid agencies "
         "are gathering for a donors' conference in Oslo. "
         "Aid agencies hope to raise 1.5 billion dollars for the coming year. "
         "Farmers in the region have lost most of their herds to the drought.")},
]


@pytest.fixture(scope="module")
def news_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "news", ARTICLES)


def _cited_text(answer) -> str:
    return " ".join(c.quote for c in answer.citations)


@pytest.mark.parametrize("question", [
    # the figure is there, but for the year before the one asked ("Last year" in a 2018 article)
    "How many people did the UN mission fly back to their countries of origin in 2018?",
    # a year no article speaks of
    "Combien de migrants sont arrivés en Italie en 2012 ?",
    # a statement the named person never made (he is in the corpus, on another subject)
    "What did Hendrik Vollmer say about the oil ports?",
    # a person the corpus never quotes on this
    "Qu'a déclaré Karim al-Tarhuni sur le sommet de Rome ?",
    # asked in French of English articles: he is quoted, but on the camps, never on the ports
    "Qu'a déclaré Hendrik Vollmer sur les terminaux pétroliers ?",
    # the day is that of a conference whose article never names him (he is in another article)
    "On what day will Hendrik Vollmer open the donors' conference?",
])
def test_on_topic_questions_without_their_specific_answer_are_refused(news_service, question):
    answer = news_service.ask(question)
    assert answer.refused, f"answered with: {answer.answer}"
    assert not answer.citations


@pytest.mark.parametrize(("question", "expected"), [
    ("How many people did the UN mission fly back to their countries of origin in 2017?", "3,200"),
    ("What did Karim al-Tarhuni say about the ports?", "secured"),
    ("Combien de barils par jour la production de pétrole atteint-elle ?", "650,000"),
    ("Since when has Hendrik Vollmer led the UN support mission?", "March 2016"),
    ("Combien de migrants sont arrivés en Italie l'an dernier ?", "180 000"),
    # the same question shape across languages, on what he did speak about
    ("Qu'a déclaré Hendrik Vollmer sur le renvoi des migrants vers les camps ?", "not a solution"),
    ("On what day will the Oslo donors' conference open?", "February 24"),
])
def test_answerable_questions_next_to_them_are_answered(news_service, question, expected):
    answer = news_service.ask(question)
    assert not answer.refused, f"refused: {question}"
    assert expected in _cited_text(answer)


def test_a_quote_whose_subject_is_he_brings_the_sentence_naming_him(news_service):
    answer = news_service.ask("How many fighters were killed when the siege of the northern blocks ended?")
    assert not answer.refused
    quotes = [c.quote for c in answer.citations]
    pronoun = next(i for i, q in enumerate(quotes) if q.startswith("He said 23"))
    # the sentence naming him is quoted too (before the pronoun's, or after a short answer that
    # opens with the figure the pronoun's sentence holds)
    assert any("Salem Bukhari" in q for i, q in enumerate(quotes) if i != pronoun)
    naming = answer.citations[pronoun - 1]
    article = news_service.article_text(naming.doc_id)
    assert article is not None and article[naming.start:naming.end] == naming.quote  # verbatim, own offsets
    assert f"[{naming.n}]" in answer.answer and "Salem Bukhari" in answer.answer


def test_a_french_quote_whose_subject_is_elle_names_her(news_service):
    answer = news_service.ask("Combien de migrants sont arrivés en Italie l'an dernier selon la ministre ?")
    assert not answer.refused
    assert "Giulia Ferrante" in _cited_text(answer)


def test_pronoun_subjects_and_referents_are_read_from_the_sentence_shape():
    from chatbot.answering.referents import pronoun_subject, referent_before

    assert pronoun_subject("He said 23 of them had been killed.")
    assert pronoun_subject("Since March 2016, he has led the mission.")
    assert pronoun_subject('"We believe the country is unstable," he told reporters.')
    assert not pronoun_subject("Salem Bukhari said he had seen them.")
    assert not pronoun_subject("The army said it had lost a jet.")
    text = ARTICLES[2]["text"]
    start = text.index("He said 23")
    found = referent_before(text, start)
    assert found is not None and found[2].startswith("Salem Bukhari")


def test_question_constraints_are_read_from_the_wording():
    from chatbot.answering.specificity import constraints_of

    c = constraints_of("Qu'a déclaré le chef de la Ligue arabe Ahmed Aboul-Gheit ?", "fr", False)
    assert c.actor == "Aboul-Gheit" and not c.years
    c = constraints_of("How did the United States react to the offensive?", "en", False)
    assert c.actor == "United States"
    # the same question in French: whose reaction is asked is read there too
    c = constraints_of("Comment les États-Unis ont-ils réagi à l'offensive ?", "fr", False)
    assert c.actor == "États-Unis"
    c = constraints_of("Comment Fayez al-Sarraj a-t-il répondu aux critiques ?", "fr", False)
    assert c.actor == "Sarraj"
    c = constraints_of("How many barrels did the country produce in 2005?", "en", True)
    assert c.years == {2005} and c.figure and c.actor is None
    assert not constraints_of("Who leads the army?", "en", False)


def test_a_sentence_is_dated_by_its_article_when_it_says_last_year_or_nothing():
    from chatbot.answering.specificity import candidate, constraints_of, holds
    from chatbot.schemas import Passage

    text = ARTICLES[0]["text"]
    passage = Passage(doc_id="envoy", title="t", date="2018/2/7", lang="en", chunk_id="envoy:0",
                      start=0, end=len(text), text=text)
    start = text.index("Last year")
    end = text.index(".", start) + 1
    sentence = candidate(passage, start, end, text[start:end], text)
    assert holds(constraints_of("How many people were flown back in 2017?", "en", True), sentence)
    assert not holds(constraints_of("How many people were flown back in 2018?", "en", True), sentence)
    plans = text.index("The mission plans")
    undated = candidate(passage, plans, len(text), text[plans:], text)
    assert holds(constraints_of("What did the mission plan in 2018?", "en", False), undated)
    assert not holds(constraints_of("What did the mission plan in 2015?", "en", False), undated)


def test_a_duration_does_not_answer_how_many_things_across_languages():
    from chatbot.answering.specificity import candidate, constraints_of, holds
    from chatbot.schemas import Passage

    def french(text: str):
        passage = Passage(doc_id="clip", title="t", lang="fr", chunk_id="clip:0", start=0, end=len(text), text=text)
        return candidate(passage, 0, len(text), text, text)

    count = constraints_of("Exactly how many armed trucks does the video show?", "en", False, True)
    assert not holds(count, french("Une vidéo de 8 minutes montre une longue file de camions armés."))
    assert holds(count, french("Une vidéo montre 40 camions armés au bord de la route."))
    duration = constraints_of("How long is the video of the convoy?", "en", True, False)
    assert holds(duration, french("Une vidéo de 8 minutes montre une longue file de camions armés."))


def test_a_stance_is_its_holders_named_in_the_sentence_or_in_speech_around_it():
    from chatbot.answering.specificity import candidate, constraints_of, holds
    from chatbot.schemas import Passage

    text = ("Relying on sponsors such as Egypt and France, the commander has built up his forces. "
            "Russia's support for the commander has frustrated Western diplomats. "
            "French Foreign Minister Jean Lacombe said on Monday that the offensive must stop. "
            "\"There is no military solution to this conflict.\" The talks resume in April.")
    passage = Passage(doc_id="stance", title="t", lang="en", chunk_id="stance:0", start=0, end=len(text), text=text)

    def sentence(opening: str):
        start = text.index(opening)
        return candidate(passage, start, text.index(".", start) + 1, text[start:text.index(".", start) + 1], text)

    for question, lang in (("What is France's position on the commander's offensive?", "en"),
                           ("Comment la France a-t-elle réagi à l'offensive du commandant ?", "fr")):
        asked = constraints_of(question, lang, False)
        # France is only among the sponsors named the sentence before: nothing France said
        assert not holds(asked, sentence("Russia's support"))
        # the quote goes on from the French minister's statement just before it
        assert holds(asked, sentence("\"There is no military"))
        assert holds(asked, sentence("French Foreign Minister"))

    # an interview: the title gives whose words the article holds
    answer = "The camps are very crowded. Around 10 percent of the male refugees are malnourished."
    asked = constraints_of("Selon l'envoyé de l'ONU, quelle proportion des réfugiés souffre de malnutrition ?",
                           "fr", False)
    for title, theirs in (("UN envoy: 'Inhumane things are happening in the camps'", True),
                          ("The camps where the UN sends no one", False)):
        interview = Passage(doc_id="talk", title=title, lang="en", chunk_id="talk:0", start=0, end=len(answer),
                            text=answer)
        start = answer.index("Around")
        assert holds(asked, candidate(interview, start, len(answer), answer[start:], answer)) is theirs


def test_a_share_is_no_count_across_languages_however_it_is_written():
    from chatbot.answering.specificity import candidate, constraints_of, holds
    from chatbot.schemas import Passage

    def english(text: str):
        passage = Passage(doc_id="arrivals", title="t", lang="en", chunk_id="arrivals:0", start=0, end=len(text),
                          text=text)
        return candidate(passage, 0, len(text), text, text)

    count = constraints_of("Combien de migrants sont arrivés en Italie ?", "fr", False, True)
    for share in ("12%", "12 percent", "12 per cent"):
        assert not holds(count, english(f"Arrivals in Italy rose by {share} on last year."))
    assert holds(count, english("Some 12,000 migrants arrived in Italy."))


@pytest.mark.parametrize(("question", "expected"), [
    # he is named, on the topic asked, but in a sentence that reports no word of his
    ("What did Hendrik Vollmer say about Jordan?", None),
    ("What did Hendrik Vollmer say about sending migrants back to the camps?", "not a solution"),
])
def test_a_statement_is_answered_by_reported_speech_only(news_service, question, expected):
    answer = news_service.ask(question)
    if expected is None:
        assert answer.refused, f"answered with: {answer.answer}"
        assert not answer.citations
    else:
        assert not answer.refused, f"refused: {question}"
        assert expected in _cited_text(answer)


@pytest.mark.parametrize(("question", "expected"), [
    # the French article counts migrants: a number there does not count children
    ("How many children arrived in Italy last year according to the Italian minister?", None),
    ("How many migrants arrived in Italy last year according to the Italian minister?", "180 000"),
])
def test_across_languages_a_count_must_count_what_the_question_names(news_service, question, expected):
    assert_refused_or_cites(news_service, question, expected)


def test_statement_questions_and_reported_speech_are_read_from_the_wording():
    from chatbot.answering.asked import asks_statement, reports_speech

    assert asks_statement("What did Sergey Lavrov say to Fayez Sarraj?")
    assert asks_statement("Qu'a déclaré Igor Konashenkov sur les forces spéciales ?")
    assert not asks_statement("How did the United States react to the offensive?")
    assert not asks_statement("Who did Lavrov meet in Moscow?")
    assert reports_speech('"We do not have such information," the spokesman said.', "")
    assert reports_speech("Selon elle, 180 000 migrants sont arrivés en Italie.", "")
    assert reports_speech('"The ports are secure and the roads are open.', '" he told reporters.')
    assert not reports_speech("Sarraj met Russian Foreign Minister Sergey Lavrov in Moscow.", "He left on Friday.")


def test_the_words_a_number_counts_are_read_after_it():
    from chatbot.answering.counted import counted_words

    assert counted_words("Italy's coast guard rescued roughly 970 migrants on Thursday.") == ["migrants", "thursday"]
    assert "barrels" in counted_words("Output is around 650,000 barrels per day.")
    assert counted_words("One killed in knife attack") == ["killed", "knife"]  # within three words
    assert counted_words("No number here.") == []


@pytest.mark.parametrize(("question", "expected"), [
    # the only dated deed of the commander's forces is past: it does not say when they will come back
    ("When will the Eastern Army retake the northern blocks of the port city?", None),
    ("Quand le sommet sur les migrations se poursuivra-t-il ?", "mois prochain"),
])
def test_the_time_of_a_future_event_comes_from_a_sentence_about_what_lies_ahead(news_service, question, expected):
    assert_refused_or_cites(news_service, question, expected)


def test_future_questions_and_sentences_are_read_from_tense_and_dates():
    from chatbot.answering.tense import asks_future, speaks_of_future

    assert asks_future("When will Russia open its military base in Egypt?", "en")
    assert asks_future("Quand le groupe de contact se réunira-t-il ?", "fr")
    assert not asks_future("Quand la partie sud a-t-elle été prise ?", "fr")
    assert not speaks_of_future("Russia had used another base in early February.", "en", "2017/3/14")
    assert speaks_of_future("On Friday, February 24, donors are gathering in Oslo.", "en", "2018-02-20")
    assert not speaks_of_future("The talks were held in December.", "en", "2017/3/14")  # last December
    assert not speaks_of_future("Since March 2016, he has led the mission.", "en", "2018-02-07")
    assert speaks_of_future("Le sommet se poursuivra à Madrid.", "fr", None)


@pytest.mark.parametrize(("question", "expected"), [
    # his present title is given, nothing of what he did before
    ("What post did Karim al-Tarhuni hold before becoming spokesman of the Eastern Army?", None),
    ("What post did Hendrik Vollmer hold before leading the UN support mission?", "ambassador"),
])
def test_a_role_held_before_another_comes_from_a_sentence_about_an_earlier_time(news_service, question, expected):
    assert_refused_or_cites(news_service, question, expected)


def test_a_count_of_people_without_saying_which_is_met_by_any_count(news_service):
    # the French article counts "migrants": a question on "people" is still answered by it
    answer = news_service.ask("How many people arrived in Italy last year according to the Italian minister?")
    assert not answer.refused, answer.answer
    assert "180 000" in _cited_text(answer)


def test_an_english_weekday_is_a_time(news_service):
    answer = news_service.ask("When were the oil ports secured according to Karim al-Tarhuni?")
    assert not answer.refused, answer.answer
    assert "on Tuesday" in _cited_text(answer)


def test_a_position_at_a_body_is_a_post_not_a_stance_and_two_letter_acronyms_swap():
    from chatbot.answering.question import analyse, unknown_names

    assert not analyse("What is Federico Fossi's position at UNHCR?").predicates
    assert [p.name for p in analyse("What is France's position on Haftar?").predicates] == ["stance"]
    assert unknown_names(["UA"], "New head of the AU Commission") == []  # Union africaine / African Union
    assert unknown_names(["UA"], "Il est arrivé au sein de la commission.") == ["UA"]


def test_the_topic_of_a_statement_may_be_named_by_its_article_title():
    from chatbot.answering.specificity import candidate, constraints_of, holds
    from chatbot.schemas import Passage

    text = ("These moves come on top of their dispatching of warplanes. "
            "\"They are trying to increase their influence,\" Gen. Joseph Votel told the committee.")
    passage = Passage(doc_id="us", title="US sees a resurgent Russian military", lang="en", chunk_id="us:0",
                      start=0, end=len(text), text=text)
    start = text.index("\"They")
    quote = candidate(passage, start, len(text), text[start:], text)
    assert holds(constraints_of("What did Joseph Votel tell the committee about Russia?", "en", False), quote)
    assert not holds(constraints_of("What did Joseph Votel tell the committee about Libya?", "en", False), quote)


@pytest.mark.parametrize(("question", "sentence", "theirs"), [
    # the leader of the ANL, in a sentence that also names the GNA's seat
    ("Who heads the Government of National Accord?",
     "Les soldats de l'Armée nationale arabe libyenne (ANL), dirigés par Khalifa Haftar, marchent sur "
     "Tripoli, siège du gouvernement d'union nationale (GNA).", False),
    ("Qui dirige l'Armée nationale arabe libyenne ?",
     "Les soldats de l'Armée nationale arabe libyenne (ANL), dirigés par Khalifa Haftar, marchent sur "
     "Tripoli, siège du gouvernement d'union nationale (GNA).", True),
    # a title: "head of" the body asked about, by its initials in the other language
    ("Qui dirige le Gouvernement d'union nationale ?",
     "Fayez al-Serraj, chef du gouvernement d'union nationale, a reçu l'envoyé.", True),
    ("Who heads the Government of National Accord?", "Fayez al-Sarraj, head of the GNA, met the envoy.", True),
    ("Who commands the Chadian militias?", "Haftar, who leads the LNA, flew to Cairo.", False),
    # no leadership stated: left to the other checks ("le GNA de Fayez al-Serraj")
    ("Who heads the Government of National Accord?", "Le GNA de Fayez al-Serraj siège à Tripoli.", True),
])
def test_who_leads_is_answered_by_a_leader_of_what_is_asked(question, sentence, theirs):
    from chatbot.answering.leaders import asked_led, leads_asked

    led = asked_led(question)
    assert led is not None
    assert leads_asked(sentence, led) is theirs
