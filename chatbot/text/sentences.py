"""Sentences: the one sentence splitter of the package, with exact character offsets.

It knows French and English punctuation (« », quotes, ellipses) and abbreviations such as « M. »,
« Mme », "Dr.", "U.S.". Chunking, sentence vectors, the answerers and the support check all cut
text here, so a sentence has the same offsets everywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

from chatbot.text.words import word_file

ABBREVIATIONS = {
    # French
    "m", "mm", "mme", "mmes", "mlle", "mgr", "dr", "pr", "st", "ste", "cf", "etc", "env",
    "av", "apr", "p", "pp", "ex", "vol", "n", "no", "art", "chap", "éd", "coll", "min", "max",
    "janv", "févr", "avr", "juil", "sept", "oct", "nov", "déc", "gal", "gén", "col", "cdt", "lt",
    # English
    "mr", "mrs", "ms", "prof", "gen", "sen", "rep", "gov", "sgt", "capt", "cmdr", "adm", "jr",
    "sr", "inc", "ltd", "co", "corp", "vs", "e.g", "i.e", "u.s", "u.k", "u.n", "jan", "feb",
    "mar", "jun", "jul", "aug", "sep", "dec", "approx", "dept", "fig",
}
# Abbreviations that are also ordinary words ("no", "sept", "art", French "est"...): they only
# abbreviate when a number follows ("no. 5", "le 3 sept. 2019", "p. 12").
NUMERIC_ABBREVIATIONS = {"no", "pp", "vol", "art", "chap", "fig", "sept", "ex"}
_BOUNDARY = re.compile(
    r"""(?P<end>[.!?…]+(?:[^\S\n]?»|[»"”’')\]])*|[»”"]\s*(?=\n))   # end punctuation, closing quotes
        (?P<gap>[^\S\n]+|\s*\n\s*)                    # the whitespace after it
        (?=[«"“'(\[—–-]?\s*[A-ZÀ-ÖØ-Þ0-9«"“])         # a sentence-like start follows
    """,
    re.X,
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
# how far back from a period the word before it is looked for: far longer than any abbreviation,
# and a bounded window keeps splitting linear in the text's length (searching from the start of
# the text at every period made a long article quadratic)
_LOOKBACK = 64


def _is_abbreviation(text: str, dot_pos: int) -> bool:
    """True when the period at ``dot_pos`` closes an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text, max(0, dot_pos - _LOOKBACK), dot_pos)
    if not match:
        return False
    word = match.group(1).lower().strip(".")
    if word in NUMERIC_ABBREVIATIONS:
        return bool(re.match(r"\.\s*\d", text[dot_pos:dot_pos + 4]))
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "M. Haftar"
    return word in ABBREVIATIONS


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text[start:end]``, whitespace excluded, offsets absolute."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for segment in re.finditer(r"[^\n]+", text[start:end]):
        seg_start, seg_end = start + segment.start(), start + segment.end()
        cursor = seg_start
        for match in _BOUNDARY.finditer(text, seg_start, seg_end):
            punct = match.group("end")
            if punct.startswith(".") and len(punct.rstrip("»\"”’')] \u00a0")) == 1:
                if _is_abbreviation(text, match.start("end")):
                    continue
            spans.append((cursor, match.end("end")))
            cursor = match.end("gap")
        if cursor < seg_end:
            spans.append((cursor, seg_end))
    return [(s, e) for s, e in (strip_span(text, s, e) for s, e in spans) if e > s]


@lru_cache(maxsize=64)
def article_spans(text: str) -> tuple[tuple[int, int], ...]:
    """``sentence_spans`` of a whole article, kept for the few articles an answer reads again and
    again (each candidate sentence and each check locates itself among its article's sentences)."""
    return tuple(sentence_spans(text))


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=1)
def _teaser() -> re.Pattern[str]:
    labels = word_file("teasers.txt")
    alternation = "|".join(re.escape(label).replace(r"\ ", r"\s+") for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^\W*(?:{alternation})\s*:", re.I)


def is_teaser(sentence: str) -> bool:
    """Whether ``sentence`` opens with the label of a link to another article ("READ MORE:",
    "LIRE AUSSI :", data/teasers.txt): what follows is that article's headline."""
    return bool(_teaser().match(sentence))
