"""French questions about English articles that hold their answer are answered, not refused.

A small index of English articles written for these tests (real model, real Chroma on disk). Each
question names its subject the French way, and each check that used to refuse it is exercised:
a place or body whose French name is not its English spelling ("mer Égée" / "Aegean Sea", "Ligue
arabe" / "Arab League"), a title taken for a name ("le Premier ministre"), the counted noun after
"autres" or with its complement ("demandeurs d'asile"), a figure written with its magnitude ("45m
jobs"), "gagner l'Europe" read as a win, an age written "29-year old", and a statement whose topic
more than five sentences of the index are nearer to. Next to each, an on-topic question whose answer
is in no article is still refused.
"""

from __future__ import annotations

import pytest
from refusal_cases import assert_refused_or_cites, service_over

ARTICLES = [
    {"id": "aegean", "date": "2017-03-24", "lang": "en", "title": "Migrant boat capsizes off the Turkish coast",
     "text": (
         "At least 14 migrants drowned after their boat capsized in the Aegean Sea on Friday, the Turkish "
         "coastguard said. The rubber boat was carrying 31 people towards the Greek island of Lesbos. "
         "Seven migrants were rescued by fishermen. Police arrested two suspected smugglers.")},
    {"id": "league", "date": "2017-03-27", "lang": "en", "title": "Ministers meet ahead of the regional summit",
     "text": (
         "Ahmed Khalil, secretary-general of the Arab League, said on Monday that youth unemployment had "
         "reached 31 percent across the region. "
         "Arab countries need to create 45m jobs over the next decade, according to Khalil. "
         "The summit will open on Wednesday at the Dead Sea.")},
    {"id": "tunis", "date": "2017-03-02", "lang": "en", "title": "Tunis says no to asylum centres",
     "text": (
         "The Tunisian prime minister has rejected the idea of European asylum centres in North Africa, "
         "saying that they would destabilise his country. "
         "In 2016 alone, 181,000 migrants reached Europe irregularly with the help of smugglers. "
         "A former minister is to face trial over the funding of the campaign. "
         "It is understood that 13 other individuals will also go on trial over the affair.")},
    {"id": "eritrean", "date": "2017-03-03", "lang": "en", "title": "Rejected by Israel, an Eritrean finds shelter",
     "text": (
         "The 29-year old Tesfay told reporters in Berlin that he had lived in Israel for six years. "
         "He is one of more than 9,000 asylum seekers who have left Israel through a voluntary departure "
         "programme. His brother works in a bakery.")},
    {"id": "sentenced", "date": "2017-03-10", "lang": "en", "title": "Leeds man to be sentenced for shipping fraud",
     "text": (
         "Arlo Quenby ran a freight company in Leeds for ten years before it collapsed in 2015. "
         "Arlo Quenby told the court that his business partners had misled him about the cargo. "
         "Quenby, 34, of Leeds, is to be sentenced on Friday at Southwark Crown Court for a fraud "
         "involving forged shipping documents, insurance claims on three cargo vessels and letters of "
         "credit worth millions of pounds, prosecutors said. Arlo Quenby's lawyer said he would appeal.")},
    {"id": "exiles", "date": "2017-03-14", "lang": "en", "title": "Exiles return to Tripoli",
     "text": (
         "Lina Marsh spent 12 years in exile in Cairo before she came back to Tripoli last month. "
         "Selim Orvak, 61, returned with her and now advises the presidential council on the economy.")},
    {"id": "tramadol", "date": "2017-03-16", "lang": "en", "title": "Tramadol floods the streets of Freetown",
     "text": (
         "Tramadol is sold cheap in Freetown: 10 capsules cost less than a pint of beer. "
         "Hospitals in the city admitted 40 young patients with seizures after tramadol overdoses last month.")},
]


@pytest.fixture(scope="module")
def across_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "across", ARTICLES)




