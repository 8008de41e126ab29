"""BM25 postings kept in immutable segments, so an add or a removal never re-reads the whole corpus.

bm25s (which this index used before) bakes the corpus-wide statistics (document frequencies, the
average length) into every stored score, so one new article meant tokenising and indexing every
chunk again: 2.4 s at 3,000 chunks, about 80 s at 100,000, under the lock every question took.
Here each segment holds raw term counts per chunk, column by column (one term's postings
contiguous); the statistics are summed over the live rows of every segment when a query is
scored, for its few terms only. An add writes one new segment; a removal only marks rows dead.
Segments of similar size are merged (a log-structured policy: each row is rewritten about log2(n)
times over the index's life), and rows marked dead are dropped at the next merge.

The score is bm25s's "lucene" variant, unchanged: ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``
times ``tf / (tf + k1 * (1 - b + b * dl / avgdl))``, with N, df and avgdl over live chunks.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Segment:
    """The postings of some chunks. Never changed once built; deletions live beside it as a mask.

    ``term_ptr[t]:term_ptr[t + 1]`` slices ``rows`` / ``tfs`` for term id ``t`` (ids below
    ``len(term_ptr) - 1``; later terms have no posting here). ``new_terms`` are the vocabulary
    entries this segment introduced, from id ``first_term`` on: the vocabulary is the
    concatenation of every segment's, so it is saved with them and never separately.
    """

    name: str
    chunk_ids: np.ndarray  # str, one per row
    doc_ids: np.ndarray  # str, one per row
    langs: np.ndarray  # str, the language each row was tokenised in
    lengths: np.ndarray  # float32, tokens per row
    term_ptr: np.ndarray  # int64
    rows: np.ndarray  # int32
    tfs: np.ndarray  # float32
    first_term: int
    new_terms: np.ndarray  # str
    fingerprints: dict[str, str] = field(default_factory=dict)  # doc_id -> what its manifest record said

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        if term + 1 >= len(self.term_ptr):
            return self.rows[:0], self.tfs[:0]
        lo, hi = self.term_ptr[term], self.term_ptr[term + 1]
        return self.rows[lo:hi], self.tfs[lo:hi]

    def row_tokens(self, vocab: dict[str, int]) -> list[list[str]]:
        """Each row's tokens (as a bag, grouped by term) from the postings: what the segment
        indexed, for comparing it with another BM25 implementation or inspecting a row."""
        terms = {i: t for t, i in vocab.items()}
        tokens: list[list[str]] = [[] for _ in range(len(self))]
        for term in range(len(self.term_ptr) - 1):
            rows, counts = self.postings(term)
            for row, count in zip(rows, counts, strict=True):
                tokens[row] += [terms[term]] * int(count)
        return tokens

    def save(self, folder: Path) -> None:
        np.savez(folder / f"{self.name}.npz", chunk_ids=self.chunk_ids, doc_ids=self.doc_ids, langs=self.langs,
                 lengths=self.lengths, term_ptr=self.term_ptr, rows=self.rows, tfs=self.tfs,
                 first_term=np.int64(self.first_term), new_terms=self.new_terms,
                 fp_docs=np.asarray(list(self.fingerprints), dtype=str),
                 fp_values=np.asarray(list(self.fingerprints.values()), dtype=str))

    @classmethod
    def load(cls, folder: Path, name: str) -> Segment:
        with np.load(folder / f"{name}.npz", allow_pickle=False) as data:
            return cls(name=name, chunk_ids=data["chunk_ids"], doc_ids=data["doc_ids"], langs=data["langs"],
                       lengths=data["lengths"], term_ptr=data["term_ptr"], rows=data["rows"], tfs=data["tfs"],
                       first_term=int(data["first_term"]), new_terms=data["new_terms"],
                       fingerprints=dict(zip(data["fp_docs"].tolist(), data["fp_values"].tolist(), strict=True)))


def _strs(values: list[str]) -> np.ndarray:
    return np.asarray(values, dtype=str) if values else np.zeros(0, dtype="<U1")


def _columns(terms: np.ndarray, rows: np.ndarray, tfs: np.ndarray, n_terms: int,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Postings (term, row, tf) sorted by term then row, with the term pointer."""
    order = np.lexsort((rows, terms))
    counts = np.bincount(terms, minlength=n_terms) if len(terms) else np.zeros(n_terms, dtype=np.int64)
    ptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, rows[order].astype(np.int32), tfs[order].astype(np.float32)


def build_segment(chunk_ids: list[str], doc_ids: list[str], langs: list[str], tokens: list[list[str]],
                  vocab: dict[str, int], fingerprints: dict[str, str]) -> Segment:
    """A segment of tokenised chunks; terms new to ``vocab`` are added to it (the caller's copy)."""
    first = len(vocab)
    terms: list[int] = []
    rows: list[int] = []
    tfs: list[int] = []
    lengths = np.zeros(len(tokens), dtype=np.float32)
    for row, words in enumerate(tokens):
        lengths[row] = len(words)
        for word, count in Counter(words).items():
            term = vocab.setdefault(word, len(vocab))
            terms.append(term)
            rows.append(row)
            tfs.append(count)
    new_terms = list(vocab)[first:] if len(vocab) > first else []
    ptr, sorted_rows, sorted_tfs = _columns(np.asarray(terms, dtype=np.int64), np.asarray(rows, dtype=np.int64),
                                            np.asarray(tfs, dtype=np.float32), len(vocab))
    return Segment(uuid.uuid4().hex, _strs(chunk_ids), _strs(doc_ids), _strs(langs), lengths, ptr,
                   sorted_rows, sorted_tfs, first, _strs(new_terms), dict(fingerprints))


