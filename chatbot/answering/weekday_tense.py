"""Does a bare weekday of a sentence lie ahead of its article's day? Read from the verb it belongs to.

"On Sunday the port closed", in a report of Tuesday, is two days before it; "Steinmeier will be
sworn in on Wednesday", in a report of Sunday, three days after. A bare weekday ("mardi", "on
Friday") is taken as the latest such day on or before the publication day (``relative_dates``)
unless the verb it belongs to speaks of what is still to come. That verb is found in the sentence's
dependency parse (spaCy, ``chatbot.text.nlp``): the first verb up the weekday's heads, and for an
infinitive or a gerund without a tense of its own, the verb it depends on ("are expected to attend
*Wednesday's* meeting", "are meeting ahead of its summit *on Wednesday*").

* English: ahead when that verb has the modal "will" or "shall"; when it is an infinitive of a
  present verb ("is expected to attend Wednesday's meeting", "is forecast to hit 39C by Sunday");
  or when it is in the present tense and the weekday belongs to it directly ("is scheduled for
  Wednesday", "is travelling to London on Thursday"): news tells what happened in the past tense.
  Through a noun, the present speaks of a past deed ("the ruling on Wednesday prevents ...",
  "Saturday's ruling does not undercut ..."). A past tense, a perfect ("has blocked"), "would" and
  a participle of its own ("the ban signed on Monday") keep the default.
* French: ahead only for a future tense ("se tiendra mercredi"), an infinitive after a present
  "aller" or "devoir" ("doit se rendre mardi") or "prévu" ("le sommet est prévu mercredi"): the
  French present also tells past events ("mardi, le président annonce ...").

Without a pipeline for the language, nothing is ahead (the default rule holds).
"""

from __future__ import annotations

import re
from typing import Any

from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold

_WILL = {"will", "shall", "'ll", "wo", "’ll"}
_WOULD = {"would", "could", "might", "should", "'d"}
_PRESENT = {"VBZ", "VBP"}
_FR_AHEAD_AUX = {"va", "vont", "doit", "doivent", "devra", "devront"}
_FR_SCHEDULED = {"prévu", "prévue", "prévus", "prévues", "programmé", "programmée", "programmés", "programmées"}
_CLIMB = 12  # heads followed at most
# a French future simple: "réunira", "accueilleront" (the small pipeline tags some of them present or past)
_FUTURE_ENDING = re.compile(r"(?:ra|ront|rons|rez|rai|ras)(?:-t)?$")


def french_future(token: Any) -> bool:
    """Whether a French verb token is in the future simple, by its tag or by its ending."""
    return token.pos_ in ("VERB", "AUX") and ("Fut" in token.morph.get("Tense") or
                                            bool(_FUTURE_ENDING.search(fold(token.text))))


def _verb_above(token: Any) -> tuple[Any | None, bool]:
    """The first verb (or auxiliary) up from ``token`` through its heads, ``token`` included, and
    whether the way there passed through a noun ("the ruling on Wednesday prevents ...")."""
    through_noun = False
    for _ in range(_CLIMB):
        if token.pos_ in ("VERB", "AUX"):
            return token, through_noun
        through_noun = through_noun or token.pos_ in ("NOUN", "PROPN", "PRON")
        if token.head.i == token.i:
            return None, through_noun
        token = token.head
    return None, through_noun


def _governing(verb: Any) -> Any | None:
    """The verb above ``verb``'s head (the one an infinitive or a participle depends on), if any."""
    return None if verb.head.i == verb.i else _verb_above(verb.head)[0]


def _english(verb: Any, through_noun: bool) -> bool:
    """Ahead: the modal "will"; an infinitive of a present or future verb ("is expected to attend");
    a present tense the weekday belongs to directly ("is travelling to London on Thursday"), not
    through a noun ("the ruling on Wednesday prevents ...": a deed of the past, spoken of now)."""
    infinitive = False
    for _ in range(_CLIMB):
        auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
        words = {a.lower_ for a in auxes}
        if words & _WILL:
            return True
        if words & _WOULD or verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes):
            return False
        if any(a.lower_ in ("has", "have", "had", "'s", "'ve") and a.dep_ == "aux" and verb.tag_ == "VBN"
               for a in auxes):
            return False  # a perfect: done
        if verb.tag_ in _PRESENT or any(a.tag_ in _PRESENT for a in auxes):
            return infinitive or not through_noun
        if verb.tag_ == "VB" and not infinitive and any(c.lower_ == "to" for c in verb.children):
            infinitive = True  # "to attend Wednesday's meeting": the verb it depends on decides
        elif verb.tag_ != "VB" or verb.dep_ not in ("xcomp", "ccomp", "advcl", "conj"):
            return False  # a participle or gerund of its own ("the ban signed on Monday")
        above = _governing(verb)
        if above is None:
            return False
        verb = above
    return False


def _french(verb: Any) -> bool:
    for _ in range(_CLIMB):
        auxes = [c for c in verb.children if c.dep_.startswith("aux")]
        if french_future(verb) or any(french_future(a) for a in auxes):
            return True
        if verb.lower_ in _FR_SCHEDULED and any(a.lower_ in ("est", "sont") for a in auxes):
            return True
        if "Inf" in verb.morph.get("VerbForm"):
            if any(a.lower_ in _FR_AHEAD_AUX for a in auxes) or verb.head.lower_ in _FR_AHEAD_AUX:
                return True
            above = _governing(verb)
            if above is None or above.i == verb.i:
                return False
            verb = above
            continue
        return False
    return False


def weekday_ahead(sentence: str, start: int, lang: str) -> bool:
    """Whether the weekday at ``start`` in ``sentence`` belongs to a verb speaking of the future."""
    code = (lang or "und")[:2]
    if code not in ("en", "fr"):
        return False
    try:
        doc = parse(sentence, code)
    except NlpUnavailable:
        return False
    token = next((t for t in doc if t.idx <= start < t.idx + len(t.text) or t.idx > start), None)
    if token is None:
        return False
    if token.lower_ in ("on", "le", "ce") and token.i + 1 < len(doc):
        token = doc[token.i + 1]  # "on Friday": the weekday itself
    verb, through_noun = _verb_above(token)
    if verb is None:
        return False
    return _english(verb, through_noun) if code == "en" else _french(verb)
