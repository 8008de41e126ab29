"""Who holds a role: a sentence answers only when it says that someone holds it.

"Who is the mayor of Misrata?" met "Depuis des mois, Khalifa Haftar essaie d'avancer ses pions dans
le Nord-Ouest, mais il a fait face à des résistances [...] de la région de Misrata": the right town,
a person named, and nothing about a mayor; the answer gave Khalifa Haftar. A question that asks
only who holds a role (``titles.holder_asked``) is therefore answered by a sentence that writes the
role next to a person:

* by meaning, in any language: the title written next to a person ("UN special envoy to Libya
  Martin Kobler", "Nikki Haley, the new US ambassador to the UN", ``titles.title_of``) or what
  a copula makes of them ("Thorsten Benner is director of ...", "X est le maire de ...") means
  the role as ``titles.TITLE_SIMILARITY`` requires;
* by its word, in the question's language: the role's own word within ``reasons.NAME_NEAR``
  words of a person's name ("Ahmed al-Mismari, spokesman of Haftar's Libyan National Army"), as
  for "What is the name of the judge ...?" (``reasons.names_role``), or of a written name of two
  words or more that the entity recogniser missed (read leniently: an organisation's name near the
  role's word also counts);
* for a leader ("Qui est le chef du GNA ?", "Who heads the GNA?", "Qui dirige le GNA ?",
  ``leaders.asked_led``), also a leadership of the body stated ("dirigés par Khalifa Haftar") or a
  person the body asked about is said to be of: "le Gouvernement d'union nationale (GNA) de Fayez al-Serraj",
  "the LNA's Khalifa Haftar".

The people the question itself names are not candidates ("Qui est le ministre turc aux côtés
duquel Rex Tillerson s'est exprimé ?"). Only the best ``CHECKED`` sentences are read, best
first: each is parsed and each person's title encoded (once, then cached: a role question costs
more only the first time it is asked, BENCHMARKS.md 39c), and a sentence ranked lower would not be
quoted anyway.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from chatbot.answering.leaders import REACH, asked_led_phrase, same_thing, states_lead
from chatbot.answering.lexicon import place_forms
from chatbot.answering.question_kind import is_role
from chatbot.answering.reasons import RANKED_PREFIX, capitalised_words, names_role, role_windows
from chatbot.answering.titles import TITLE_SIMILARITY, TitleMeaning, person_spans, title_of
from chatbot.text.names import NAME
from chatbot.text.names import folded_function_words as _function_words
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold, tokenize

CHECKED = 12  # sentences read, best first
LEADER_ROLE = {"en": "head of {led}", "fr": "chef de {led}"}  # the role a leader question asks about
_PREDICATE_TOKENS = 12
_OF_NAME = re.compile(r"\b(?:de|du|des|of)\s+(?P<name>" + NAME.pattern + ")")
_NAME_S = re.compile("(?P<name>" + NAME.pattern + r")['’]s?\s")


def predicate_of(person: Any) -> str:
    """What a copula says ``person`` is ("Thorsten Benner is director of the GPPi" -> "director of
    the GPPi"; "Chin est le procureur général" -> "le procureur général"), or ""."""
    root = person.root
    if not root.dep_.startswith("nsubj"):
        return ""
    head = root.head
    attr = next((c for c in head.children if c.dep_ == "attr"), None)  # English: "is" heads the noun
    if attr is not None:
        return " ".join(t.text for t in list(attr.subtree)[:_PREDICATE_TOKENS])
    if head.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "cop" for c in head.children):  # French: the noun heads "est"
        tokens = [t for t in head.subtree if not root.left_edge.i <= t.i <= root.right_edge.i
                  and t.dep_ not in ("cop", "punct")]
        return " ".join(t.text for t in tokens[:_PREDICATE_TOKENS])
    return ""


def apposed_to(person: Any) -> str:
    """The noun phrase ``person`` stands in apposition to ("America's top military officer in
    Europe, Gen. Curtis Scaparrotti, said"), or ""."""
    root = person.root
    if root.dep_ != "appos" or root.head.i >= person.start:
        return ""
    head = root.head
    tokens = [t for t in head.subtree if t.i < person.start and not t.is_punct]
    return " ".join(t.text for t in tokens[-_PREDICATE_TOKENS:])


def _named_subjects(doc: Any) -> list[Any]:
    """Proper names that are the subject of a verb or copula ("Thorsten Benner is director of ..."):
    the small pipelines' entity recogniser misses some names that open a sentence."""
    found = []
    for token in doc:
        if token.dep_.startswith("nsubj") and token.pos_ == "PROPN":
            span = doc[token.left_edge.i:token.i + 1]
            if len(span) > 1 and all(t.pos_ == "PROPN" for t in span):
                found.append(span)
    return found