@pytest.mark.parametrize(("question", "expected"), [
    # "Égée" is written "Aegean" in the article: the event's place is found by meaning
    ("Combien de migrants se sont noyés quand leur bateau a chaviré en mer Égée ?", "14 migrants"),
    # no article speaks of the Baltic: the same question about it is still refused
    ("Combien de migrants se sont noyés quand leur bateau a chaviré en mer Baltique ?", None),
    # the speaker's body, "la Ligue arabe", is the "Arab League" of the article
    ("Quel est le taux de chômage des jeunes selon le secrétaire général de la Ligue arabe ?", "31 percent"),
    ("Quel est le taux de chômage des jeunes selon le secrétaire général de l'Union africaine ?", None),
])
def test_a_place_or_body_is_found_under_its_name_in_the_other_language(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # "Premier" is a title, which English writes in lower case: it is not a name to find
    ("Pourquoi le Premier ministre tunisien rejette-t-il les centres d'asile européens ?", "destabilise"),
    # the name that comes with a title still is one, and no article names him
    ("Pourquoi le Président Macron rejette-t-il les centres d'asile européens ?", None),
])
def test_a_title_is_not_a_name(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # "autres" qualifies the counted noun, "personnes", which any count of people meets
    ("Combien d'autres personnes seront jugées dans cette affaire ?", "13 other individuals"),
    # the counted noun with its complement: "demandeurs d'asile" means "asylum (seekers)"
    ("Combien de demandeurs d'asile ont quitté Israël par le programme de départ volontaire ?", "9,000"),
    ("Combien de soldats ont quitté Israël par le programme de départ volontaire ?", None),
    # a figure written with its magnitude counts the noun after it (same language)
    ("How many jobs must Arab countries create over the next decade?", "45m jobs"),
    ("How many schools must Arab countries build over the next decade?", None),
])
def test_the_counted_noun_is_read_past_qualifiers_and_with_its_complement(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # "gagner l'Europe" is reaching Europe, not winning: the win predicate does not apply
    ("Combien de migrants ont gagné l'Europe en 2016 avec l'aide des passeurs ?", "181,000"),
    # the year is still checked
    ("Combien de migrants ont gagné l'Europe en 2014 avec l'aide des passeurs ?", None),
])
def test_gagner_followed_by_a_place_is_no_win(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    ("Quel âge a Tesfay, le réfugié érythréen ?", "29-year old"),
    ("Quel âge a Yonas Haile, le réfugié érythréen ?", None),
])
def test_an_age_written_with_a_hyphen_and_a_space_is_an_age(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # "March" is a time, which the months check reads (the article is of 24 March), not a name its
    # text must spell: the question was refused as naming something no passage names
    ("How many migrants were rescued by fishermen in March?", "Seven migrants"),
    # a place no article names still is one
    ("How many migrants were rescued by fishermen in Benghazi?", None),
])
def test_a_month_or_a_weekday_is_not_a_name(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # the sentence gives the age of the person named in full, next to the name: that is the answer,
    # however little else of the question it shares (it was refused as too far from the question)
    ("Quel âge a Arlo Quenby ?", "Quenby, 34"),
    # someone else of the same first name: no age to give
    ("Quel âge a Arlo Mendel ?", None),
])
def test_the_age_of_the_person_named_in_full_is_answered(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # "mortes" asks for a death, which "drowned" states: not the 31 people the boat carried
    ("Combien de personnes sont mortes sur le bateau pneumatique parti vers Lesbos ?", "14 migrants drowned"),
    ("Combien de personnes ont péri sur le bateau pneumatique parti vers Lesbos ?", "14 migrants drowned"),
    # no article counts deaths from tramadol: its price and the patients admitted are no answer
    ("Combien de personnes sont mortes d'une overdose de tramadol à Freetown ?", None),
    ("Combien de personnes les hôpitaux de Freetown ont-ils admises à cause du tramadol ?", "40 young patients"),
])
def test_every_form_of_a_death_asks_for_one(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("question", "expected"), [
    # "12 years in exile" is how long she was away, not her age: nothing gives it
    ("Quel âge a Lina Marsh ?", None),
    ("How old is Lina Marsh?", None),
    # the age written between commas next to the name, in the same article
    ("Quel âge a Selim Orvak ?", "Orvak, 61"),
])
def test_a_number_of_years_that_is_a_length_of_time_is_no_age(across_service, question, expected):
    assert_refused_or_cites(across_service, question, expected)


