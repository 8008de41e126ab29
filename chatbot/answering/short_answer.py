"""The short answer: the name, place, number or date a question asks for, cut out of a cited sentence.

"Qui dirige l'Armée nationale arabe libyenne ?" wants "Khalifa Haftar", not a 60-word quote. The
answerer still picks and cites whole sentences; this module then looks inside the best of them for
a span of the kind asked for, using spaCy (named entities, parts of speech, dependency trees, see
``chatbot.text.nlp``):

* the kind comes from the question word ("qui", "where", "combien"...) or, for "quel X" / "which
  X", from the noun X, through the lists in ``short_answer.toml`` (``question_kind``);
* candidates are the sentence's named entities, runs of proper nouns, known places of the bilingual
  lexicon (so "égyptien" counts as a country), numbers with their unit and time expressions;
* a candidate the question already names is no answer ("Armée nationale arabe libyenne"), nor is
  its acronym;
* the rest are ranked by how well their kind fits and by how close they sit, in the dependency
  tree, to the words the sentence shares with the question ("dirigés par Khalifa Haftar"): the
  nearest such word first, then a little for each other one within two links ("another $2.6
  billion for border infrastructure ... in 2018" for "... for border infrastructure in 2018?");
* a question in the plural ("quels pays", "which countries") takes the coordinated list around the
  winner ("égyptien, saoudien et émirati").

The span keeps exact offsets in the article, so it is as verifiable as the quote it comes from.
When no candidate fits, there is no short answer and the quote alone answers, as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chatbot.answering.increments import not_increments
from chatbot.answering.question import analyse
from chatbot.answering.question_kind import Need, is_role, question_need
from chatbot.answering.reader_names import in_reader_language
from chatbot.answering.spans import Candidate, broken_name, candidates, dateline, duration
from chatbot.answering.titles import Titled
from chatbot.schemas import ShortAnswer, ShortAnswerItem
from chatbot.text.entities import honorifics
from chatbot.text.names import acronym_letters, initials, names_in
from chatbot.text.nlp import NlpUnavailable, parse
from chatbot.text.words import fold, tokenize

log = logging.getLogger(__name__)
CountsAfter = Callable[[str], bool]  # the text after a number -> whether it counts what is asked
# (question, its language, quoted sentences as (n, text, language)) -> the person whose title means
# the role asked (``titles.TitleMeaning.titled``)
TitledPerson = Callable[[str, str, Sequence[tuple[int, str, str]]], Titled | None]
# (sentence, its language, start, end) -> whether the name there may answer: "Who controls the
# ports?" is not answered by the port the sentence says is controlled (chatbot.answering.statuses)
Holding = Callable[[str, str, int, int], bool]
NAMED = {"person", "org", "place", "country", "name"}
# how well a candidate's kind answers the kind asked for (the small pipelines' labels are often
# wrong, e.g. a person tagged as a place, so a mismatched name still counts a little)
FIT = {("person", "person"): 1.0, ("person", "org"): 0.7, ("org", "org"): 1.0, ("org", "person"): 0.5,
       ("place", "place"): 1.0, ("country", "place"): 0.6, ("date", "date"): 1.0, ("number", "number"): 1.0}
# a country or capital of the lexicon, for a place question; for "quel pays" / "which country"
# it is what is asked for, a town or a region is not
KNOWN_PLACE_BONUS = {"place": 0.5, "country": 1.0}
# the exact kind asked for (0.5) passes; a weaker one (a name for a person, a mislabelled name)
# must sit a few dependency links from the question's words
MIN_SCORE = 0.5
MISLABELLED = 0.4
NAME_FIT = 0.4  # a name for a "which X" of no known kind, or a bare name: close to the question's words
NEAR_OTHERS = 0.1  # each further question word within two links of the span
# what may stand between a name and the person or body it belongs to: "GNA (…) de Fayez al-Serraj",
# "the Government of National Accord of Fayez al-Sarraj", "Sarraj's Government of National Accord"
_GENITIVE_AFTER = re.compile(r"\s*\)?,?\s*(?:de|d['’]|du|of|led by|dirigée? par|mené par|menée par)\s*", re.I)
_GENITIVE_BEFORE = re.compile(r"\s*['’]s\s+(?:\w+\s+)?", re.I)
# "Adelhak Khiame, director of the BCJI", "X, chef du GNA" (the role before the name), and "BCJI
# director Adelhak Khiame" (between them): the role word must be a person's (see question_kind.is_role)
_ROLE_BEFORE = re.compile(r"\s*,\s*(?:the\s+|le\s+|la\s+|l['’])?(?:[\w-]+\s+)?([\w-]+)\s+"
                          r"(?:of|de|du|des|d['’])\s*(?:the\s+|la\s+|le\s+|l['’])?", re.I)
_ROLE_BETWEEN = re.compile(r"\s*(?:['’]s)?\s+([\w-]+)\s+", re.I)
# "le chef du GNA Fayez al-Serraj", "the head of the GNA, Fayez al-Sarraj": the role leads the name
_ROLE_LEADS = re.compile(r"\b([\w-]+)\s+(?:of|de|du|des|d['’])\s*(?:the\s+|la\s+|le\s+|l['’])?$", re.I)
_JOINED = re.compile(r"\s*,?\s*")
_LIST_GAP = re.compile(r"^\s*(?:,|;)?\s*(?:et|and|ou|or|&)?\s*(?:le|la|les|l'|the)?\s*$", re.I)


def _tree_distance(a: Any, b: Any) -> int:
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    index_b = {t.i: n for n, t in enumerate(up_b)}
    for n, t in enumerate(up_a):
        if t.i in index_b:
            return n + index_b[t.i]
    return len(up_a) + len(up_b)


def word_prefixes(text: str, langs: tuple[str, ...]) -> set[str]:
    """The first five letters of the content-word stems of ``text`` in each of ``langs``: words
    compared across inflections ("terminals", "terminaux") and the two languages' stemmers."""
    return {s[:5] for lang in langs for s in tokenize(text, lang) if len(s) >= 3}


