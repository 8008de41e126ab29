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
