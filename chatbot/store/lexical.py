"""The lexical (BM25) side of retrieval, derived from the chunks stored in Chroma.

Each chunk is tokenised in its own language: elisions split ("l'armée" -> "armée"), stop words of
that language dropped, words stemmed with PyStemmer's Snowball stemmer, then accents folded so that
"armee" typed without accents still matches. A query is tokenised in every language present in the
corpus, so a French query finds French stems and an English one English stems. The index is saved
beside a version stamp; a process whose stamp differs from the store's rebuilds it from Chroma.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from pathlib import Path

import numpy as np

from chatbot.text.language import question_language
from chatbot.text.words import STEMMERS, fold, function_words, prose_language, stop_words, tokenize

log = logging.getLogger(__name__)
# how chunks are tokenised; a saved index of another format is rebuilt (2: chunk languages checked
# against their prose, see effective_languages)
FORMAT = 2


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


def effective_languages(texts: list[str], langs: list[str]) -> list[str]:
    """Each chunk's language for tokenising: its label, unless its prose is the corpus's main language.

    Labels come from a statistical identifier that reads technical French (commands, paths,
    English tool names) as English; such a chunk, tokenised with English stems and stop words,
    matches nothing a French question asks and everything its function words do. Only chunks
    labelled with another language than the corpus's main one are checked (cheap: few of them).
    """
    labels = [lang if lang in STEMMERS else "en" for lang in langs]
    if not labels:
        return []
    main = Counter(labels).most_common(1)[0][0]
    return [lang if lang == main else prose_language(text, lang, main)
            for text, lang in zip(texts, labels, strict=True)]


class LexicalIndex:
    """BM25 over chunk texts (with their titles), persisted under one folder."""

    def __init__(self) -> None:
        self.chunk_ids: list[str] = []
        self.langs: set[str] = set()
        self.version = ""
        self._bm25 = None

    def build(self, chunk_ids: list[str], texts: list[str], langs: list[str], version: str) -> None:
        import bm25s

        self.chunk_ids = list(chunk_ids)
        effective = effective_languages(texts, langs)
        self.langs = set(effective) or {"en"}
        self.version = version
        if not chunk_ids:
            self._bm25 = None
            return
        corpus = [tokenize(t, lang) for t, lang in zip(texts, effective, strict=True)]
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(corpus, show_progress=False)
        self._bm25 = bm25

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) for chunks sharing at least one stem with the query."""
        if self._bm25 is None or not self.chunk_ids or k <= 0:
            return []
        tokens = query_tokens(query, self.langs)
        if not tokens:
            return []
        # the top k among the chunks that score at all: bm25s's own top-k partitions every score,
        # and most are zero, which makes numpy's partition slow (13 ms at 100k chunks, vs < 1 ms)
        scores = self._bm25.get_scores(tokens)
        hits = np.flatnonzero(scores > 0)
        if len(hits) > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
        order = hits[np.lexsort((hits, -scores[hits]))]  # best first; ties in index order
        return [(self.chunk_ids[int(d)], float(scores[d])) for d in order]

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"))
        (tmp / "meta.json").write_text(json.dumps(
            {"format": FORMAT, "version": self.version, "langs": sorted(self.langs), "chunk_ids": self.chunk_ids}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when absent or unreadable (it is then rebuilt)."""
        import bm25s

        try:
            meta = json.loads((folder / "meta.json").read_text())
            if meta.get("format") != FORMAT:
                log.info("lexical index at %s was tokenised differently; it will be rebuilt", folder)
                return None
            index = cls()
            index.chunk_ids = list(meta["chunk_ids"])
            index.langs = set(meta["langs"])
            index.version = str(meta["version"])
            if (folder / "bm25").exists():
                index._bm25 = bm25s.BM25.load(str(folder / "bm25"))
            return index
        except (OSError, ValueError, KeyError) as exc:
            log.info("lexical index at %s not usable (%s); it will be rebuilt", folder, exc)
            return None


def normalize_scores(scores: list[float]) -> np.ndarray:
    arr = np.asarray(scores, dtype=np.float32)
    return arr / arr.max() if arr.size and arr.max() > 0 else arr
