"""Entity names as a reader expects them in the Entities tab: layout labels are no one, a byline or
a stray "&" is not part of a name, dotted initials and the other names of a country are one place.

The mentions come from the real spaCy pipeline (``extract``) or are given as an article's mentions
to the real merge.
"""

from __future__ import annotations

from collections import Counter

from chatbot.text.entities import Mentions, extract, tidy
from chatbot.text.entity_merge import merge

LIST = ("2015 TARGET: Two US citizens wounded in shooting ATTACKER: Saudi Arabia-based ISIL supporter. "
        "2016 TARGET: a US base. ATTACKER: an ISIL cell. The UNICEF report came out on Monday.")


def test_a_word_in_capitals_before_a_colon_labels_a_list_and_names_no_one():
    names = {name for name, _ in extract(LIST, "en").names}
    assert "TARGET" not in names and "ATTACKER" not in names
    assert {"UNICEF", "Saudi Arabia"} <= names  # a capitalised acronym elsewhere is still a name


def test_a_byline_after_a_spaced_dash_and_edge_symbols_are_cut():
    assert tidy("Vladimir Putin - TASS", "person", "en") == "Vladimir Putin"
    assert tidy("Mexico &", "place", "en") == "Mexico"
    assert tidy("Jean-Yves Le Drian", "person", "fr") == "Jean-Yves Le Drian"  # a hyphen inside a name stays


def test_dotted_initials_and_a_countrys_other_names_are_one_place():
    per_doc = {
        "a": Mentions(Counter({("United States", "place"): 5, ("U.S", "place"): 2, ("UK", "place"): 3})),
        "b": Mentions(Counter({("U.S.", "place"): 1, ("Britain", "place"): 2, ("Royaume-Uni", "place"): 1,
                               ("United Kingdom", "place"): 1})),
    }
    found = {e.name: e for e in merge(per_doc)}
    assert len(found) == 2 and "United States" in found
    us = found["United States"]
    assert us.mentions == 8 and us.aliases == ["U.S"]  # "U.S." loses its outer dot like any edge
    uk = next(e for name, e in found.items() if name != "United States")
    assert uk.mentions == 7 and {"UK", "Britain", "Royaume-Uni", "United Kingdom"} == {uk.name, *uk.aliases}
    assert uk.name == "Britain"  # the most named full form: an acronym is the name only when alone


def test_names_stored_by_an_earlier_version_are_trimmed_when_merged():
    per_doc = {"a": Mentions(Counter({("Mexico", "place"): 4, ("Mexico &", "place"): 1})),
               "b": Mentions(Counter({("Vladimir Putin - TASS", "person"): 1, ("Vladimir Putin", "person"): 2}))}
    found = {e.name: e for e in merge(per_doc)}
    assert set(found) == {"Mexico", "Vladimir Putin"}
    assert found["Mexico"].aliases == [] and found["Mexico"].mentions == 5
    assert found["Vladimir Putin"].aliases == [] and found["Vladimir Putin"].mentions == 3