def _named_in_question(cand: Candidate, text: str, question_prefixes: set[str], question: str) -> bool:
    """The question already names this span: every content word of a name, or the number itself."""
    if cand.kind in ("number", "date"):
        digits = re.findall(r"\d+", text)
        if not digits:  # a number word: "six" of "the six countries" the question speaks of
            words = re.findall(r"\w+", fold(text))
            return bool(words) and all(re.search(rf"\b{re.escape(w)}\b", fold(question)) for w in words)
        return all(re.search(rf"\b{d}\b", question) for d in digits)
    words = [w for w in re.findall(r"\w+", fold(text)) if len(w) > 2 or text.isupper()]
    short = {p[:4] for p in question_prefixes}
    return bool(words) and all(w[:5] in question_prefixes or w[:4] in short or
                               re.search(rf"\b{re.escape(w)}\b", fold(question)) for w in words)


def _asked(found: list[Candidate], sentence: str, question: str, asked: set[str],
           anchors: list[Any]) -> tuple[set[int], set[int]]:
    """Indexes of candidates the question names (all their words, or a name holding one of the
    question's words: what is asked about, not the answer), with their "Name (ACRONYM)" partner;
    and, second, those the question names whole (all their words, or its acronym in the other
    language: "GNA" for "Government of National Accord"), with their partner."""
    held = {t.i for t in anchors}
    abbreviated = {initials(n) for n in names_in(question)} - {None}
    whole = {i for i, c in enumerate(found) if _named_in_question(c, sentence[c.start:c.end], asked, question)
             or acronym_letters(sentence[c.start:c.end]) in abbreviated}
    named = whole | {i for i, c in enumerate(found) if c.kind in NAMED and any(t.i in held for t in c.tokens)}
    for i, a in enumerate(found):
        for j, b in enumerate(found):
            if a.end <= b.start and re.fullmatch(r"\s*\(\s*", sentence[a.end:b.start]) and \
                    sentence[b.start:b.end].isupper():
                for group in (named, whole):
                    if i in group or j in group:
                        group |= {i, j}
    return named, whole


