"""Sentence-aware chunking with exact character offsets.

Sentences are found with rules that know French and English punctuation (« », quotes, ellipses,
abbreviations such as « M. », « Mme », "Dr.", "U.S."), then packed into chunks of about
``chunk_size`` characters that overlap by whole sentences. A sentence longer than a chunk is cut by
langchain's recursive splitter at clause and word boundaries. Every chunk is ``text[start:end]``.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter, TextSplitter

from chatbot.schemas import Article, Chunk

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


def _is_abbreviation(text: str, dot_pos: int) -> bool:
    """True when the period at ``dot_pos`` closes an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text, 0, dot_pos)
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
    return [(s, e) for s, e in (_strip(text, s, e) for s, e in spans) if e > s]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class SentenceSplitter(TextSplitter):
    """A langchain ``TextSplitter`` that packs whole sentences and also reports their offsets."""

    def __init__(self, chunk_size: int = 600, chunk_overlap: int = 120, **kwargs: Any) -> None:
        super().__init__(chunk_size=chunk_size, chunk_overlap=chunk_overlap, **kwargs)
        # no overlap inside a long sentence: its pieces must tile it, so each piece is found right
        # after the previous one (a repetitive text would otherwise match earlier) and chunks
        # overlap by whole pieces like they do by whole sentences
        self._long = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=0,
            separators=["; ", ", ", " – ", " — ", " ", ""],
            keep_separator="end",
        )

    def split_text(self, text: str) -> list[str]:
        return [text[s:e] for s, e in self.split_spans(text)]

    def _pieces(self, text: str) -> list[tuple[int, int]]:
        """Sentences, with any sentence longer than a chunk cut into word-bounded pieces."""
        pieces: list[tuple[int, int]] = []
        for start, end in sentence_spans(text):
            if end - start <= self._chunk_size:
                pieces.append((start, end))
                continue
            cursor = start
            for piece in self._long.split_text(text[start:end]):
                piece_start = text.find(piece, cursor, end)
                if piece_start < 0:  # the splitter changed the text: cut the rest at fixed widths
                    break
                pieces.append((piece_start, piece_start + len(piece)))
                cursor = piece_start + len(piece)
            for cut in range(cursor, end, self._chunk_size):
                s, e = _strip(text, cut, min(cut + self._chunk_size, end))
                if e > s:
                    pieces.append((s, e))
        return pieces

    def split_spans(self, text: str) -> list[tuple[int, int]]:
        """Chunk offsets: consecutive sentences up to ``chunk_size``, overlapping by sentences."""
        pieces = self._pieces(text)
        chunks: list[tuple[int, int]] = []
        i = 0
        while i < len(pieces):
            j = i
            while j + 1 < len(pieces) and pieces[j + 1][1] - pieces[i][0] <= self._chunk_size:
                j += 1
            chunks.append((pieces[i][0], pieces[j][1]))
            if j + 1 >= len(pieces):
                break
            # the next chunk restarts at the trailing sentences that fit in the overlap, as long as
            # it still reaches the next new sentence (else it would only repeat part of this chunk)
            k, following = j + 1, pieces[j + 1][1]
            while (k - 1 > i and pieces[j][1] - pieces[k - 1][0] <= self._chunk_overlap
                   and following - pieces[k - 1][0] <= self._chunk_size):
                k -= 1
            i = k
        return chunks


def chunk_article(article: Article, chunk_size: int = 600, chunk_overlap: int = 120) -> list[Chunk]:
    """The article's chunks, ids ``{doc_id}:{n:04d}`` in reading order."""
    splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    return [
        Chunk(
            chunk_id=f"{article.doc_id}:{n:04d}",
            doc_id=article.doc_id,
            start=start,
            end=end,
            text=article.text[start:end],
        )
        for n, (start, end) in enumerate(splitter.split_spans(article.text))
    ]
