"""Quotes that stand alone: who "he" is in a quoted sentence.

A sentence such as "He said 23 of them had been killed" answers "How many fighters did the LNA
kill?", but quoted alone it does not say who is speaking. When a cited sentence's subject is a
pronoun ("he", "she", "they", "il", "elle", ...) before any name, the closest previous sentence of
the same article that names a person or an organisation is quoted too, verbatim and with its own
offsets, so the answer says who. The same look-up tells ``specificity`` whose statement a sentence
reports.

The other way round, a "who" question's best sentence may name no one but the question's own
names: "US President Donald Trump's choice for national security adviser has turned down the job
offer" answers "Who turned down Trump's offer?" only with the next sentence, "Retired Vice-Admiral
Robert Harward was widely tipped for the post": a report often introduces the person a sentence
after saying what they did. Then the first of the next ``LOOK_AHEAD`` sentences of the article that
opens with someone new (its subject, then) is quoted too (``named_after``).

Names are recognised by their shape (see ``question.NAME``): two or more capitalised words
("Milad al-Zwai", "Libyan National Army") or an acronym ("LNA", "UNICEF"); a month or weekday is not
a name, and neither is a sentence's first word on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from chatbot.answering.lexicon import place_forms
from chatbot.schemas import Passage
from chatbot.text import months
from chatbot.text.names import ACRONYM, NAME
from chatbot.text.sentences import sentence_spans
from chatbot.text.words import fold

_PRONOUN = re.compile(r"\b(he|she|they|il|elle|ils|elles)\b", re.I)
# words that open a sentence without naming anyone ("Since November 2015, he ...")
_OPENERS = {
    "the", "a", "an", "in", "on", "at", "since", "after", "before", "but", "and", "however", "last", "this",
    "that", "then", "when", "while", "of", "for", "until", "back", "meanwhile", "though", "although", "still",
    "yet", "as", "if", "so", "earlier", "later", "now", "today", "yesterday", "according", "there", "here",
    "le", "la", "les", "l", "un", "une", "depuis", "mais", "et", "selon", "en", "dans", "pour", "apres", "avant",
    "lors", "puis", "ce", "cette", "hier", "aujourd", "ensuite", "alors", "quand", "lorsque", "deja", "pourtant",
    "cependant", "des", "du", "de", "au", "aux", "par", "sur", "avec",
}
_NOT_NAMES = re.compile(rf"^({months.alternation(months.names())}|{months.alternation(months.weekdays())}|"
                        r"read|more|source)$")
LOOK_BACK = 6  # sentences searched for the referent
LOOK_AHEAD = 2  # sentences searched for the name a who-question's quote leaves out
OPENING_WORDS = 2  # ... which must open with it ("The BCJI", "Retired Vice-Admiral Robert Harward")

ArticleText = Callable[[str], "str | None"]


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text)


def pronoun_subject(sentence: str) -> bool:
    """The sentence's subject is a pronoun: one comes in its first words, before any name."""
    # a quotation first: its speaker comes after it ("'We believe ...,' he told reporters")
    body = re.sub(r'^\s*["“«][^"”»]{3,}["”»],?', "", sentence).lstrip(" \"'“”«»‘’-–—(")
    match = _PRONOUN.search(body)
    if not match or len(_words(body[:match.start()])) > 5:
        return False
    before = _words(body[:match.start()])
    for i, word in enumerate(before):
        folded = fold(word).strip("'’")
        if not word[:1].isupper() or _NOT_NAMES.match(folded):
            continue
        if i == 0 and folded in _OPENERS:
            continue
        return False  # a name comes first: it is the subject
    return True


def names_someone(sentence: str) -> bool:
    """The sentence names a person or an organisation (by the shape of the name)."""
    for match in NAME.finditer(sentence):
        words = [w for w in _words(match.group(0)) if not _NOT_NAMES.match(fold(w))]
        if len(words) >= 2:
            return True
    return any(not _NOT_NAMES.match(fold(a)) for a in ACRONYM.findall(sentence))


