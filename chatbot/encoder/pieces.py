"""Sentence and clause vectors of a chunk, taken from the chunk's own encoding.

The extractive answerer scores every sentence (and, for long sentences, pairs of adjacent clauses)
of the top passages against the question. Encoding those spans at question time cost most of an
answer's time (about 230 of 260 ms on this CPU). Instead, when a chunk is encoded for the index,
its token vectors are summed over each *piece* (a sentence, or a clause of a long sentence) and
passed through the model's projection layers, which are linear: the vector of any run of pieces is
then the normalised sum of their stored vectors, at no extra encoder cost.

Such a vector is "in context" (tokens have seen the whole chunk) rather than the sentence encoded
alone; on the evaluation set both give the same answers within one question (BENCHMARKS.md).
Pieces are a cache, never the truth: a span they do not cover is encoded at question time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from chatbot.text.sentences import sentence_spans

LONG_SENTENCE = 180  # characters: a longer sentence is also scored through its clause windows
MIN_WINDOW = 40
_CLAUSE_CUT = re.compile(r"[,;:]\s+|\s[–—]\s")


def clause_cuts(text: str, start: int, end: int) -> list[int]:
    """Clause boundaries of the sentence ``text[start:end]``, its ends included (long ones only)."""
    if end - start <= LONG_SENTENCE:
        return [start, end]
    inner = [start + m.end() for m in _CLAUSE_CUT.finditer(text[start:end])]
    return [start] + [c for c in inner if start < c < end] + [end]


def clause_windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Windows of two consecutive clauses of a long sentence (none for a short one)."""
    cuts = clause_cuts(text, start, end)
    windows = []
    for i in range(len(cuts) - 2):
        a, b = cuts[i], cuts[i + 2]
        if b - a >= MIN_WINDOW and (a, b) != (start, end):
            windows.append((a, b))
    return windows


def piece_spans(text: str) -> list[tuple[int, int]]:
    """The pieces of a chunk text, in order: its sentences, long ones cut at their clauses."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        cuts = clause_cuts(text, start, end)
        spans.extend(zip(cuts[:-1], cuts[1:], strict=True))
    return spans


@dataclass
class PieceVectors:
    """The pieces of one chunk: spans (offsets in the chunk text) and unnormalised vectors.

    A piece whose tokens were cut off by the encoder's length cap has a zero vector; a span
    touching one has no vector here.
    """

    spans: np.ndarray  # (n, 2) int32
    vectors: np.ndarray  # (n, dim) float16 or float32

    def span_vector(self, start: int, end: int) -> np.ndarray | None:
        """The unit vector of ``chunk_text[start:end]`` if whole pieces tile it exactly, else None."""
        inside = (self.spans[:, 0] >= start) & (self.spans[:, 1] <= end)
        if not inside.any():
            return None
        chosen = self.spans[inside]
        if chosen[0, 0] != start or chosen[-1, 1] != end or (chosen[1:, 0] != chosen[:-1, 1]).any():
            return None
        summed = self.vectors[inside].astype(np.float32)
        if not np.all(np.any(summed != 0, axis=1)):
            return None
        total = summed.sum(axis=0)
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else None


def pool_pieces(token_vectors: np.ndarray, token_ends: np.ndarray,
                spans: list[tuple[int, int]]) -> np.ndarray:
    """Sum of the token vectors falling in each span (before the model's linear projection).

    ``token_ends`` holds each token's last character offset in the chunk text (negative for the
    prompt, special and padding tokens). A token belongs to the span holding its last character; a span
    extending past the last encoded token was truncated and gets a zero sum.
    """
    if not spans:
        return np.zeros((0, token_vectors.shape[1]), dtype=np.float32)
    starts = np.array([s for s, _ in spans])
    ends = np.array([e for _, e in spans])
    valid = token_ends >= 0
    pos = token_ends[valid]
    which = np.searchsorted(starts, pos, side="right") - 1
    inside = (which >= 0) & (pos < ends[np.clip(which, 0, None)])
    # a 0/1 membership matrix times the token vectors: one matrix product, a few times faster
    # than scattering rows with np.add.at (this runs on the indexing thread between encoder runs)
    member = np.zeros((len(spans), int(inside.sum())), dtype=np.float32)
    member[which[inside], np.arange(member.shape[1])] = 1.0
    sums = member @ token_vectors[valid][inside].astype(np.float32, copy=False)
    last = int(pos.max()) if pos.size else -1
    sums[ends - 1 > last] = 0.0
    return sums