def _attached_name(cand: Candidate, need: Need, named: list[Candidate], sentence: str) -> bool:
    """A name the sentence ties to a name the question gives whole answers a person or body
    question whatever label the pipeline gave it: in "le Gouvernement d'union nationale (GNA) de
    Fayez al-Serraj" the small French pipeline tags "Fayez al-Serraj" as a place (and parses "de
    Fayez" as a complement of the verb), and "Qui dirige le GNA ?" was answered by a person named in
    another clause. Tied means written "NAME de/of X", "X's NAME", "X, director of NAME", "NAME
    director X" or "director of NAME, X" (a role word of the person nouns or titles): a dependency
    link alone is too loose ("the UN-backed Government", "Secretary-General"). A place of the lexicon keeps its kind
    ("le gouvernement de Tripoli" names no leader)."""
    if need.kind not in ("person", "org") or cand.kind not in NAMED or cand.known_place:
        return False
    for name in named:
        if name.end <= cand.start:  # the name first: "GNA de X", "BCJI director X", "chef du GNA, X"
            gap = sentence[name.end:cand.start]
            if _GENITIVE_AFTER.fullmatch(gap):
                return True
            role = _ROLE_BETWEEN.fullmatch(gap) or (_JOINED.fullmatch(gap) and _ROLE_LEADS.search(sentence[:name.start]))
        elif cand.end <= name.start:  # the answer first: "X's GNA", "X, director of the BCJI"
            gap = sentence[cand.end:name.start]
            if _GENITIVE_BEFORE.fullmatch(gap):
                return True
            role = _ROLE_BEFORE.fullmatch(gap)
        else:
            continue
        if role and is_role(role.group(1)):
            return True
    return False


def _modifies_noun(cand: Candidate) -> bool:
    """Whether the span qualifies a noun after it ("the U.S. government", "a Russian Foreign Ministry
    source"): a name used so says whose the thing is, not where something happened."""
    last = max(cand.tokens, key=lambda t: t.i)
    return last.dep_ in ("compound", "amod", "nmod", "poss") and last.head.pos_ in ("NOUN", "PROPN") \
        and last.head.i > last.i and last.head not in cand.tokens


def _only_titles(text: str, langs: tuple[str, ...]) -> bool:
    """Whether ``text`` is made of titles and ranks alone ("President", "Secretary-General")."""
    titles = frozenset().union(*(honorifics(lang) for lang in langs))
    words = re.findall(r"[\w'’]+", fold(text))
    return bool(words) and all(w in titles for w in words)


@dataclass
class Found:
    """A short answer inside one sentence: offsets in the sentence, its items (a list's members)."""

    start: int
    end: int
    items: list[tuple[int, int]]
    attached: bool  # tied to a name the question gives: "(GNA) de Fayez al-Serraj"


