"""Who leads X: a sentence naming a leader answers only when what they lead is X.

"Who heads the Government of National Accord?" met "Les soldats de l'Armée nationale arabe
libyenne (ANL), dirigés par Khalifa Haftar, ont commencé hier à faire route en direction de
Tripoli": the right story, a leader named, but of another body. So when a question asks who leads,
heads or commands something it names, a sentence that states a leadership (a participle: "led
by", "dirigés par"; a verb: "leads", "dirige"; a title: "head of", "chef de", "à la tête de")
must state one of the thing asked about. A sentence stating no leadership is left to the other
checks: "le GNA de Fayez al-Serraj" gives its head by a possessive.

What is led is read next to the wording that states it: the words before a participle ("the
soldiers of the LNA, led by"), after a verb or a title ("chef de la milice ..."). A name of several
words is the same thing under its initials ("GNA", "ANL"/"LNA") or when half its words are there:
"Armée nationale arabe libyenne" shares "national" with "Government of National Accord", no more.
"""

from __future__ import annotations

import re

from chatbot.answering.question import mentions
from chatbot.text.names import ACRONYM, NAME, acronym_letters, identifying_words, initials

_LEAD_Q = re.compile(
    r"\bwho\s+(?:heads|leads|commands|runs|directs|chairs|is\s+in\s+charge\s+of|(?:is|was)\s+(?:the\s+)?"
    r"(?:head|leader|chief|commander|chairman|chairwoman)\s+of)\s+(?P<led>.+?)(?:\s+(?:that|which|who|since|"
    r"when)\b|[,?]|$)"
    r"|\bqui\s+(?:dirige|dirigeait|commande|commandait|mène|menait|préside|présidait|est\s+à\s+la\s+tête\s+d[eu'’]|"
    r"est\s+(?:le|la)\s+(?:chef|dirigeante?|commandant|patron|patronne)\s+d[eu'’])\s*(?P<led_fr>.+?)"
    r"(?:\s+(?:qui|que|depuis|lorsque|quand)\b|[,?]|$)", re.I)
# the thing led comes before these ("the LNA, led by"; "les soldats de l'ANL, dirigés par") ...
_LED_BY = re.compile(r"\b(?:led|headed|commanded|run|directed|chaired|dirigée?s?|commandée?s?|menée?s?|"
                     r"présidée?s?)\s+(?:by|par)\b", re.I)
# ... and after these ("leads the", "head of", "chef de", "à la tête de")
_LEADS = re.compile(r"\b(?:leads|heads|commands|runs|directs|chairs|dirige|commande|préside|"
                    r"(?:head|leader|chief|commander|chairman|chairwoman|chef|dirigeante?|commandant|patron|"
                    r"patronne)\s+(?:of|de|du|des|d['’])|(?:à|a)\s+la\s+tête\s+d[eu'’])", re.I)
REACH = 8  # words read before or after the wording for what is led
# the words a French name goes on with, up to a preposition or the end: "nationale arabe libyenne",
# "d'union nationale"
_FRENCH_TAIL = re.compile(r"(?:\s+(?:d['’]|de\s+|du\s+|des\s+)?(?!(?:à|au|aux|en|dans|de|du|des|d|la|le|les|l|et|ou|"
                          r"qui|que|sur|pour|par)\b)[a-zà-ÿ][\w-]*)+(?=\s*(?:$|[,?]|\s(?:à|au|aux|en|dans|de|du|des|et|"
                          r"qui|que)\b))")


def asked_led(question: str) -> str | None:
    """The name of what the question asks the leader of ("Who heads the Government of National
    Accord?", "Qui dirige l'Armée nationale libyenne ?"): the first name of the phrase after the
    verb or title, with the lower-case words a French name goes on with; None when the question asks
    no leader, or of nothing named ("Who leads the army?")."""
    match = _LEAD_Q.search(question)
    if not match:
        return None
    french = match.group("led_fr")
    led = french or match.group("led") or ""
    first = NAME.search(led)
    if first is None:
        return None
    tail = _FRENCH_TAIL.match(led, first.end()) if french else None  # "Armée" + "nationale arabe libyenne"
    return first.group(0) + (tail.group(0) if tail else "")


def asked_led_phrase(question: str) -> str | None:
    """The whole phrase naming what the question asks the leader of ("le Conseil national de la
    jeunesse de Gambie"; ``asked_led`` keeps its first name, "Conseil national"), or None."""
    match = _LEAD_Q.search(question)
    return (match.group("led_fr") or match.group("led")).strip() if match else None


def same_thing(name: str, text: str) -> bool:
    """``text`` names ``name`` itself: by its initials, or by half its words at least."""
    if not mentions(name, text):
        return False
    words = identifying_words(name)
    if len(words) <= 1:
        return True
    if initials(name) in {acronym_letters(a) for a in ACRONYM.findall(text)}:
        return True
    return 2 * sum(mentions(w, text) for w in words) >= len(words) + 1


def _led_texts(sentence: str) -> list[str]:
    """What the sentence states someone leads: the words before "led by", after "chef de"."""
    found = [" ".join(sentence[:m.start()].split()[-REACH:]) for m in _LED_BY.finditer(sentence)]
    found += [" ".join(sentence[m.end():].split()[:REACH]) for m in _LEADS.finditer(sentence)]
    return found


def states_lead(sentence: str, led: str) -> bool:
    """Whether ``sentence`` states a leadership of ``led`` ("the LNA, led by", "l'ANL, dirigés par")."""
    return any(same_thing(led, text) for text in _led_texts(sentence))


def leads_asked(sentence: str, led: str) -> bool:
    """Whether ``sentence`` may give the leader of ``led``: it states no leadership, or one of it."""
    stated = _led_texts(sentence)
    return not stated or any(same_thing(led, text) for text in stated)
