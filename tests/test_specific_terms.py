"""A question about a tool the articles never name is refused, and the refusal says which.

On a manual of short technical sections, "Comment ouvrir un port avec firewalld ?" found sentences
about ports and firewalls, close in meaning, and quoted them; "Comment créer une base de données
PostgreSQL ?" quoted a table of Postfix commands (the name was taken as written by its first four
letters). A rare word written the same in both languages (a tool, a product) must be written by the
passages or their articles; a common word, or a word of one language only, need not be. Real
encoder, index and spaCy pipelines.
"""

from __future__ import annotations

import pytest
from refusal_cases import service_over

from chatbot.answering.question import unknown_names
from chatbot.answering.terms import specific_terms, unknown_terms
from chatbot.text.names import names_in

ARTICLES = [
    {"id": "pare-feu", "lang": "fr", "source": "manuel.example", "title": "Filtrer le trafic réseau",
     "text": "Le noyau Linux filtre les paquets réseau. La commande « iptables -L » liste les règles actives "
             "du pare-feu. Pour ouvrir le port 80, ajoutez une règle avec « iptables -A INPUT -p tcp --dport 80 "
             "-j ACCEPT ». Les règles sont perdues au redémarrage, sauf si vous les enregistrez avec "
             "iptables-save."},
    {"id": "courrier", "lang": "fr", "source": "manuel.example", "title": "Le serveur de courrier Postfix",
     "text": "Postfix est un agent de transport du courrier. La commande postqueue -p affiche la file "
             "d'attente. La commande postsuper -d ALL supprime tous les messages en attente. La base de "
             "données des alias est reconstruite par newaliases."},
    {"id": "arret", "lang": "fr", "source": "manuel.example", "title": "Comment arrêter le système",
     "text": "Le système Debian demande une procédure d'arrêt avant d'être mis hors tension. Dans le mode "
             "multi-utilisateurs, vous pouvez arrêter le système avec la commande « shutdown -h now ». "
             "Les fuites de mémoire d'un programme se détectent avec valgrind."},
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder):
    return service_over(tmp_path_factory, embedder, "terms", ARTICLES)


def test_a_tool_no_article_names_is_refused_and_named(service):
    answer = service.ask("Comment ouvrir un port dans le pare-feu avec firewalld ?")
    assert answer.refused, answer.answer
    assert "« firewalld »" in answer.answer and "ne répondent pas" in answer.answer
    assert answer.passages, "the closest passages are still listed"
    english = service.ask("How do I open port 80 in the firewall with firewalld?")
    assert english.refused and "“firewalld”" in english.answer, english.answer


def test_a_product_is_not_another_one_sharing_its_first_letters(service):
    answer = service.ask("Comment créer une base de données PostgreSQL ?")
    assert answer.refused, answer.answer
    assert "PostgreSQL" in answer.answer
    assert unknown_names(["Postfix"], ARTICLES[1]["text"]) == []


def test_the_same_questions_with_the_tool_the_articles_name_are_answered(service):
    answer = service.ask("Comment ouvrir un port dans le pare-feu avec iptables ?")
    assert not answer.refused, answer.answer
    assert any(c.doc_id == "pare-feu" for c in answer.citations)
    assert "iptables" in answer.answer


def test_ordinary_words_absent_from_the_articles_do_not_refuse(service):
    # "éteindre" and "détectent" are written nowhere, but they are words of the language
    for question in ("Comment éteindre la machine en mode multi-utilisateurs ?",
                     "Avec quel outil détectent-on les fuites de mémoire ?"):
        answer = service.ask(question)
        assert not answer.refused, (question, answer.answer)
        assert any(c.doc_id == "arret" for c in answer.citations)


@pytest.mark.parametrize(("question", "terms"), [
    ("Comment générer une clé avec ssh-keygen et ed25519 ?", ("ssh-keygen", "ed25519")),
    ("Comment agrandir un système de fichiers avec resize2fs ?", ("resize2fs",)),
    ("Quels outils détectent les fuites de mémoire ?", ()),  # a rare form of a common verb
    ("Qui est le chef d'état-major interarmées ?", ()),  # a French word: English says it otherwise
    ("Que faire aujourd'hui avec sudo ?", ("sudo",)),  # an elided word is no term
    ("Wich countries does the ban affect?", ()),  # the first word opens the question
])
def test_the_specific_terms_of_a_question(question, terms):
    assert specific_terms(question) == terms


def test_a_term_is_written_with_an_ending_or_a_letter_off():
    text = "Enregistrez les règles avec iptables-save; sous systemd, utilisez systemd-timesyncd."
    assert unknown_terms(["iptables", "timesyncd", "systemd-timesync", "firewalld"], text) == ["firewalld"]
    assert unknown_terms(["ipatbles"], text) == []  # two letters off in a long word: a typo
    assert unknown_terms(["systemx"], text) == []  # one letter off in a word of 7
    assert unknown_terms(["ufx"], "ufw allow 22") == ["ufx"]  # a short word must be exact


def test_a_topic_counts_its_first_word():
    assert names_in("Netanyahu") == [] and names_in("Netanyahu", topic=True) == ["Netanyahu"]
    assert specific_terms("firewalld", topic=True) == ("firewalld",)