def find(question: str, sentence: str, question_lang: str, sentence_lang: str,
         need: Need | None = None, context: str = "", counts: CountsAfter | None = None,
         holding: Holding | None = None) -> Found | None:
    """The short answer inside ``sentence``, if there is one.

    ``context``: the standalone rewrite of a follow-up ("Who did they fight against?" asked after
    a turn about Haftar's troops): what it names is asked about too, so it is no answer.
    ``counts``: for a "how many X", whether the text after a number says it counts X (by meaning,
    ``counted.CountedMeaning.counts_after``). In another language than the question's, no word of
    the question anchors the answer, so the first number would win: "Combien de blessés ...?" was
    answered "At least one" out of "At least one person has been killed and 35 injured"."""
    try:
        need = need or question_need(question, question_lang)
        if need is None:
            return None
        doc = parse(sentence, sentence_lang)
    except NlpUnavailable as exc:
        log.warning("no short answer: %s", exc)
        return None
    langs = tuple(dict.fromkeys((question_lang, sentence_lang)))
    about = f"{question} {context}".strip()
    asked = word_prefixes(about, langs)
    anchors = [t for t in doc if not t.is_punct and len(t.text) > 2
               and any(fold(t.text)[:5] == p or fold(t.lemma_ or t.text)[:5] == p for p in asked)]
    scored = []
    found = candidates(doc)
    # "Quel gouvernement s'est installé à Tripoli ?" is answered by "Gouvernement d'union
    # nationale": the noun asked about may be part of the answer's name, so it alone does not make
    # a name one the question already gives (it still anchors the answer's place in the sentence)
    own = {p for p in asked if need.noun and need.noun[:5] == p}
    named, whole = _asked(found, sentence, about, asked - own,
                   [t for t in anchors if not own or not ({fold(t.text)[:5], fold(t.lemma_ or t.text)[:5]} & own)])
    # a name of the question found in the sentence anchors as a whole: "Gouvernement d'union
    # nationale (GNA) de Fayez al-Serraj" is one link from "Fayez al-Serraj"
    anchors = anchors + [t for i in named for t in found[i].tokens]
    counted = analyse(question).count_of  # "how many people": a duration counts no one
    for i, cand in enumerate(found):
        if i in named or (counted and cand.kind == "number" and duration(sentence[cand.start:cand.end])):
            continue
        fit = FIT.get((need.kind, cand.kind), 0.0)
        if need.kind in ("date", "number") and fit == 0.0:
            continue  # a name is never a date
        if need.kind in NAMED and cand.kind not in NAMED:
            continue
        if need.kind in ("person", "org") and cand.thing:
            continue  # "Who is the US military's top officer?" is not answered by "the Cold War"
        if cand.adjective and (need.kind == "place" or not cand.known_place):
            continue  # "Which city ...?" is not answered by "Libyan", "quel pays" not by "Eritreans"
        if cand.kind in NAMED and _only_titles(sentence[cand.start:cand.end], langs):
            continue  # "President" of "President Trump's order" names nobody
        if cand.kind in NAMED and (broken_name(sentence[cand.start:cand.end]) or
                                   dateline(sentence, cand.start, cand.end)):
            continue  # a garbled span; where the report was filed ("MOSCOW, February 9 /TASS/")
        if need.kind == "name" and cand.kind not in ("name", "org"):
            continue  # "quel réseau social", "which fighter jet": not a person, a place or a date
        if need.kind == "name" or (fit == 0.0 and cand.kind == "name"):
            fit = max(fit, NAME_FIT)
        elif fit == 0.0 and len(cand.tokens) > 1:
            # "Fayez al-Serraj" tagged as a place: a full name may still be a person, unless the
            # lexicon knows it as a place ("Abou Dhabi" is no answer to "who")
            fit = 0.0 if cand.known_place else MISLABELLED
        if fit == 0.0:
            continue
        cand.attached = _attached_name(cand, need, [found[j] for j in whole], sentence)
        if holding is not None and not cand.attached and not holding(sentence, sentence_lang, cand.start, cand.end):
            continue  # "control of the ports of Ras Lanuf": the port, not who holds it
        fit = 1.0 if cand.attached else fit
        modifier = need.kind == "place" and _modifies_noun(cand)
        if modifier:  # "filed against the U.S. government in Honolulu": whose, not where
            fit = min(fit, MISLABELLED)
        cand.exact = fit >= 1.0
        if cand.known_place and not modifier:
            fit += KNOWN_PLACE_BONUS.get(need.kind, 0.0)
        distances = sorted(min(_tree_distance(t, a) for t in cand.tokens) for a in anchors)
        near = 1 if cand.attached else (distances[0] if distances else None)
        # without a shared word (a question in another language), only the kind can decide
        cand.score = 0.5 * fit + (1.0 / max(near, 1) if near is not None else 0.0) + \
            NEAR_OTHERS * sum(1 for d in distances[1:] if d <= 2)
        scored.append(cand)
    if not scored:
        return None
    # a span labelled with the very kind asked for beats a mislabelled or merely name-like one
    # however close the latter sits to the question's words: closeness to "les soldats" made "Armée
    # nationale arabe libyenne" the answer to "vers quelle ville", over "Tripoli" (a place)
    passing = [c for c in scored if c.score >= MIN_SCORE]
    if not passing:
        return None
    if counts is not None and counted and need.kind == "number" and sentence_lang != question_lang:
        counting = _counting([c for c in passing if c.kind == "number"], doc, sentence, counts)
        passing = counting or passing
    if need.kind == "number":
        passing = not_increments(question, sentence, passing)
    best = max(passing, key=lambda c: (c.exact, c.score, -c.start))
    items = [best]
    if need.plural:
        items = _list_around(best, sorted(scored, key=lambda c: c.start), sentence)
    return Found(items[0].start, items[-1].end, [(c.start, c.end) for c in items], best.attached)


