"""Does a candidate sentence hold the *specific* thing the question asks for, or only its topic?

On a corpus of many articles about the same country, a question whose answer is in no article still
finds sentences very close to it: "How many people did X send back in 2017?" meets "Last year, we
sent 3,000 people back" (a 2016 figure); "What did Kobler say about Russian forces?" meets a
sentence on Russian forces that Kobler never said. Similarity cannot tell these apart, so the
question's hard constraints are read from its wording and checked against the sentence:

* time: a year the question names must be the sentence's year: written in it, resolved from a
  relative expression ("last year", "l'an dernier") against the article's date, or, when the
  sentence has no time of its own, the article's date or a year of the sentences just before it;
* actor: when the question asks for someone's statement or stance ("What did X say", "Qu'a
  déclaré X", "Comment X a-t-il réagi"), X must be named in the sentence or be what its pronoun
  subject refers to (see ``referents``), be named around it when it is a quote, in a sentence just
  before it that reports speech, or in its article's title when the title quotes them (see
  ``attribution``); and a question asking what someone *said* is answered only by reported speech
  (see ``asked``): "Sarraj met Lavrov" holds Lavrov's name but not a word of his; a follow-up's
  "he" or "il" is the person it stands for ("Qu'a-t-il déclaré ?" after "Qui dirige le GNA ?"),
  as are the subject of a figure, date or reason asked and whose age is asked;
* future: the time of an event still to come ("When will X open ...") is given by a sentence that
  places something after its article's day (see ``tense``), not by a dated past deed; a role held
  *before* another by a sentence speaking of an earlier time, not by the present title;
* event: a question that places what it asks in an event ("killed *when gunmen opened fire on
  demonstrators*", "tués *lors de l'assaut*") is answered by a sentence about that event: in the
  question's language, half of the event's content words must be in the sentence or the two
  sentences before it (a figure of another fight is not its toll); the topic of a statement
  ("What did X say *about Russia*") may also be named by the article's title; a figure's event is
  what a toll is of or what the counted deed happened in ("the death toll *of the earthquake* in
  Italy", "How many people died *in the earthquake* in Italy?", ``event_head``): its noun must be
  named there;
* figure: a "how many" across languages cannot check the counted noun by its spelling
  ("barils"/"barrels"), so there a number that is not a year, a day or a percentage stands for it
  (``question.py`` checks the noun itself when the languages match);
* leader: "Who heads X" is not answered by a sentence stating who leads something else (see
  ``leaders``).

Each constraint is general (no word list of the questions it was written against) and is skipped
when the question does not state it, so it only ever removes candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chatbot.answering.ages import gives_age_of
from chatbot.answering.asked import asks_statement, reports_speech
from chatbot.answering.asked_months import asked_months, holds_months
from chatbot.answering.attribution import asked_actor, holds_actor, surname
from chatbot.answering.days import asked_days, holds_days
from chatbot.answering.event_head import EVENT_PREFIX, TOLL_OF, event_head
from chatbot.answering.leaders import asked_led, leads_asked
from chatbot.answering.lexicon import place_forms, time_units
from chatbot.answering.question import mentions
from chatbot.answering.reasons import (
    asked_role,
    asks_ranking,
    asks_reason,
    capitalised_words,
    names_role,
    ranked_stem,
    ranks,
    states_reason,
)
from chatbot.answering.referents import pronoun_subject, referent_before, sentence_source
from chatbot.answering.relative_dates import years_spoken
from chatbot.answering.tense import asks_earlier, asks_future, speaks_of_earlier, speaks_of_future
from chatbot.answering.titles import holder_asked
from chatbot.schemas import Passage
from chatbot.text import months, numbers
from chatbot.text.names import NAME, names_in
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.sentences import article_spans
from chatbot.text.words import fold, tokenize

# a month or a weekday without a year: the sentence is dated, by its article's year
# ("may" left out: as often the verb as the month)
_UNDATED_TIME = re.compile(rf"\b({months.alternation({m: i for m, i in months.names().items() if m != 'may'})}"
                           rf"|{months.alternation(months.weekdays())})\b")

# "..., when/while/during X" and "..., lors de/pendant X": the event the question is about
_EVENT_CLAUSE = re.compile(r"\b(?:when|while|during|in the course of|lorsque|quand|lors d[eu'’]|lors des|pendant|"
                           r"durant|au cours d[eu'’])\s*(.+?)\s*\??$", re.I)
_TOPIC = re.compile(r"\b(?:about|on|regarding|concerning|sur|à propos d[eu'’]|au sujet d[eu'’]|concernant)\s+"
                    r"(.+?)\s*\??$", re.I)
_PLACE_Q = re.compile(r"^\W*(?:where|où)\b", re.I)
EVENT_COVERAGE = 0.5


@dataclass
class Constraints:
    """What a sentence must hold besides the question's topic (empty: anything on topic will do)."""

    years: set[int] = field(default_factory=set)
    days: set[tuple[int, int]] = field(default_factory=set)  # (month, day) the question names (see ``days``)
    months: set[int] = field(default_factory=set)  # a month it names alone (see ``asked_months``)
    actor: str | None = None  # whose statement is asked for: a place or body, else a surname
    figure: bool = False  # a "how many" / "combien": a count is asked for
    count: bool = False  # ... of things, not of days or years: a duration does not answer it
    question_lang: str = "en"
    event: set[str] = field(default_factory=set)  # content stems of the event the question names
    event_names: list[str] = field(default_factory=list)  # its proper names, checked in any language
    event_text: str = ""  # the event or topic clause itself ("about the oil ports"), for checks by meaning
    event_head: str = ""  # the stem of a figure's event noun ("earthquake"): what happened, not where
    topic: bool = False  # the clause is what a statement is about, which its article's title may name
    statement: bool = False  # what someone said is asked for: reported speech answers it
    future: bool = False  # the time of something still to come is asked for (see ``tense``)
    earlier: bool = False  # what someone was before another role or time (see ``tense``)
    reason: bool = False  # why something was done: the sentence must state a reason (see ``reasons``)
    ranking: bool = False  # the first of a ranking: the sentence must rank (see ``reasons``)
    question: str = ""  # the question as asked (a reason must say more than the question)
    # the subject names a figure, a time or a reason is asked of: named around the sentence giving it
    scope: tuple[str, ...] = ()
    holder: str | None = None  # whose age is asked: the sentence giving an age must name them
    holder_person: str | None = None  # ... when a person's full name ("Douglas Chin"): see ``ages``
    role: str | None = None  # the stem of a role whose holder's name is asked (see ``reasons``)
    led: str | None = None  # what the question asks the leader of (see ``leaders``)
    # a role whose holder alone is asked ("Who is the mayor of Misrata?"), checked by meaning over
    # the best sentences (``role_holders``), not sentence by sentence here: not part of ``__bool__``
    held_role: str | None = None
    # other-language forms of the question's names, found by meaning (see ``name_meaning``)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.years or self.days or self.months or self.actor or self.figure or self.event
                    or self.statement or self.future or self.earlier or self.reason or self.ranking or self.scope
                    or self.holder or self.role or self.led)