def _role_stem(role: str, lang: str) -> str | None:
    """The stem of the role's own word ("mayor" of "the mayor of Misrata"), None when no word of it
    names a role."""
    word = next((w for w in re.findall(r"[\w’'-]+", role) if is_role(w)), None)
    stems = tokenize(word, lang) if word else []
    return stems[0][:RANKED_PREFIX] if stems else None


class RoleHolders:
    """Keeps the sentences that say someone holds the role asked (see the module's doc)."""

    def __init__(self, meaning: TitleMeaning) -> None:
        self.meaning = meaning

    def stating(self, role: str, led: str | None, question: str, question_lang: str,
                sentences: Sequence[Any]) -> list[Any]:
        """The sentences among the first CHECKED of ``sentences`` (best first; each with ``text`` and
        ``passage.lang``) that name a person as holding ``role`` (or, ``led`` being the body whose
        head is asked, write the body as someone's), in their order."""
        asked = fold(question)
        asked_words = capitalised_words(question)
        stem = _role_stem(role, question_lang)
        kept = []
        for sentence in sentences[:CHECKED]:
            text, lang = sentence.text, sentence.passage.lang or "en"
            try:
                doc = parse(text, lang)  # cached: the short answer reads the same sentences
            except NlpUnavailable:
                if stem and lang == question_lang and names_role(text, stem, lang, asked_words):
                    kept.append(sentence)
                continue
            people = [p for p in [*person_spans(doc), *_named_subjects(doc)] if fold(p.text) not in asked]
            if stem and lang == question_lang and _near_role(text, stem, lang, people, asked_words):
                kept.append(sentence)
            elif (led and _owned(led, text, asked)) or self._titled(role, people):
                kept.append(sentence)
        return kept

    def leading(self, led: str, question: str, question_lang: str, sentences: Sequence[Any]) -> list[Any]:
        """For "Who heads X?", "Qui dirige X ?" (``leaders.asked_led``): the sentences among the first
        CHECKED that say someone leads X, in their order: a leadership of X stated ("the LNA, led
        by", "les soldats de l'ANL, dirigés par"), X written as someone's, or a person whose title
        means X's head. "But the Kremlin also recently hosted the Prime Minister from the rival
        Government of National Accord" names no one as its head, and was answered "Kremlin"."""
        role = LEADER_ROLE.get(question_lang, LEADER_ROLE["en"]).format(led=asked_led_phrase(question) or led)
        stating = {id(s) for s in self.stating(role, led, question, question_lang, sentences)}
        return [s for s in sentences[:CHECKED] if id(s) in stating or states_lead(s.text, led)]

    def _titled(self, role: str, people: list[Any]) -> bool:
        said = [said for person in people for said in (title_of(person), predicate_of(person), apposed_to(person))
                if said]
        return bool(said) and max(self.meaning.similarities(role, said)) >= TITLE_SIMILARITY


def _near_role(text: str, stem: str, lang: str, people: list[Any], asked: set[str]) -> bool:
    """The role's word near one of ``people`` (spaCy spans of ``text``), or near a written name of two
    words or more: news copy as scraped glues words ("Nikki Haley,-the new US ambassador"), and the
    entity recogniser then finds no one."""
    windows = role_windows(text, stem, lang)
    if any(p.start_char < hi and p.end_char > lo for p in people for lo, hi in windows):
        return True
    for name in NAME.finditer(text):
        if not any(name.start() < hi and name.end() > lo for lo, hi in windows):
            continue
        parts = [w for w in name.group(0).split() if fold(w) not in asked and fold(w) not in _function_words()]
        if len(parts) > 1 and place_forms(" ".join(parts)) is None:
            return True
    return False


def _owned(led: str, text: str, asked: str) -> bool:
    """Whether ``text`` writes someone as the one ``led`` is of: "<led> (GNA) de Fayez al-Serraj",
    "Khalifa Haftar's LNA", "the LNA's Khalifa Haftar". Read on the words (the entity recogniser
    took "Fayez al-Serraj" for a place): a name of two words or more, no place of the list ("le GNA
    de Tripoli") and not one the question gives."""
    def someone(name: str) -> bool:
        return len(name.split()) > 1 and fold(name) not in asked and place_forms(name) is None

    for m in _OF_NAME.finditer(text):
        if someone(m.group("name")) and same_thing(led, " ".join(text[:m.start()].split()[-REACH:])):
            return True
    for m in _NAME_S.finditer(text):
        after = text[m.end():]
        if someone(m.group("name")) and same_thing(led, " ".join(after.split()[:REACH])):
            return True
        follows = NAME.match(after)
        if follows and same_thing(led, m.group("name")) and someone(follows.group(0)):
            return True
    return False