def _counting(numbers: list[Candidate], doc: Any, sentence: str, counts: CountsAfter) -> list[Candidate]:
    """The numbers that count what the question asks for. One followed by a verb counts what the
    count before it counts ("Three Turkish soldiers were killed and 11 were injured": 11 soldiers)."""
    found, before = [], False
    for cand in sorted(numbers, key=lambda c: c.start):
        after = next((t for t in doc if t.idx >= cand.end and not t.is_punct), None)
        elided = after is not None and after.pos_ in ("AUX", "VERB")
        before = (elided and before) or counts(sentence[cand.end:])
        if before:
            found.append(cand)
    return found


def _list_around(best: Candidate, ordered: list[Candidate], sentence: str) -> list[Candidate]:
    """The candidates of ``best``'s kind that form one list with it ("A, B et C")."""
    same = [c for c in ordered if c.kind == best.kind or (best.known_place and c.known_place)]
    i = same.index(best)
    lo = hi = i
    while lo > 0 and same[lo - 1].end <= same[lo].start and _LIST_GAP.match(sentence[same[lo - 1].end:same[lo].start]):
        lo -= 1
    while hi + 1 < len(same) and same[hi].end <= same[hi + 1].start and \
            _LIST_GAP.match(sentence[same[hi].end:same[hi + 1].start]):
        hi += 1
    return same[lo:hi + 1]


def short_answer(question: str, question_lang: str, sentences: list[tuple[int, str, str, int]],
                 context: str = "", counts: CountsAfter | None = None,
                 titled: TitledPerson | None = None, holding: Holding | None = None) -> ShortAnswer | None:
    """The short answer from the first of ``sentences`` that holds one, or from a later one where
    it is tied to a name the question gives: for "Qui est le chef du GNA ?" the person leading
    another army in the best sentence is not the GNA's head named in the next one. Failing such a
    tie, a person whose title means the role asked ("Hawaii Attorney General Douglas Chin" for "Qui
    est le procureur général d'Hawaï ?", ``titled``) answers a question for one person.

    ``sentences``: (citation n, sentence text, sentence language, offset of the sentence in its
    article), best first. Offsets of the result are in the article.
    """
    try:
        need = question_need(question, question_lang)
    except NlpUnavailable as exc:
        log.warning("no short answer: %s", exc)
        return None
    if need is None:
        return None
    chosen: tuple[Found, int, str, str, int] | None = None
    for n, text, lang, offset in sentences:
        found = find(question, text, question_lang, lang, need, context, counts, holding)
        if found is None:
            continue
        if chosen is None or found.attached:
            chosen = (found, n, text, lang, offset)
        if found.attached:
            break
    if titled is not None and need.kind in ("person", "name") and not need.plural and not (chosen and chosen[0].attached):
        person = titled(question, question_lang, [(n, text, lang) for n, text, lang, _ in sentences])
        if person is not None:
            n, text, lang, offset = next(s for s in sentences if s[0] == person.n)
            chosen = (Found(person.start, person.end, [(person.start, person.end)], False), n, text, lang, offset)
    if chosen is None:
        return None
    found, n, text, lang, offset = chosen
    items = found.items
    return ShortAnswer(text=text[found.start:found.end], n=n, start=offset + found.start, end=offset + found.end,
                       items=[ShortAnswerItem(text=text[s:e], start=offset + s, end=offset + e)
                              for s, e in items] if len(items) > 1 else [],
                       rendered=in_reader_language([text[s:e] for s, e in items], question_lang, lang))