def constraints_of(question: str, question_lang: str, figure: bool, count: bool = False,
                   time: bool = False, age: bool = False, meant: str | None = None) -> Constraints:
    """The time, actor and figure constraints stated in ``question`` (see the module doc).

    ``figure``: a number is asked for; ``count``: a number of things (``question.analyse`` names the
    counted noun), which a duration ("a video of 8 minutes") does not give; ``time``: a date or a
    day is asked for, which for an event still to come must be ahead of the sentence's article;
    ``meant``: the person a follow-up's "he"/"il" stands for (``conversation.named_for_pronoun``):
    "Et quel âge a-t-il ?" after "Qui dirige le GNA ?" asks Fayez al-Serraj's age, "What did he say?"
    his words."""
    found = Constraints(question_lang=question_lang, figure=figure or count, count=count, question=question)
    found.years = {int(y) for y in numbers.YEAR.findall(question)}
    found.days = asked_days(question)
    found.months = asked_months(question)
    found.actor = asked_actor(question, meant)
    found.statement = asks_statement(question)
    # "Où se tiendra le prochain sommet ?": the place of an event still to come, like its time
    found.future = (time or bool(_PLACE_Q.search(question))) and asks_future(question, question_lang)
    found.reason = asks_reason(question)
    found.ranking = asks_ranking(question)
    names = names_in(question)
    if (figure or count or time or found.reason) and (names or meant):  # a reason too is someone's own
        # a follow-up's subject pronoun is the subject it stands for ("Pourquoi a-t-il démissionné ?")
        subjects = [*(_subject_names(question, question_lang, names) if names else []), *([meant] if meant else [])]
        found.scope = tuple(n for n in subjects if n != found.actor)
    if age and (names or meant):
        whose = _age_holder(question, names) if names else str(meant)
        found.holder = surname(whose)
        if len(re.findall(r"[\w’'-]+", whose)) > 1 and place_forms(whose) is None:
            found.holder_person = whose
    found.role = asked_role(question, question_lang)
    found.led = asked_led(question)
    found.held_role = holder_asked(question, question_lang)
    found.earlier = asks_earlier(question)
    clause = _EVENT_CLAUSE.search(question, 12)
    if clause and re.search(r"\b(since|depuis)\s*$", question[:clause.start()], re.I):
        clause = None
    if found.actor and not clause:
        clause = _TOPIC.search(question)  # what the statement is about: "say about the oil ports"
        found.topic = clause is not None
    if (figure or count) and not clause:  # a figure's event: what a toll is of, what a deed happened in
        clause = TOLL_OF.search(question)
        found.event_head = event_head(question, question_lang, toll=clause is not None)
    if clause:
        found.event = {t[:EVENT_PREFIX] for t in tokenize(clause.group(1), question_lang) if not t.isdigit()}
        found.event_names = [m.group(0) for m in NAME.finditer(clause.group(1))]
        found.event_text = clause.group(1)
    elif found.event_head:
        found.event = {found.event_head}
    return found


