"""Reading the people, organisations and places of articles while they are indexed.

A small add reads them in a thread of its own: a few articles, and its writes wait for them.

A large add reads them in a process of its own, started for that add, at a lower CPU priority
(:class:`EntityProcess`). In a thread of the indexing process the reader would share the
interpreter lock with the encoding loop, which needs it between the encoder's runs: loading a
spaCy pipeline (about 2 s of pure Python) and the recogniser's Python steps then stall every
mini-batch (bench/indexing.py, BENCHMARKS.md 40a and 41a). A process has its own lock, so what
remains is its share of the cores.

A failure leaves an article's entities unread (they are read when first listed) and never fails
the add; a process that cannot start or dies hands the reading back to the thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from chatbot.encoder.onnx_embedder import limit_blas_threads
from chatbot.schemas import Article
from chatbot.text import entities as named

log = logging.getLogger(__name__)

# the entity reader's niceness: below the encoder, so it runs in the encoder's idle time (see bench/entities.py)
ENTITY_NICENESS = 10


def behind_the_encoder() -> None:
    """Lower the calling thread's CPU priority (Linux; elsewhere nothing): entity reading then
    takes the cores the encoder leaves idle rather than slowing it down."""
    if sys.platform == "linux":
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ENTITY_NICENESS)  # one thread on Linux
        except OSError as exc:
            log.debug("entity reader keeps its priority: %s", exc)


def _start_worker(langs: list[str]) -> None:
    """In the reader process: one BLAS thread, the pipelines of ``langs`` loaded, then behind the encoder."""
    limit_blas_threads()
    for lang in langs:
        try:
            named.warm(lang)
        except Exception as exc:  # extract reports it per article
            log.debug("entity pipeline for %s not loaded ahead: %s", lang, exc)
    behind_the_encoder()


def read_encoded(text: str, lang: str) -> str:
    """What ``text`` names, as stored (:func:`chatbot.text.entities.encode`)."""
    return named.encode(named.extract(text, lang))


class EntityProcess:
    """A process that reads entities for one large add; ``read`` is called from one reader thread.

    Started with ``spawn`` (a fresh interpreter: the indexing process's threads and locks are not
    copied into it), it loads the pipelines of the add's languages while the encoder starts.
    """

    def __init__(self, langs: Iterable[str]) -> None:
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(sorted(set(langs)),))
        self._behind = False  # the reading thread has lowered its own priority

    def read(self, text: str, lang: str) -> str:
        pool = self._pool
        if pool is not None:
            try:
                return pool.submit(read_encoded, text, lang).result()
            except (BrokenProcessPool, OSError) as exc:
                log.warning("entity reader process unavailable (%s); entities are read in this process", exc)
                self.close()
        if not self._behind:  # the thread now reads, behind the encoder like the process
            self._behind = True
            behind_the_encoder()
        return read_encoded(text, lang)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def read_entities(article: Article, process: EntityProcess | None = None) -> None:
    """Fill ``article.entities`` (in ``process`` if given); a failure leaves them unread (read when
    first listed), never fails the add."""
    try:
        article.entities = process.read(article.text, article.lang) if process is not None \
            else read_encoded(article.text, article.lang)
    except Exception as exc:
        log.warning("entities of %s not read now (%s); they will be read when first listed", article.doc_id, exc)