def dead_mask(segment: Segment, dead_docs: frozenset[str]) -> np.ndarray:
    """True for the rows of ``segment`` that are still live (their article not removed or replaced)."""
    if not dead_docs:
        return np.ones(len(segment), dtype=bool)
    return ~np.isin(segment.doc_ids, np.asarray(sorted(dead_docs), dtype=str))


def merge_segments(parts: list[tuple[Segment, frozenset[str]]]) -> Segment:
    """One segment holding the live rows of ``parts`` ((segment, its dead doc_ids)), in order.

    The parts must be adjacent in the index's order, so that their vocabulary ranges are too.
    """
    n_terms = max(len(seg.term_ptr) - 1 for seg, _ in parts)
    masks = [dead_mask(seg, dead) for seg, dead in parts]
    terms, rows, tfs = [], [], []
    offset = 0
    for (seg, _), live in zip(parts, masks, strict=True):
        new_row = np.cumsum(live) - 1  # a live row's position once the dead are dropped
        term_of = np.repeat(np.arange(len(seg.term_ptr) - 1), np.diff(seg.term_ptr))
        keep = live[seg.rows]
        terms.append(term_of[keep])
        rows.append(new_row[seg.rows[keep]] + offset)
        tfs.append(seg.tfs[keep])
        offset += int(live.sum())
    ptr, sorted_rows, sorted_tfs = _columns(np.concatenate(terms), np.concatenate(rows),
                                            np.concatenate(tfs), n_terms)
    ordered = sorted((seg for seg, _ in parts), key=lambda s: s.first_term)
    fingerprints = {d: fp for seg, dead in parts for d, fp in seg.fingerprints.items() if d not in dead}
    return Segment(uuid.uuid4().hex,
                   _strs([str(c) for (seg, _), m in zip(parts, masks, strict=True) for c in seg.chunk_ids[m]]),
                   _strs([str(d) for (seg, _), m in zip(parts, masks, strict=True) for d in seg.doc_ids[m]]),
                   _strs([str(g) for (seg, _), m in zip(parts, masks, strict=True) for g in seg.langs[m]]),
                   np.concatenate([seg.lengths[m] for (seg, _), m in zip(parts, masks, strict=True)]),
                   ptr, sorted_rows, sorted_tfs, ordered[0].first_term,
                   _strs([str(t) for seg in ordered for t in seg.new_terms]), fingerprints)


def live_stats(segments: tuple[Segment, ...], live: tuple[np.ndarray, ...]) -> tuple[int, float]:
    """(live rows, their average length): the corpus-wide part of every score."""
    n_live = sum(int(m.sum()) for m in live)
    total = sum(float(seg.lengths[m].sum()) for seg, m in zip(segments, live, strict=True))
    return n_live, (total / n_live if n_live else 0.0)


@dataclass(frozen=True)
class Scorer:
    """What scoring needs besides the postings, computed once per published index.

    ``norms``: per segment and row, the length part of the denominator, ``k1 * (1 - b + b * dl /
    avgdl)``. ``live`` is None for a segment without dead rows (no mask to apply).
    """

    segments: tuple[Segment, ...]
    live: tuple[np.ndarray | None, ...]
    norms: tuple[np.ndarray, ...]
    offsets: np.ndarray  # first global row of each segment, and the total at the end
    n_live: int

    @classmethod
    def of(cls, segments: tuple[Segment, ...], live: tuple[np.ndarray, ...]) -> Scorer:
        n_live, avg_len = live_stats(segments, live)
        norms = tuple((K1 * (1.0 - B + B * seg.lengths / avg_len) if avg_len else np.full(len(seg), K1))
                      .astype(np.float32) for seg in segments)
        return cls(segments, tuple(None if m.all() else m for m in live), norms,
                   np.cumsum([0] + [len(seg) for seg in segments]), n_live)

    def score(self, terms: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(global row, BM25 score) of every live row that holds at least one of ``terms``.

        A global row is the segment's offset (rows of the segments before it) plus its own row.
        """
        if not self.n_live or not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        found_rows: list[np.ndarray] = []
        found_scores: list[np.ndarray] = []
        for term in terms:
            per_segment = []
            for i, seg in enumerate(self.segments):
                rows, tfs = seg.postings(term)
                mask = self.live[i]
                if mask is not None and len(rows):
                    keep = mask[rows]
                    rows, tfs = rows[keep], tfs[keep]
                if len(rows):
                    per_segment.append((i, rows, tfs))
            df = sum(len(rows) for _, rows, _ in per_segment)
            if not df:
                continue
            idf = np.float32(np.log(1.0 + (self.n_live - df + 0.5) / (df + 0.5)))
            for i, rows, tfs in per_segment:
                found_rows.append(rows + self.offsets[i])
                found_scores.append(idf * tfs / (tfs + self.norms[i][rows]))
        if not found_rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        # summed per row over a dense array of every row: linear, where sorting the postings is not
        summed = np.bincount(np.concatenate(found_rows), weights=np.concatenate(found_scores),
                             minlength=int(self.offsets[-1]))
        rows = np.flatnonzero(summed > 0)
        return rows, summed[rows].astype(np.float32)
