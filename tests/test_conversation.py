"""Follow-ups made standalone without an LLM: pronouns, French inversion, names from the answer."""

from __future__ import annotations

from chatbot.answering.conversation import is_follow_up, standalone_query
from chatbot.schemas import Message

HISTORY = [Message(role="user", content="Quelle région résiste à Haftar dans le Nord-Ouest ?"),
           Message(role="assistant", content="La région de Misrata lui oppose des résistances [1].")]


def test_inverted_pronoun_marks_a_follow_up_and_brings_the_answer_subject():
    assert is_follow_up("Pourquoi est-elle si importante ?")
    assert is_follow_up("Que contrôle-t-il ?")
    query = standalone_query("Pourquoi est-elle si importante ?", HISTORY)
    assert query.startswith("Pourquoi est-elle si importante ?")
    assert "Misrata" in query and "Nord-Ouest" in query


def test_hyphenated_names_are_not_pronouns_and_standalone_questions_stay_as_they_are():
    question = "Quelles villes du Nord-Ouest la coalition de Fayez al-Serraj contrôle-t-elle encore ?"
    assert not is_follow_up(question)
    assert standalone_query(question, HISTORY) == question


def _turn(question: str, answer: str) -> list[Message]:
    return [Message(role="user", content=question), Message(role="assistant", content=answer)]


def test_a_subject_pronoun_becomes_the_phrase_it_stands_for():
    history = _turn("Que montre la vidéo diffusée par l'ANL ?", "Des véhicules militaires [1].")
    query = standalone_query("Elle dure combien de temps ?", history)
    assert query.startswith("La vidéo diffusée par l'ANL dure combien de temps ?")
    history = _turn("Where did Haftar and al-Serraj last meet?", "In Abu Dhabi [1].")
    assert standalone_query("What did they agree on there?", history).startswith(
        "What did Haftar and al-Serraj agree on there?")


def test_a_pronoun_that_does_not_agree_or_means_the_last_answer_is_left_alone():
    # "ils" (plural) cannot stand for "la vidéo"
    history = _turn("Que montre la vidéo diffusée par l'ANL ?", "Des véhicules militaires [1].")
    assert standalone_query("Ils roulent vers où ?", history).startswith("Ils roulent vers où ?")
    # "it" is whoever answered "Who announced ...?", not Tripoli
    history = _turn("Who announced that the troops were heading to Tripoli?",
                    "The \"Service de communication de guerre\" [1].")
    query = standalone_query("Where did it post the announcement?", history)
    assert query.startswith("Where did it post the announcement?") and "Service" in query
