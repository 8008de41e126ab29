"""The lexical (BM25) side of retrieval, derived from the chunks stored in Chroma.

Each chunk is tokenised in its own language: elisions split ("l'armée" -> "armée"), stop words of
that language dropped, words stemmed with PyStemmer's Snowball stemmer, then accents folded so that
"armee" typed without accents still matches. A query is tokenised in every language present in the
corpus, so a French query finds French stems and an English one English stems. The index is saved
beside a version stamp; a process whose stamp differs from the store's brings it up to date from
Chroma, re-reading only the articles whose manifest record changed (see chatbot.store.bm25_segments).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chatbot.store.bm25_segments import Scorer, Segment, build_segment, dead_mask, merge_segments
from chatbot.text.language import question_language
from chatbot.text.words import STEMMERS, fold, function_words, prose_language, stop_words, tokenize

log = logging.getLogger(__name__)
# how chunks are tokenised and stored; a saved index of another format is rebuilt (2: chunk languages
# checked against their prose, see LexicalIndex._with_segment; 3: segments of term counts, bm25_segments)
FORMAT = 3


def query_tokens(query: str, langs: set[str]) -> list[str]:
    """The query tokenised for every corpus language, merged without repeats.

    The function and question words of the language the query is written in are dropped from
    every tokenisation: tokenised for English documents, a French question would otherwise keep
    "le", "des", "comment" as words, and they match whatever French text sits among the English
    documents (a section mislabelled English, a quotation) far more than any content word does.
    """
    own = question_language(query)
    drop = stop_words(own) | {fold(w) for w in function_words(own)}
    seen: dict[str, None] = {}
    for lang in sorted(langs or {"en"}):
        for token in tokenize(query, lang, also_stop=drop):
            seen.setdefault(token, None)
    return list(seen)


@dataclass(frozen=True)
class ChunkText:
    """A chunk as the lexical index takes it in: what it indexes and which article it belongs to."""

    chunk_id: str
    doc_id: str
    text: str  # title and text, see chatbot.store.live_index.lexical_text
    lang: str  # the language identifier's label


class LexicalIndex:
    """BM25 over chunk texts (with their titles), in segments, persisted under one folder.

    An object is never changed once published: ``updated`` returns a new one that shares the
    unchanged segments, so a question scoring against it needs no lock while an add is applied.
    ``fingerprints`` say which version of each article the index holds (see
    chatbot.store.live_index.fingerprint), so a refresh re-reads only the articles that changed.
    """

    def __init__(self, version: str = "", main: str | None = None, segments: tuple[Segment, ...] = (),
                 dead: tuple[frozenset[str], ...] = (), vocab: dict[str, int] | None = None) -> None:
        self.version = version
        self.main = main
        self.segments = segments
        self.dead = dead or tuple(frozenset() for _ in segments)
        self.vocab = vocab if vocab is not None else {}
        self._live = tuple(dead_mask(seg, d) for seg, d in zip(segments, self.dead, strict=True))
        self._scorer = Scorer.of(segments, self._live)
        counts: Counter[str] = Counter()
        for seg, live in zip(segments, self._live, strict=True):
            counts.update(seg.langs[live].tolist())
        self.langs: set[str] = {lang for lang, n in counts.items() if n} or {"en"}
        self._lang_counts = counts

    # ---- what it holds --------------------------------------------------------------------------
    @property
    def chunk_ids(self) -> list[str]:
        return [str(c) for seg, live in zip(self.segments, self._live, strict=True) for c in seg.chunk_ids[live]]

    def fingerprints(self) -> dict[str, str]:
        """doc_id -> fingerprint of every article the index holds."""
        return {d: fp for seg, dead in zip(self.segments, self.dead, strict=True)
                for d, fp in seg.fingerprints.items() if d not in dead}

    def __len__(self) -> int:
        return self._scorer.n_live

    # ---- building -----------------------------------------------------------------------------
    @classmethod
    def from_chunks(cls, chunks: list[ChunkText], version: str, fingerprints: dict[str, str]) -> LexicalIndex:
        """The index of ``chunks`` from scratch (``fingerprints``: doc_id -> version, every article)."""
        labels = [c.lang if c.lang in STEMMERS else "en" for c in chunks]
        main = Counter(labels).most_common(1)[0][0] if labels else None
        index = cls(version, main)
        return index._with_segment(chunks, fingerprints, frozenset(), version)

    def updated(self, version: str, removed: set[str], added: list[ChunkText],
                fingerprints: dict[str, str]) -> LexicalIndex | None:
        """A new index without the chunks of ``removed`` articles and with ``added``.

        ``fingerprints``: the added articles' (including any without chunks). None when the change
        moves the corpus's main language, which decides how every chunk is tokenised: the caller
        then builds from scratch.
        """
        result = self._with_segment(added, fingerprints, frozenset(removed), version)
        held = result._lang_counts
        if self.main is not None and held and held.most_common(1)[0][0] != self.main:
            return None
        return result

    def _with_segment(self, chunks: list[ChunkText], fingerprints: dict[str, str], removed: frozenset[str],
                      version: str) -> LexicalIndex:
        labels = [c.lang if c.lang in STEMMERS else "en" for c in chunks]
        main = self.main or (Counter(labels).most_common(1)[0][0] if labels else None)
        # Labels come from a statistical identifier that reads technical French (commands, paths,
        # English tool names) as English; such a chunk, tokenised with English stems and stop
        # words, matches nothing a French question asks and everything its function words do. So a
        # chunk labelled with another language than the corpus's main one is tokenised in the main
        # language when its running prose is made of that language's function words.
        langs = [lang if lang == main or main is None else prose_language(c.text, lang, main)
                 for c, lang in zip(chunks, labels, strict=True)]
        tokens = [tokenize(c.text, lang) for c, lang in zip(chunks, langs, strict=True)]
        vocab = dict(self.vocab)  # the published index's own vocabulary is never changed
        segments = list(self.segments)
        dead = [d | (removed & set(seg.fingerprints)) for seg, d in zip(segments, self.dead, strict=True)]
        if chunks or fingerprints:
            segments.append(build_segment([c.chunk_id for c in chunks], [c.doc_id for c in chunks], langs,
                                          tokens, vocab, fingerprints))
            dead.append(frozenset())
        segments, dead = _merge_policy(segments, dead)
        return LexicalIndex(version, main, tuple(segments), tuple(dead), vocab)

    # ---- reading ------------------------------------------------------------------------------
    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) for chunks sharing at least one stem with the query."""
        if not self.segments or k <= 0:
            return []
        terms = [self.vocab[t] for t in query_tokens(query, self.langs) if t in self.vocab]
        rows, scores = self._scorer.score(terms)
        if not len(rows):
            return []
        if len(rows) > k:
            best = np.argpartition(-scores, k - 1)[:k]
            rows, scores = rows[best], scores[best]
        order = np.lexsort((rows, -scores))  # best first; ties in index order
        bounds = np.cumsum([len(seg) for seg in self.segments])
        found = []
        for i in order:
            s = int(np.searchsorted(bounds, rows[i], side="right"))
            found.append((str(self.segments[s].chunk_ids[rows[i] - (bounds[s - 1] if s else 0)]), float(scores[i])))
        return found

    # ---- persistence --------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write the segments ``folder`` lacks, then the list of segments (the commit point)."""
        folder.mkdir(parents=True, exist_ok=True)
        for seg in self.segments:
            if not (folder / f"{seg.name}.npz").exists():
                seg.save(folder)
        meta = {"format": FORMAT, "version": self.version, "main": self.main,
                "segments": [{"name": seg.name, "dead": sorted(d)} for seg, d in zip(self.segments, self.dead,
                                                                                     strict=True)]}
        tmp = folder / f"meta.json.{uuid.uuid4().hex[:8]}"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, folder / "meta.json")
        keep = {f"{seg.name}.npz" for seg in self.segments}
        for path in folder.iterdir():  # segments merged away, and files of the older format
            if path.name != "meta.json" and path.name not in keep:
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)

    @staticmethod
    def saved_version(folder: Path) -> str | None:
        """The version stamp of the index saved in ``folder`` (None: none usable there)."""
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        return str(meta.get("version")) if meta.get("format") == FORMAT else None

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when absent or unreadable (it is then rebuilt)."""
        try:
            meta = json.loads((folder / "meta.json").read_text())
            if meta.get("format") != FORMAT:
                log.info("lexical index at %s was tokenised differently; it will be rebuilt", folder)
                return None
            segments = tuple(Segment.load(folder, s["name"]) for s in meta["segments"])
            vocab: dict[str, int] = {}
            for seg in sorted(segments, key=lambda s: s.first_term):
                if seg.first_term != len(vocab):
                    raise ValueError("the segments' vocabularies do not follow on")
                vocab.update((str(t), seg.first_term + i) for i, t in enumerate(seg.new_terms))
            return cls(str(meta["version"]), meta.get("main"), segments,
                       tuple(frozenset(s["dead"]) for s in meta["segments"]), vocab)
        except (OSError, ValueError, KeyError) as exc:
            log.info("lexical index at %s not usable (%s); it will be rebuilt", folder, exc)
            return None


def _merge_policy(segments: list[Segment], dead: list[frozenset[str]],
                  ) -> tuple[list[Segment], list[frozenset[str]]]:
    """Merge the newest segments while the last is at least half the size of the one before it.

    Sizes then halve from the oldest segment to the newest, so there are about log2(n) segments and
    a chunk is rewritten about log2(n) times in all. When more than a quarter of the rows are dead,
    everything is merged into one segment (the dead rows are dropped).
    """
    def live(i: int) -> int:
        return len(segments[i]) - int((~dead_mask(segments[i], dead[i])).sum()) if dead[i] else len(segments[i])

    total = sum(len(s) for s in segments)
    if len(segments) > 1 and total and sum(live(i) for i in range(len(segments))) < 0.75 * total:
        return [merge_segments(list(zip(segments, dead, strict=True)))], [frozenset()]
    while len(segments) > 1 and 2 * live(len(segments) - 1) >= live(len(segments) - 2):
        merged = merge_segments([(segments[-2], dead[-2]), (segments[-1], dead[-1])])
        segments[-2:] = [merged]
        dead[-2:] = [frozenset()]
    return segments, dead
