"""Vectors of texts already encoded, kept for the next question: bounded, and safe to share.

The answerers encode the sentences of the passages they read; the same passages come back for
related questions, so their vectors are kept (least recently used dropped first). The HTTP server
answers several questions at once in threads: the cache is read and written under a lock, and the
encoder runs outside it, so one slow encoding never holds up a question whose vectors are cached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import numpy as np
from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)


class VectorCache(Generic[K]):
    """At most ``maxsize`` vectors; ``maxsize`` 0 keeps none (every call encodes)."""

    def __init__(self, maxsize: int) -> None:
        self._vectors: LRUCache[K, np.ndarray] = LRUCache(maxsize=max(1, maxsize))
        self._keeps = maxsize > 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._vectors)

    def vectors(self, keys: list[K], texts: list[str],
                encode: Callable[[list[str]], np.ndarray]) -> list[np.ndarray]:
        """The vector of each ``texts[i]`` (cached under ``keys[i]``), encoding the missing ones in
        one ``encode`` call; a key asked for twice is encoded once."""
        with self._lock:
            found = {key: self._vectors[key] for key in keys if key in self._vectors}
        todo = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
        if todo:
            fresh = encode(list(todo.values()))
            with self._lock:
                for key, vector in zip(todo, fresh, strict=True):
                    found[key] = np.asarray(vector, dtype=np.float32)
                    if self._keeps:
                        self._vectors[key] = found[key]
        return [found[key] for key in keys]