def referent_before(text: str, position: int) -> tuple[int, int, str] | None:
    """(start, end, sentence) of the closest sentence before ``position`` in ``text`` naming someone."""
    spans = [(s, e) for s, e in sentence_spans(text) if e <= position + 1]
    for s, e in reversed(spans[-LOOK_BACK:]):
        if s >= position:
            continue
        sentence = text[s:e]
        if names_someone(sentence) and not pronoun_subject(sentence):
            return s, e, sentence
    return None


def sentence_source(passage: Passage, start: int, end: int, text: str, article: str | None) -> tuple[str, int]:
    """The text a sentence's neighbours are read from, and the offset of that text in the article:
    the whole ``article`` when ``start``-``end`` are offsets of ``text`` in it, else the passage."""
    if article is not None and article[start:end] == text:
        return article, 0
    return passage.text, passage.start


def referent_span(passage: Passage, start: int, end: int, text: str,
                  article_text: ArticleText | None) -> tuple[int, int, str] | None:
    """The sentence to quote before ``text`` (offsets in the article), or None when it needs none.

    Searched in the whole article when ``article_text`` can give it, else in the passage."""
    if not pronoun_subject(text):
        return None
    source, offset = sentence_source(passage, start, end, text,
                                     article_text(passage.doc_id) if article_text else None)
    found = referent_before(source, start - offset)
    if found is None:
        return None
    s, e, sentence = found
    return offset + s, offset + e, sentence


def _new_names(sentence: str, asked: list[str]) -> list[int]:
    """Where the sentence names a person or an organisation (by the shape of the name, as
    ``names_someone``) that is not one of the ``asked`` names (a name ending in an asked word is
    theirs: "US President Donald Trump's" is Trump; an acronym inside it is part of it), nor a known
    place: the names' start offsets."""
    known = {_bare(w) for name in asked for w in _words(name) if len(w) > 2}
    inside: list[tuple[int, int]] = []
    found = []
    for match in NAME.finditer(sentence):
        words = [_bare(w) for w in _words(match.group(0)) if not _NOT_NAMES.match(fold(w))]
        if words and words[-1] in known:
            inside.append(match.span())
        elif len(words) >= 2 and place_forms(match.group(0)) is None:
            found.append(match.start())
    found += [a.start() for a in ACRONYM.finditer(sentence) if not _NOT_NAMES.match(fold(a.group(0)))
              and fold(a.group(0)) not in known and place_forms(a.group(0)) is None
              and not any(s <= a.start() < e for s, e in inside)]
    return sorted(found)


def names_someone_new(sentence: str, asked: list[str]) -> bool:
    """The sentence names someone who is not one of the ``asked`` names (see ``_new_names``)."""
    return bool(_new_names(sentence, asked))


def _opens_with_someone_new(sentence: str, asked: list[str]) -> bool:
    """The sentence's first words name someone new: whom it introduces is its subject ("Retired
    Vice-Admiral Robert Harward was widely tipped ...", "Green Party leaders have accused ...")."""
    found = _new_names(sentence, asked)
    return bool(found) and len(_words(sentence[:found[0]])) <= OPENING_WORDS


def _bare(word: str) -> str:
    """A name's word folded, without a possessive ("Trump's": "trump")."""
    return re.sub(r"['’]s$", "", fold(word))


def named_after(passage: Passage, start: int, end: int, text: str, article_text: ArticleText | None,
                asked: list[str]) -> tuple[int, int, str] | None:
    """For a sentence (offsets in the article) that names no one beyond ``asked``: the first of
    the next LOOK_AHEAD sentences of its article (of its passage, without the article) that opens
    with someone new, or None."""
    if names_someone_new(text, asked):
        return None
    article = article_text(passage.doc_id) if article_text else None
    if article is None or article[start:end] != text:
        article, shift = passage.text, passage.start
    else:
        shift = 0
    after = [(s, e) for s, e in sentence_spans(article) if s >= end - shift][:LOOK_AHEAD]
    for s, e in after:
        if _opens_with_someone_new(article[s:e], asked):
            return shift + s, shift + e, article[s:e]
    return None