def _subject_names(question: str, lang: str, names: list[str]) -> list[str]:
    """The names among ``names`` that are a subject of the question ("When did *the Netherlands*
    ratify ...", "Why did *Mike Lee* vote ..."), by spaCy's parse; none when no pipeline is installed.
    A place the question only passes through ("the journey *to Europe*", "people *in Janjanbureh*")
    may be named sentences away from the figure: only the subject's own deed is checked."""
    try:
        doc = parse(question, lang)
    except NlpUnavailable:
        return []
    subjects = {fold(t.text) for t in doc if t.dep_.startswith("nsubj") and t.pos_ == "PROPN"}
    return [n for n in names if subjects & {fold(w) for w in re.findall(r"[\w’'-]+", n)}]


# "How old is Issa, the coastguard working in Gasr Garabulli?", "Quel âge avait Joachim Gauck
# lorsqu'il ...": the name right after the age is asked is whose age it is
_AGE_OF = re.compile(r"\b(?:how old|quel [âa]ge)\s+(?:is|was|will|a|avait|aura|aurait|a-t-il|a-t-elle)\s+(?=[A-ZÀ-Ý])",
                     re.I)


def _age_holder(question: str, names: list[str]) -> str:
    """Whose age ``question`` asks: the name right after "how old is" / "quel âge a" when one comes
    there, otherwise its last name ("Quel âge a le président du Niger, Mahamadou Issoufou ?")."""
    asked = _AGE_OF.search(question)
    if asked:
        for name in names:
            if question.startswith(name, asked.end()):
                return name
    return names[-1]


