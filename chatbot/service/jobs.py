"""At most one background job that rewrites the index: first-start loading/indexing or a rebuild.

Both shells (the JSON API and the chat page) start rebuilds here, so a rebuild started from either
one shows in ``/api/health`` and makes every writer wait (409 ``index_busy``) until it ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from chatbot.schemas import SyncReport
from chatbot.service.status import ServiceStatus
from chatbot.store.indexer import Progress

log = logging.getLogger(__name__)
RESULT_KEYS = {"loading": "last_indexing", "indexing": "last_indexing", "rebuilding": "last_rebuild"}
Work = Callable[[Progress], SyncReport | None]


class IndexJobs:
    """Runs one index job at a time in a thread; its progress and outcome go to ``status``."""

    def __init__(self, status: ServiceStatus) -> None:
        self.status = status
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self, state: str, work: Work, on_done: Callable[[], None] | None = None) -> bool:
        """Run ``work(progress)`` in a thread; False when another job is still running."""
        with self._lock:
            if self.busy:
                return False
            self.status.progress(state, 0, 0)
            self._thread = threading.Thread(target=self._run, args=(state, work, on_done),
                                            name=f"chatbot-{state}", daemon=True)
            self._thread.start()
            return True

    def _run(self, state: str, work: Work, on_done: Callable[[], None] | None) -> None:
        def progress(done: int, total: int, articles_done: int = 0, articles_total: int = 0) -> None:
            self.status.progress(state, done, total, articles_done, articles_total)

        try:
            report = work(progress)
            result = {**report.counts(), "failures": report.failed} if report is not None else None
            self.status.finish(RESULT_KEYS.get(state, f"last_{state}"), result)
            log.info("%s job finished: %s", state, report.counts() if report else "nothing to do")
        except Exception as exc:  # noqa: BLE001 - a failed job is reported in health, never lost
            log.exception("%s failed", state)
            self.status.set("error" if state == "loading" else "ready", error=f"{state} failed: {exc}")
        if on_done:
            on_done()

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
