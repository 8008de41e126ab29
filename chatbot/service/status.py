"""The service's state (ready, loading, indexing, rebuilding, error) and the progress of its index job.

Background job threads write it while request threads read it (``/api/health``, the 503 of a
question asked too early, the chat page's notice), so every access goes through one lock and
readers get a copy, never the live mapping a job may be replacing.
"""

from __future__ import annotations

import threading
from typing import Any

READY = "ready"
# States in which questions cannot be answered yet (the model or the first index is not there).
NOT_READY = {"loading": "the embedding model is loading", "indexing": "the index is being built"}


class ServiceStatus:
    """A small thread-safe record: ``state`` plus optional fields (``done``, ``total``, ``error``,
    ``last_indexing``, ``last_rebuild``...)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fields: dict[str, Any] = {"state": READY}

    @property
    def state(self) -> str:
        with self._lock:
            return str(self._fields.get("state", READY))

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._fields.get(key, default)

    def snapshot(self) -> dict[str, Any]:
        """A copy of every field, safe to serialise while a job keeps writing."""
        with self._lock:
            return dict(self._fields)

    def set(self, state: str, **fields: Any) -> None:
        """Enter ``state``; fields of the previous state are dropped, results of past jobs kept."""
        with self._lock:
            kept = {k: v for k, v in self._fields.items() if k.startswith("last_")}
            self._fields = {**kept, "state": state, **fields}

    def progress(self, state: str, done: int, total: int, articles_done: int = 0, articles_total: int = 0) -> None:
        """Chunks embedded of ``total``; articles fully embedded of ``articles_total`` when known."""
        extra = {"articles_done": articles_done, "articles_total": articles_total} if articles_total else {}
        self.set(state, done=done, total=total, **extra)

    def finish(self, result_key: str | None = None, result: dict[str, Any] | None = None) -> None:
        """Back to ready, remembering what the job did under ``result_key``."""
        with self._lock:
            kept = {k: v for k, v in self._fields.items() if k.startswith("last_")}
            if result_key and result is not None:
                kept[result_key] = result
            self._fields = {**kept, "state": READY}

    def public(self) -> dict[str, Any]:
        """The fields health shows: all of them, except a plain ``state: ready``."""
        fields = self.snapshot()
        if fields.get("state") == READY:
            fields.pop("state")
        return fields