def _sentence_years(text: str, date_year: int | None) -> set[int] | None:
    """The years a sentence speaks of; None when it says nothing of time."""
    years = {int(y) for y in numbers.YEAR.findall(text)}
    folded = fold(text)
    if date_year is not None:
        years |= years_spoken(text, date_year)  # "last year", "l'an dernier", "hier"...
        if not years and _UNDATED_TIME.search(folded):
            years.add(date_year)
    return years or None


def _date_year(passage: Passage) -> int | None:
    found = re.search(r"\b(1[89]\d\d|20\d\d)\b", passage.date or "")  # "2017/3/14", "2018-03-20"

    return int(found.group(1)) if found else None


def _is_figure(token: str) -> bool:
    return bool(re.fullmatch(r"\d[\d.,]*", token)) and not numbers.YEAR.fullmatch(token)


_NUMBER_WORD = numbers.number_word()  # no "un", "une", "one": see chatbot.text.numbers


_DURATION = re.compile(r"\b(?:\d[\d.,]*|un|une|one|a|deux|two|trois|three|quelques|few|several|plusieurs)[\s-]+"
                       r"(?:" + "|".join(sorted(map(re.escape, time_units()), key=len, reverse=True)) + r")\b")


_MONEY = numbers.money()


# a date's day ("30 janv.", "Jan. 30", "le 2 mars"), which is no figure
_MONTH_FORMS = months.alternation(months.with_abbreviations())
_DAY_OF_MONTH = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTH_FORMS})\b\.?|\b(?:{_MONTH_FORMS})\b\.?\s+\d{{1,2}}\b")


def _has_figure(text: str, count: bool = False) -> bool:
    """A figure: a number that is not a year, a date's day or a percentage, or a number word; for a
    ``count``, not a duration either."""
    cleaned = _DAY_OF_MONTH.sub(" ", fold(text))
    cleaned = re.sub(rf"\d[\d.,]*\s*{numbers.PERCENT}", " ", cleaned)
    if count:  # a duration ("a video of 8 minutes") measures time, not the things counted; a sum of
        cleaned = _DURATION.sub(" ", cleaned)  # money ("less than $2 a day") does not count people either
        cleaned = _MONEY.sub(" ", cleaned)
    tokens = re.findall(r"\d[\d.,]*", cleaned)
    return any(_is_figure(t.rstrip(".,")) for t in tokens) or bool(_NUMBER_WORD.search(cleaned))


@dataclass
class Candidate:
    """A sentence to check: where it is, and the text around it that dates or attributes it."""

    passage: Passage
    start: int  # offsets in the article's stored text
    end: int
    text: str
    before: list[str]  # the sentences just before it in the same article, nearest last
    after: str  # the sentence just after it
    referent: str | None  # the sentence naming what its pronoun subject refers to
    source: str = ""  # the text its context was read from: its whole article when known, else its passage


def candidate(passage: Passage, start: int, end: int, text: str, article: str | None) -> Candidate:
    """The context of one sentence, read from its whole article when known, else from its passage."""
    source, offset = sentence_source(passage, start, end, text, article)
    spans = article_spans(source)
    local = start - offset
    index = next((i for i, (s, e) in enumerate(spans) if s <= local < e), None)
    before = [source[s:e] for s, e in spans[max(0, index - 2):index]] if index is not None else []
    after = source[slice(*spans[index + 1])] if index is not None and index + 1 < len(spans) else ""
    referent = None
    if pronoun_subject(text):
        found = referent_before(source, local)
        referent = found[2] if found else None
    return Candidate(passage, start, end, text, before, after, referent, source)


