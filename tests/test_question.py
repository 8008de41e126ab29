"""What a question asks for: the checks that turn an on-topic near miss into a refusal."""

from __future__ import annotations

import pytest

from chatbot.answering.question import analyse, mentions, unknown_names

SEED_SENTENCES = {
    "border": "Une conférence nationale, prévue pour la mi-avril, est prévue à Ghadamès, une ville de l'Ouest, "
              "frontalière de l'Algérie.",
    "planned_vote": "Ils se sont entendus à accélérer la mise en œuvre du processus politique, à travers "
                    "l'organisation d'élections générales d'ici la fin de l'année.",
    "months": "Depuis des mois, Khalifa Haftar essaie d'avancer ses pions dans le Nord-Ouest libyen.",
}


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("United States", "Les véhicules stationnés attendent les unités de l'armée.", False),
    ("United States", "Washington a appelé à l'arrêt des combats.", True),
    ("the United States", "Les États-Unis ont appelé au calme.", True),
    ("Algeria", "Ghadamès, frontalière de l'Algérie.", True),
    ("Chadian", "des milices tchadiennes", True),
    ("Egypt", "le soutien égyptien, saoudien et émirati", True),
    ("Fayez al-Serraj", "le chef du GNA, Fayez al-Serraj", True),
    ("Fayez al-Serraj", "al-Qaida a revendiqué l'attaque", False),
])
def test_names_are_found_under_their_french_and_english_forms(name, text, expected):
    assert mentions(name, text) is expected


def test_a_place_absent_in_every_language_is_reported_unknown():
    names = analyse("How did the United States react to Haftar's offensive?").names
    assert unknown_names(names, SEED_SENTENCES["border"] + " Khalifa Haftar") == ["United States"]


def test_asking_who_won_needs_a_sentence_that_says_someone_won():
    needs = analyse("Who won the general elections?")
    assert not needs.accepts(SEED_SENTENCES["planned_vote"])
    assert needs.accepts("Le maréchal a remporté les élections générales de décembre.")
    assert needs.accepts("The general elections were won by the GNA's allies.")


def test_a_stance_needs_the_one_who_holds_it_and_a_stance_word():
    needs = analyse("Quelle est la position de l'Algérie sur la conférence de Ghadamès ?")
    assert not needs.accepts(SEED_SENTENCES["border"])  # names Algeria, states no position
    assert not needs.accepts("Le Caire a salué la tenue de la conférence.")  # a stance, not Algeria's
    assert needs.accepts("Alger a salué la tenue de la conférence de Ghadamès.")


def test_since_when_needs_a_start_or_a_duration_for_the_one_asked_about():
    needs = analyse("Depuis quand Fayez al-Serraj dirige-t-il le Gouvernement d'union nationale ?")
    assert not needs.accepts(SEED_SENTENCES["months"])  # a duration, but about Haftar
    assert needs.accepts("Fayez al-Serraj dirige le GNA depuis mars 2016.")


@pytest.mark.parametrize(("question", "answers", "does_not"), [
    ("How long does sudo remember the password?", "The password is remembered for 15 minutes.",
     "Pour une station de travail typique avec un seul utilisateur, sudo est pratique."),
    ("How often does the service poll the server?", "It polls the server every 34 minutes.",
     "L'heure est normalement affichée en heure locale."),  # "en heure" is no length of time
    ("Combien de temps Mesgen est-il resté en prison ?", "He was imprisoned for two months.",
     "He was imprisoned in South Sudan."),
    ("À quelle fréquence la liste est-elle mise à jour ?", "La liste est mise à jour tous les jours.",
     "La liste est mise à jour par le ministère."),
])
def test_a_length_of_time_or_a_frequency_needs_a_sentence_stating_one(question, answers, does_not):
    needs = analyse(question)
    assert needs.accepts(answers)
    assert not needs.accepts(does_not)


def test_since_when_is_no_length_of_time_asked():
    assert [p.name for p in analyse("Depuis combien de temps Kobler dirige-t-il la MANUL ?").predicates] == ["since"]


def test_confirming_attendance_needs_both_words():
    needs = analyse("Which Libyan leaders have confirmed they will attend?")
    assert not needs.accepts("L'Union africaine a annoncé l'accueil d'une conférence de la réconciliation.")
    assert needs.accepts("Les dirigeants libyens ont confirmé leur participation à la conférence.")


def test_ordinary_questions_get_no_event_check():
    for question in ("Sur quelles régions Haftar s'est-il concentré en attendant de percer dans le Nord-Ouest ?",
                     "Which countries back Haftar?", "Qui dirige l'Armée nationale arabe libyenne ?"):
        assert not analyse(question).predicates


def test_which_city_needs_a_place_name_besides_the_ones_asked_about():
    needs = analyse("Which city are Haftar's troops marching towards?")
    assert not needs.accepts("Des véhicules attendent l'ordre de rouler en direction de l'ouest, conquis par les "
                             "troupes de Haftar.")
    assert needs.accepts("Les soldats de Haftar ont commencé hier à faire route en direction de Tripoli.")


def test_an_acronym_is_found_with_its_letters_in_the_other_language_order() -> None:
    """ "Qui dirige l'ANL ?" asked of an English article that says "LNA" (and OTAN / NATO)."""
    assert unknown_names(["ANL", "OTAN"], "The LNA advanced on Tripoli; NATO said nothing.") == []
    assert unknown_names(["ANL"], "The UN envoy spoke of the plan.") == ["ANL"]
    assert unknown_names(["ANL"], "a plan for the lan party") == ["ANL"]  # only upper-case words count


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("Quand Trump a-t-il signé le décret ?", "On Jan. 28, President Trump issued an executive order.", True),
    ("When was the order signed?", "The order was signed on January 28 in the Oval Office.", True),
    ("What day was the order signed?", "The order was signed Sept. 5, officials said.", True),
    ("Quel jour le décret a-t-il été signé ?", "Le décret a été signé le 30 janvier.", True),
    ("When was the order signed?", "The order was signed in the Oval Office.", False),
    ("What day was the order signed?", "The order was signed in January.", False),
])
def test_a_day_written_month_first_answers_when(question, sentence, expected):
    """English news writes the month first ("Jan. 28"): that day answers "when" and "what day" as
    "le 28 janvier" does."""
    assert analyse(question).accepts(sentence, same_lang=False) is expected


@pytest.mark.parametrize(("question", "asks_figure"), [
    ("Quelle est la capacité du terminal pétrolier de Ras Lanouf en barils par jour ?", True),
    ("What is the capacity of the terminal in barrels a day?", True),
    ("Quel est le budget de la défense autrichienne en euros ?", True),
    ("What is the unemployment rate in percent?", True),
    ("Who was in Paris in March?", False),
    ("Which port did the forces take in March?", False),
])
def test_a_figure_asked_in_a_unit_needs_a_sentence_with_a_figure(question, asks_figure):
    needs = analyse(question)
    assert needs.number is asks_figure
    if asks_figure:
        assert not needs.accepts("The terminal was attacked by the Benghazi Defence Brigades on Friday.")
        assert needs.accepts("The terminal can load 200,000 barrels a day.")
