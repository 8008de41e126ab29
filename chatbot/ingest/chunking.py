"""Sentence-aware chunking with exact character offsets.

Sentences are found with rules that know French and English punctuation (« », quotes, ellipses,
abbreviations such as « M. », « Mme », "Dr.", "U.S."), then packed into chunks of about
``chunk_size`` characters that overlap by whole sentences. A sentence longer than a chunk is cut by
langchain's recursive splitter at clause and word boundaries. Every chunk is ``text[start:end]``.
"""

from __future__ import annotations

from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter, TextSplitter

from chatbot.schemas import Article, Chunk, chunk_ids
from chatbot.text.sentences import sentence_spans, strip_span


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
                s, e = strip_span(text, cut, min(cut + self._chunk_size, end))
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
    """The article's chunks in reading order, with the ids ``chatbot.schemas.chunk_ids`` gives."""
    spans = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap).split_spans(article.text)
    return [
        Chunk(chunk_id=cid, doc_id=article.doc_id, start=start, end=end, text=article.text[start:end])
        for cid, (start, end) in zip(chunk_ids(article.doc_id, len(spans)), spans, strict=True)
    ]