@pytest.mark.parametrize(("sentence", "an_age"), [
    ("Khalifa Haftar, 75 ans, dirige l'ANL.", True),
    ("À 77 ans, il reste le chef du parlement.", True),
    ("Un homme de 50 ans a été arrêté.", True),
    ("He is 50 years of age.", True),
    ("Il a régné pendant 42 ans sur le pays.", False),
    ("Il y a 50 ans, le roi Idriss était renversé.", False),
    ("Il a été condamné à 20 ans de prison.", False),
    ("Il dirige le journal depuis 25 ans.", False),
    ("He lived in Cairo for 50 years.", False),
])
def test_ages_are_told_from_lengths_of_time_in_both_languages(sentence, an_age):
    from chatbot.answering.ages import age_spans

    assert bool(age_spans(sentence)) is an_age


def test_question_readings_behind_these_checks():
    from chatbot.answering.lexicon import predicates_in
    from chatbot.answering.name_meaning import phrases_of
    from chatbot.answering.question import analyse
    from chatbot.text.names import names_in

    assert names_in("Pourquoi le Premier ministre tunisien refuse-t-il ?") == []
    assert names_in("Que pense le Président Macron ?") == ["Macron"]
    assert names_in("What did Theresa May say on Monday in Benghazi on Feb. 3?") == ["Theresa May", "Benghazi"]
    needs = analyse("Combien d'autres personnes seront jugées ?")
    assert needs.count_of == "personnes"
    needs = analyse("Combien de demandeurs d'asile ont quitté Israël ?")
    assert (needs.count_of, needs.count_phrase) == ("demandeurs", "demandeurs d'asile")
    assert analyse("Combien de soldats de la paix ?").count_phrase is None  # "la" is no complement
    assert not predicates_in("Combien de migrants ont gagné l'Europe ?")
    assert [p.name for p in predicates_in("Qui a gagné les élections ?")] == ["win"]
    assert phrases_of(["Ahmed Khalil, secretary-general of the Arab League, said"]) == [
        "Ahmed Khalil", "Ahmed", "Khalil", "Arab League", "Arab", "League"]


TOPIC_ARTICLES = [
    {"id": "moscow", "date": "2017-03-14", "lang": "en", "title": "Reports of Russian forces in Egypt",
     "text": ("Reuters reported that Russia had deployed special forces at an air base in western Egypt. "
              "The news agency said a 22-member unit was seen near the Libyan border. "
              "US officials said Russian drones had also been flown to the base. "
              "Egyptian officials denied that any Russian troops were on their soil. "
              "The defence ministry in Moscow called the reports false. "
              "Diplomats said the deployment could help the eastern commander in Libya. "
              "Kremlin spokesman Dmitry Volkov was asked about the reports on Tuesday. "
              "He said that he had no information about any Russian deployment in Egypt. "
              "Volkov also said that Moscow wanted good relations with Cairo.")},
    {"id": "troops1", "date": "2017-03-13", "lang": "en", "title": "Russian troops sent to Egypt, sources say",
     "text": ("Russian troops have been sent to Egypt, according to diplomatic sources. "
              "The Russian troops sent to Egypt are stationed at an air base near Sidi Barrani. "
              "Sources said more Russian soldiers would be sent to Egypt in the coming weeks. "
              "Russia has sent troops to Egypt before, for joint exercises in 2016. "
              "The troops sent by Moscow to Egypt include special forces.")},
    {"id": "troops2", "date": "2017-03-14", "lang": "en", "title": "Egypt denies hosting Russian troops",
     "text": ("Egypt denied on Tuesday that Russian troops had been sent to its territory. "
              "An Egyptian army spokesman said no foreign troops were sent to Egypt. "
              "Analysts said the Russian troops sent to Egypt would be a message to Washington.")},
    {"id": "oil", "date": "2017-03-15", "lang": "en", "title": "Oil output rises",
     "text": "Oil production rose to 700,000 barrels per day in March, the oil company said. Exports resumed from two ports."},
]


@pytest.fixture(scope="module")
def topic_service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "topic", TOPIC_ARTICLES)


@pytest.mark.parametrize(("question", "expected"), [
    # more than five sentences of the three articles are nearer the topic than his statement, which
    # is still more than half as near as the nearest: it is about the topic
    ("Qu'a dit Dmitry Volkov sur les troupes russes déployées en Égypte ?", "no information"),
    # he never spoke of sanctions: his sentences are far from that topic
    ("Qu'a dit Dmitry Volkov sur les sanctions européennes ?", None),
])
def test_a_statement_is_about_its_topic_among_many_sentences_on_it(topic_service, question, expected):
    assert_refused_or_cites(topic_service, question, expected)
