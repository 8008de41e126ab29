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

The same reading of a verb tells whether a whole sentence is a forecast (``tells_ahead``, for the
timeline): its main verb, or a clause that verb reports ("officials said the ban will ...").
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


# An English present verb with an infinitive after it that says the deed is still to come: "is
# expected to rule", "is due to arrive", "plans to sign", "is going to", "is to be held" (forms, not
# lemmas: the English pipeline leaves many lemmas empty).
_EN_AHEAD_FORMS = {"expected", "scheduled", "set", "due", "plans", "plan", "intends", "intend", "going", "slated",
                   "poised", "is", "are"}


def _verb_ahead(verb: Any, code: str) -> bool:
    """Whether the clause of ``verb`` tells of a deed still to come (see ``tells_ahead``)."""
    if code == "fr":
        return _french(verb) or (verb.lower_ in _FR_AHEAD_AUX and
                                 any("Inf" in c.morph.get("VerbForm") for c in verb.children))
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in auxes}
    if words & _WILL:
        return True
    present = verb.tag_ in _PRESENT or any(a.tag_ in _PRESENT for a in auxes)
    if not present or words & _WOULD:
        return False
    heads = [verb, *(c for c in verb.children if c.dep_ == "acomp" and c.lower_ == "due")]
    to_verbs = [c for h in heads for c in h.children
                if c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children)]
    if verb.lower_ in ("is", "are") and len(heads) == 1:
        # "is to be held", in the passive only: "his ambition is to re-establish ..." states an aim
        return any(any(a.dep_ == "auxpass" and a.lower_ == "be" for a in c.children) for c in to_verbs)
    return (verb.lower_ in _EN_AHEAD_FORMS or len(heads) > 1) and bool(to_verbs)


_EN_FORMS = "|".join(sorted(_EN_AHEAD_FORMS))
_EN_AHEAD_WORDS = re.compile(rf"\b(?:will|shall|won['’]t)\b|['’]ll\b|\b(?:{_EN_FORMS})\s+to\b", re.I)
_FR_AHEAD_WORDS = {w.lower() for w in _FR_AHEAD_AUX | _FR_SCHEDULED}


def _may_be_ahead(sentence: str, code: str) -> bool:
    """A word without which no clause of ``sentence`` can be read as ahead (spares the parse)."""
    if code == "en":
        return bool(_EN_AHEAD_WORDS.search(sentence))
    words = re.findall(r"\w+", sentence.lower())
    return any(w in _FR_AHEAD_WORDS or _FUTURE_ENDING.search(fold(w)) for w in words)


def tells_ahead(sentence: str, lang: str) -> str | None:
    """What of ``sentence`` tells of a deed still to come when it was written: ``"told"`` when its
    main clause does ("The court is expected to rule by the end of the week", "Le Parlement se
    réunira": a forecast, not an event of its report's day), ``"reported"`` when a clause its main
    verb reports does ("Haftar said his forces will take Tripoli", "The ban is due to take effect on
    Thursday, officials said": the saying happened), None otherwise."""
    code = (lang or "und")[:2]
    if code not in ("en", "fr") or not _may_be_ahead(sentence, code):
        return None
    try:
        doc = parse(sentence, code)
    except NlpUnavailable:
        return None
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None
    if _verb_ahead(root, code):
        return "told"
    clauses = [c for c in root.children if c.dep_ in ("ccomp", "parataxis") and c.pos_ in ("VERB", "AUX")]
    return "reported" if any(_verb_ahead(c, code) for c in clauses) else None
