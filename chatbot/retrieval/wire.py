"""One passage per story: passages repeated in near-copies of an article are shown once.

Articles linked as near-copies at indexing (chatbot.store.copies) often differ only here and there:
an update adds a paragraph, an outlet trims the end. A passage of one copy that mostly repeats a
passage already ranked higher from a linked copy is dropped, and the passage kept lists where else
it appeared (``also_in``). Passages with their own content (the new paragraph of an update) stay.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from chatbot.text.words import fold

REPEATED = 0.5  # share of a passage's word 3-grams found in the kept passage: it adds little


@lru_cache(maxsize=4096)
def _grams(text: str) -> frozenset[str]:
    words = re.findall(r"\w+", fold(text))
    return frozenset(" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2)))


def repeats(text: str, kept: str) -> bool:
    mine = _grams(text)
    return bool(mine) and len(mine & _grams(kept)) >= REPEATED * len(mine)


def copies_map(manifest: dict[str, dict[str, Any]]) -> dict[str, frozenset[str]]:
    """doc_id -> linked copies that are still in the index."""
    out: dict[str, frozenset[str]] = {}
    for doc_id, meta in manifest.items():
        linked = frozenset(d for d in str(meta.get("copies") or "").split(",") if d in manifest)
        if linked:
            out[doc_id] = linked
    return out


def collapse(ranked: list[Any], copies: dict[str, frozenset[str]],
             manifest: dict[str, dict[str, Any]]) -> list[Any]:
    """``ranked`` candidates (with ``.text`` and ``.meta``) without repeats from linked copies.

    The kept candidate's ``meta`` gains ``also_in``: [{doc_id, source, date}] of the copies dropped.
    """
    if not copies:
        return ranked
    kept: list[Any] = []
    for cand in ranked:
        doc = str(cand.meta.get("doc_id", ""))
        linked = copies.get(doc, frozenset())
        twin = next((k for k in kept if str(k.meta.get("doc_id")) in linked and repeats(cand.text, k.text)), None)
        if twin is None:
            kept.append(cand)
            continue
        meta = manifest.get(doc, {})
        entry = {"doc_id": doc, "source": meta.get("source"), "date": meta.get("date")}
        also = list(twin.meta.get("also_in", []))
        if all(e["doc_id"] != doc for e in also):
            twin.meta = {**twin.meta, "also_in": [*also, entry]}
    return kept
