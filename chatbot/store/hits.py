"""A stored chunk as the store hands it to retrieval: named fields instead of positional tuples.

Dense search returns hits with their cosine ``similarity``; reads that need the vector too (a
language's chunks held in memory, lexical candidates scored against the query) carry ``vector``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Hit:
    chunk_id: str
    text: str
    meta: dict[str, Any]
    similarity: float = 0.0
    vector: np.ndarray | None = None

    @property
    def doc_id(self) -> str:
        return str(self.meta.get("doc_id", ""))

    @property
    def lang(self) -> str:
        return str(self.meta.get("lang", "und"))