def holds(constraints: Constraints, cand: Candidate) -> bool:
    """Whether the sentence meets every constraint the question states."""
    if constraints.years and not _holds_years(constraints.years, cand):
        return False
    if constraints.days and not holds_days(constraints.days, cand.text):
        return False
    if constraints.months and not holds_months(constraints.months, cand.text):
        return False
    if constraints.actor and not holds_actor(constraints.actor, cand, constraints.aliases):
        return False
    cross = (cand.passage.lang or "und")[:2] not in (constraints.question_lang[:2], "un")
    if constraints.event and not cross and not _holds_event(constraints, cand):
        return False
    if constraints.statement and not reports_speech(cand.text, cand.after):
        return False
    if constraints.future and not speaks_of_future(cand.text, cand.passage.lang or "en", cand.passage.date):
        return False
    if constraints.earlier and not speaks_of_earlier(cand.text, cand.passage.date):
        return False
    if constraints.reason and not states_reason(cand.text, cand.passage.lang or "en", constraints.question,
                                                constraints.question_lang):
        return False
    if constraints.ranking and not ranks(cand.text, None if cross else ranked_stem(constraints.question,
                                                                                   constraints.question_lang),
                                         constraints.question_lang):
        return False
    if (constraints.scope or constraints.holder) and not _holds_scope(constraints, cand):
        return False
    if constraints.role and not cross and not names_role(
            cand.text, constraints.role, constraints.question_lang,
            capitalised_words(constraints.question)):
        return False
    if constraints.led and not leads_asked(cand.text, constraints.led):
        return False
    if constraints.event_names:
        around = [cand.passage.title, *cand.before, cand.text, cand.after]
        if not all(any(mentions(name, t, constraints.aliases) for t in around) for name in constraints.event_names):
            return False
    return not (constraints.figure and cross and not _has_figure(cand.text, constraints.count))


def _holds_event(constraints: Constraints, cand: Candidate) -> bool:
    # a statement's topic may be named only by its article's title ("they are trying to increase
    # their influence" under "US sees a resurgent Russian military"); an event's words, not: an
    # article on one attack tells of others
    around = " ".join([cand.passage.title if constraints.topic else "", *cand.before, cand.text])
    stems = {t[:EVENT_PREFIX] for t in tokenize(around, constraints.question_lang)}
    if constraints.event_head and constraints.event_head not in stems:
        return False
    return len(constraints.event & stems) >= EVENT_COVERAGE * len(constraints.event)


def _holds_years(asked: set[int], cand: Candidate) -> bool:
    date_year = _date_year(cand.passage)
    own = _sentence_years(cand.text, date_year)
    if own is not None:
        return bool(asked & own)
    context: set[int] = set()
    for sentence in cand.before:
        context |= {int(y) for y in numbers.YEAR.findall(sentence)}
    if date_year is not None:
        context.add(date_year)
    if context:
        return bool(asked & context)
    # an undated article and no year near the sentence: the year asked must be one the article
    # speaks of; an article naming no year at all cannot say that anything happened in it
    # ("Quel est le prix du pétrole libyen en 2030 ?" over the undated seed)
    return bool(asked & {int(y) for y in numbers.YEAR.findall(cand.source)})


def _holds_scope(constraints: Constraints, cand: Candidate) -> bool:
    """A figure, a time or an age belongs to what its own sentence is about: "How many people from
    Maryland were charged?" is not answered by a figure of a sentence (and the two before it, and
    its article's title) that never names Maryland, though its article does further on; "When did
    the Netherlands ratify?" not by the date of the Senate's vote; "Why did Lee vote against?" not by
    the reason another senator gave. An age is the named person's
    own: their surname is in the sentence, or in the one its pronoun subject refers to; for a person
    named in full, next to the age (``ages``)."""
    around = [cand.passage.title, *cand.before, cand.text, cand.referent or ""]
    for name in constraints.scope:
        if not any(mentions(name, t, constraints.aliases) for t in around if t):
            return False
    if constraints.holder:
        own = [t for t in (cand.text, cand.referent or "") if t]
        if constraints.holder_person:
            return gives_age_of(constraints.holder_person, constraints.holder, cand.text, cand.referent)
        return any(mentions(constraints.holder, t, constraints.aliases) for t in own)  # "le Ghanéen": "Ghanaian"
    return True
